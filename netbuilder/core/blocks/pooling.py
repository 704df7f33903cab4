"""Pooling blocks: shrink feature maps by taking the max or mean over windows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netbuilder.core.blocks.conv import conv_out
from netbuilder.core.blocks.spec import (
    BlockSpec,
    Param,
    need_rank,
    no_parameters,
    own_layer,
    single,
    torch_layer,
)
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec

if TYPE_CHECKING:
    from torch import nn

_POOL_PARAMS = (
    Param("kernel_size", "int", 2, "Window size.", 1, 1024),
    Param(
        "stride",
        "int",
        None,
        "Step between windows; empty means the window size.",
        1,
        1024,
        optional=True,
    ),
    Param("padding", "int", 0, "Padding on each side (at most half the window).", 0, 512),
)


def _pool(block: str, rank: int) -> BlockSpec:
    what = N_("an image") if rank == 3 else N_("a channels × length sequence")
    shrunk = "image" if rank == 3 else "sequence"

    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = single(ins)
        need_rank(block, x, (rank,), what)
        k, pad = p["kernel_size"], p["padding"]
        s = p["stride"] or k
        if pad > k // 2:
            raise ShapeError(
                _("{block}: padding {padding} is more than half the window {window}").format(
                    block=block, padding=pad, window=k
                ),
                _("Use padding at most {limit}.").format(limit=k // 2),
            )
        out = tuple(conv_out(n, k, s, pad, 1) for n in x.shape[1:])
        if min(out) < 1:
            raise ShapeError(
                _("{block}: the input {size} is smaller than the {window}-wide window").format(
                    block=block, size="×".join(map(str, x.shape[1:])), window=k
                ),
                _("Use a smaller window or remove an earlier pooling block."),
            )
        return [TensorSpec((x.shape[0], *out))]

    def module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
        return torch_layer(block), dict(
            kernel_size=p["kernel_size"],
            stride=p["stride"] or p["kernel_size"],
            padding=p["padding"],
        )

    kind = "maximum" if "Max" in block else "average"
    return BlockSpec(
        type=block,
        category="Pooling",
        doc=f"Takes the {kind} of each window, shrinking the {shrunk}.",
        params=_POOL_PARAMS,
        infer=infer,
        module=module,
        count=no_parameters,
        key_params=("kernel_size", "stride"),
    )


def _infer_adaptive(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    need_rank("AdaptiveAvgPool2d", x, (3,), N_("an image"))
    return [TensorSpec((x.shape[0], p["output_size"], p["output_size"]))]


def _infer_global(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    need_rank("GlobalAvgPool", x, (2, 3), N_("feature maps"))
    return [TensorSpec((x.shape[0],))]


SPECS = [
    _pool("MaxPool2d", 3),
    _pool("AvgPool2d", 3),
    _pool("MaxPool1d", 2),
    _pool("AvgPool1d", 2),
    BlockSpec(
        type="AdaptiveAvgPool2d",
        category="Pooling",
        doc="Averages each channel down to a fixed output size, whatever the input size.",
        params=(Param("output_size", "int", 1, "Output height and width.", 1, 1024),),
        infer=_infer_adaptive,
        module=lambda p, ins: (
            torch_layer("AdaptiveAvgPool2d"),
            dict(output_size=p["output_size"]),
        ),
        count=no_parameters,
        key_params=("output_size",),
    ),
    BlockSpec(
        type="GlobalAvgPool",
        category="Pooling",
        doc="Averages each channel over all positions: B×C×H×W becomes B×C.",
        infer=_infer_global,
        module=lambda p, ins: (own_layer("GlobalAvgPool"), {}),
        count=no_parameters,
    ),
]
