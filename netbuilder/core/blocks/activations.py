"""Element-wise activations: they keep the shape and bend the numbers."""

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


def _same_shape(block: str):
    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = single(ins)
        need_rank(block, x, tuple(range(0, 9)), N_("real numbers"))
        return [x]

    return infer


def _activation(block: str, doc: str, params: tuple[Param, ...] = ()) -> BlockSpec:
    """An activation named like its ``torch.nn`` class, with no learnable parameters."""
    return BlockSpec(
        type=block,
        category="Activation",
        doc=doc,
        params=params,
        infer=_same_shape(block),
        module=lambda p, ins: (torch_layer(block), dict(p)),
        count=no_parameters,
        key_params=tuple(x.name for x in params),
    )


def _infer_softmax(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    (x,) = _same_shape("Softmax")(p, ins)
    dim = p["dim"]
    full_rank = x.rank + 1
    if not -full_rank <= dim < full_rank or dim % full_rank == 0:
        raise ShapeError(
            _("Softmax over dim {dim} is not possible for input {shape}").format(
                dim=dim, shape="×".join(["B", *map(str, x.shape)])
            ),
            _("Use dim -1 (the last dimension) or a dimension after the batch."),
        )
    return [x]


SPECS = [
    _activation("ReLU", "max(0, x): the default activation of deep networks."),
    _activation(
        "LeakyReLU",
        "Like ReLU but lets a small slope through below 0.",
        (Param("negative_slope", "float", 0.01, "Slope for negative inputs.", 0.0, 1.0),),
    ),
    _activation(
        "GELU",
        "Smooth ReLU used in Transformers (BERT, GPT).",
        (
            Param(
                "approximate",
                "choice",
                "none",
                "Exact or tanh approximation.",
                choices=("none", "tanh"),
            ),
        ),
    ),
    _activation("SiLU", "x · sigmoid(x), also called Swish."),
    _activation("Sigmoid", "Squashes values into (0, 1)."),
    _activation("Tanh", "Squashes values into (-1, 1)."),
    BlockSpec(
        type="Softmax",
        category="Activation",
        doc="Turns scores into probabilities that sum to 1 along one dimension. "
        "Not needed before a cross-entropy loss, which applies it itself.",
        params=(Param("dim", "int", -1, "Dimension that sums to 1 (batch is 0).", -8, 8),),
        infer=_infer_softmax,
        module=lambda p, ins: (torch_layer("Softmax"), dict(dim=p["dim"])),
        count=no_parameters,
        key_params=("dim",),
    ),
]
