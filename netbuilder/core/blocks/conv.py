"""Convolution blocks. Output sizes follow torch's documented formulas exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netbuilder.core.blocks.spec import (
    BlockSpec,
    Param,
    need_rank,
    single,
    spec_text,
    torch_layer,
)
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec

if TYPE_CHECKING:
    from torch import nn


def conv_out(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """torch's Conv/Pool output length: floor((L + 2p - d(k-1) - 1) / s) + 1."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _common(transposed: bool = False) -> tuple[Param, ...]:
    padding_doc = (
        "Zeros added on each side."
        if transposed
        else "Zeros added on each side; 'same' keeps the size (stride 1 only)."
    )
    return (
        Param("out_channels", "int", 16, "Number of filters (output channels).", 1, 65536),
        Param("kernel_size", "int", 3, "Width of each (square) filter.", 1, 1024),
        Param("stride", "int", 1, "Step between filter positions.", 1, 1024),
        Param("padding", "int" if transposed else "padding", 0, padding_doc, 0, 1024),
        Param("dilation", "int", 1, "Spacing between filter taps.", 1, 1024),
        Param("groups", "int", 1, "Split channels into independent groups.", 1, 65536),
        Param("bias", "bool", True, "Learn an additive bias per output channel."),
        Param(
            "in_channels",
            "int",
            None,
            "Input channels; inferred from the wire when empty.",
            1,
            65536,
            optional=True,
        ),
    )


def _in_channels(block: str, p: dict[str, Any], x: TensorSpec) -> int:
    c = x.shape[0]
    if p["in_channels"] is not None and p["in_channels"] != c:
        raise ShapeError(
            _(
                "{block} expects {expected} input channels but receives {actual} (input {shape})"
            ).format(block=block, expected=p["in_channels"], actual=c, shape=spec_text(x)),
            _("Set in_channels to {actual}, or leave it empty to infer it.").format(actual=c),
        )
    for name, value in (("in_channels", c), ("out_channels", p["out_channels"])):
        if value % p["groups"]:
            raise ShapeError(
                _("{block}: {name} ({value}) must be divisible by groups ({groups})").format(
                    block=block, name=name, value=value, groups=p["groups"]
                ),
                _("Choose groups that divide both channel counts."),
            )
    return c


def _padding(p: dict[str, Any]) -> int | str:
    pad = p["padding"]
    if pad == "same" and p["stride"] != 1:
        raise ShapeError(
            _("padding 'same' only works with stride 1"),
            _("Use stride 1, or give the padding as a number."),
        )
    return pad


def _conv_lengths(block: str, p: dict[str, Any], sizes: tuple[int, ...]) -> tuple[int, ...]:
    pad = _padding(p)
    if pad == "same":
        return sizes
    pad = 0 if pad == "valid" else pad
    out = tuple(conv_out(s, p["kernel_size"], p["stride"], pad, p["dilation"]) for s in sizes)
    if min(out) < 1:
        span = p["dilation"] * (p["kernel_size"] - 1) + 1
        raise ShapeError(
            _(
                "{block}: the input {size} is smaller than the {span}-wide filter with "
                "padding {padding}"
            ).format(block=block, size="×".join(map(str, sizes)), span=span, padding=pad),
            _("Use a smaller kernel, add padding, or remove a pooling block before it."),
        )
    return out


def _infer_conv(block: str, rank: int):
    what = N_("a channels × length sequence") if rank == 2 else N_("an image")

    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = single(ins)
        need_rank(block, x, (rank,), what)
        _in_channels(block, p, x)
        return [TensorSpec((p["out_channels"], *_conv_lengths(block, p, x.shape[1:])))]

    return infer


def _conv_module(name: str):
    def module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
        return torch_layer(name), dict(
            in_channels=ins[0].shape[0],
            out_channels=p["out_channels"],
            kernel_size=p["kernel_size"],
            stride=p["stride"],
            padding=p["padding"],
            dilation=p["dilation"],
            groups=p["groups"],
            bias=p["bias"],
        )

    return module


def _conv_count(dims: int):
    """Weights out × in/groups × k^dims, plus one bias per output channel."""

    def count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
        c_in, c_out = ins[0].shape[0], p["out_channels"]
        weights = c_out * (c_in // p["groups"]) * p["kernel_size"] ** dims
        return weights + (c_out if p["bias"] else 0)

    return count


def _conv_t_count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
    """The transpose stores its weight as in × out/groups × k × k."""
    c_in, c_out = ins[0].shape[0], p["out_channels"]
    weights = c_in * (c_out // p["groups"]) * p["kernel_size"] ** 2
    return weights + (c_out if p["bias"] else 0)


def _infer_conv_t(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    need_rank("ConvTranspose2d", x, (3,), N_("an image"))
    _in_channels("ConvTranspose2d", p, x)
    if p["output_padding"] >= max(p["stride"], p["dilation"]):
        raise ShapeError(
            _("{block}: output_padding must be smaller than stride or dilation").format(
                block="ConvTranspose2d"
            ),
            _("Lower output_padding."),
        )
    out = tuple(
        (s - 1) * p["stride"]
        - 2 * p["padding"]
        + p["dilation"] * (p["kernel_size"] - 1)
        + p["output_padding"]
        + 1
        for s in x.shape[1:]
    )
    if min(out) < 1:
        raise ShapeError(
            _("{block}: padding is too large for this input").format(block="ConvTranspose2d"),
            _("Lower the padding."),
        )
    return [TensorSpec((p["out_channels"], *out))]


def _conv_t_module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
    return torch_layer("ConvTranspose2d"), dict(
        in_channels=ins[0].shape[0],
        out_channels=p["out_channels"],
        kernel_size=p["kernel_size"],
        stride=p["stride"],
        padding=p["padding"],
        output_padding=p["output_padding"],
        dilation=p["dilation"],
        groups=p["groups"],
        bias=p["bias"],
    )


_KEYS = ("out_channels", "kernel_size", "stride", "padding")

SPECS = [
    BlockSpec(
        type="Conv2d",
        category="Convolution",
        doc="Slides learned filters over an image to detect local patterns (edges, textures).",
        params=_common(),
        infer=_infer_conv("Conv2d", 3),
        module=_conv_module("Conv2d"),
        count=_conv_count(2),
        key_params=_KEYS,
    ),
    BlockSpec(
        type="Conv1d",
        category="Convolution",
        doc="Slides learned filters along a channels × length signal.",
        params=_common(),
        infer=_infer_conv("Conv1d", 2),
        module=_conv_module("Conv1d"),
        count=_conv_count(1),
        key_params=_KEYS,
    ),
    BlockSpec(
        type="ConvTranspose2d",
        category="Convolution",
        doc="Learned upsampling: the transpose of a convolution (decoders, segmentation).",
        params=(
            *_common(transposed=True),
            Param("output_padding", "int", 0, "Extra size added on one side.", 0, 1024),
        ),
        infer=_infer_conv_t,
        module=_conv_t_module,
        count=_conv_t_count,
        key_params=_KEYS,
    ),
]
