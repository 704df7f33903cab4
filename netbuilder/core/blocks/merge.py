"""Blocks that combine several wires: residual add, concatenation, element-wise product."""

from __future__ import annotations

from typing import Any

from netbuilder.core.blocks.spec import BlockSpec, Merge, Param, ParamError, spec_text
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec

_INPUTS = Param("num_inputs", "int", 2, "How many wires are combined.", 2, 16)


def merge_ports(p: dict[str, Any]) -> tuple[str, ...]:
    """Input ports ``in1 … inN``; their order is the order of the merge.

    Called with raw, unvalidated parameters too (wiring a file's edges), so an unusable
    ``num_inputs`` falls back to the default here and is reported by the checker instead
    of raising a TypeError or allocating a billion port names.
    """
    try:
        n = _INPUTS.validate(p.get("num_inputs", _INPUTS.default))
    except ParamError:
        n = _INPUTS.default
    return tuple(f"in{i + 1}" for i in range(int(n)))


def _same(block: str, verb: str):
    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        first = ins[0]
        for i, x in enumerate(ins[1:], start=2):
            if x.shape != first.shape:
                raise ShapeError(
                    _("{block} needs equal shapes but in1 is {first} and {port} is {shape}").format(
                        block=block, first=spec_text(first), port=f"in{i}", shape=spec_text(x)
                    ),
                    _(
                        "Make both branches end in the same shape before you {verb} them "
                        "(e.g. a 1×1 Conv2d or Linear on the shortcut)."
                    ).format(verb=_(verb)),
                    port=f"in{i}",
                )
        if any(x.dtype == "long" for x in ins):
            raise ShapeError(
                _("{block} needs real numbers, not token ids").format(block=block),
                _("Embed the tokens first."),
            )
        return [first]

    return infer


def _infer_concat(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    first = ins[0]
    n = first.rank + 1
    dim = p["dim"]
    if not -n <= dim < n or dim % n == 0:
        raise ShapeError(
            _("Concatenate along dim {dim} is not possible for {shape}").format(
                dim=dim, shape=spec_text(first)
            ),
            _("Use a dimension from 1 to {last} (1 is channels/features).").format(last=n - 1),
        )
    axis = dim % n - 1
    total = 0
    for i, x in enumerate(ins, start=1):
        same_rank = x.rank == first.rank
        others = same_rank and all(
            a == b for j, (a, b) in enumerate(zip(x.shape, first.shape, strict=True)) if j != axis
        )
        if not others:
            raise ShapeError(
                _(
                    "Concatenate along dim {dim} needs every other size equal, but in1 is "
                    "{first} and {port} is {shape}"
                ).format(dim=dim, first=spec_text(first), port=f"in{i}", shape=spec_text(x)),
                _("Resize one branch so only the joined dimension differs."),
                port=f"in{i}",
            )
        total += x.shape[axis]
    kinds = {x.dtype for x in ins}
    if len(kinds) > 1:
        raise ShapeError(
            _("Concatenate cannot join token ids with real numbers"),
            _("Embed the tokens first, or join only token inputs."),
        )
    shape = list(first.shape)
    shape[axis] = total
    if first.dtype == "long":  # joined token ids stay ids, with the larger vocabulary
        vocab = max((x.vocab or 0) for x in ins) or None
        return [TensorSpec(tuple(shape), "long", vocab)]
    return [TensorSpec(tuple(shape))]


SPECS = [
    BlockSpec(
        type="Add",
        category="Merge",
        doc="Adds its inputs element by element: the residual (skip) connection of ResNet.",
        params=(_INPUTS,),
        inputs=merge_ports,
        infer=_same("Add", N_("add")),
        merge=Merge("add"),
    ),
    BlockSpec(
        type="Concatenate",
        category="Merge",
        doc="Joins its inputs side by side along one dimension (1 = channels/features).",
        params=(_INPUTS, Param("dim", "int", 1, "Dimension to join along (batch is 0).", -8, 8)),
        inputs=merge_ports,
        infer=_infer_concat,
        merge=Merge("cat"),
        key_params=("dim",),
        aliases=("Concat",),
    ),
    BlockSpec(
        type="Multiply",
        category="Merge",
        doc="Multiplies its inputs element by element (gating).",
        params=(_INPUTS,),
        inputs=merge_ports,
        infer=_same("Multiply", N_("multiply")),
        merge=Merge("mul"),
    ),
]
