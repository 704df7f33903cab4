"""Normalisation and regularisation blocks."""

from __future__ import annotations

from typing import Any

from netbuilder.core.blocks.spec import (
    BlockSpec,
    Param,
    need_rank,
    no_parameters,
    single,
    torch_layer,
)
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec

_EPS = Param("eps", "float", 1e-5, "Added to the variance for numerical safety.", 1e-12, 1.0)


def _features(block: str, name: str, p: dict[str, Any], actual: int) -> None:
    if p[name] is not None and p[name] != actual:
        raise ShapeError(
            _("{block} expects {expected} features but receives {actual}").format(
                block=block, expected=p[name], actual=actual
            ),
            _("Set {name} to {actual}, or leave it empty to infer it.").format(
                name=name, actual=actual
            ),
        )


def _batchnorm(block: str, ranks: tuple[int, ...], what: str) -> BlockSpec:
    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = single(ins)
        need_rank(block, x, ranks, what)
        _features(block, "num_features", p, x.shape[0])
        return [x]

    return BlockSpec(
        type=block,
        category="Normalisation",
        doc=f"Normalises each channel of {what} over the batch, then scales and shifts it.",
        params=(
            Param(
                "momentum", "float", 0.1, "Weight of the newest batch in running stats.", 0.0, 1.0
            ),
            _EPS,
            Param(
                "num_features",
                "int",
                None,
                "Channels; inferred when empty.",
                1,
                1 << 20,
                optional=True,
            ),
        ),
        infer=infer,
        module=lambda p, ins: (
            torch_layer(block),
            dict(num_features=ins[0].shape[0], eps=p["eps"], momentum=p["momentum"]),
        ),
        count=lambda p, ins: 2 * ins[0].shape[0],  # a scale and a shift per channel
    )


def _infer_layernorm(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    need_rank("LayerNorm", x, (1, 2, 3, 4), N_("real-valued features"))
    _features("LayerNorm", "normalized_shape", p, x.shape[-1])
    return [x]


def _infer_dropout(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    need_rank("Dropout", x, tuple(range(1, 9)), N_("real-valued features"))
    return [x]


SPECS = [
    _batchnorm("BatchNorm2d", (3,), N_("an image")),
    _batchnorm("BatchNorm1d", (1, 2), N_("features or a channels × length signal")),
    BlockSpec(
        type="LayerNorm",
        category="Normalisation",
        doc="Normalises each vector over its last dimension (used in Transformers).",
        params=(
            _EPS,
            Param("elementwise_affine", "bool", True, "Learn a scale and shift."),
            Param(
                "normalized_shape",
                "int",
                None,
                "Size of the last dimension; inferred when empty.",
                1,
                1 << 20,
                optional=True,
            ),
        ),
        infer=_infer_layernorm,
        module=lambda p, ins: (
            torch_layer("LayerNorm"),
            dict(
                normalized_shape=ins[0].shape[-1],
                eps=p["eps"],
                elementwise_affine=p["elementwise_affine"],
            ),
        ),
        count=lambda p, ins: 2 * ins[0].shape[-1] if p["elementwise_affine"] else 0,
    ),
    BlockSpec(
        type="Dropout",
        category="Normalisation",
        doc="Randomly zeroes values while training so the network cannot rely on any one.",
        params=(Param("p", "float", 0.5, "Probability of zeroing each value.", 0.0, 0.99),),
        infer=_infer_dropout,
        module=lambda p, ins: (torch_layer("Dropout"), dict(p=p["p"])),
        count=no_parameters,
        key_params=("p",),
    ),
]
