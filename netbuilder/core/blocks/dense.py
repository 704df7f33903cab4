"""Linear (fully connected) layers and blocks that only change a tensor's shape."""

from __future__ import annotations

from typing import Any

from netbuilder.core.blocks.spec import (
    BlockSpec,
    Param,
    need_rank,
    no_parameters,
    own_layer,
    single,
    spec_text,
    torch_layer,
)
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec


def _infer_linear(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    need_rank("Linear", x, tuple(range(1, 9)), N_("feature vectors"))
    f = x.shape[-1]
    if p["in_features"] is not None and p["in_features"] != f:
        hint = _("Set in_features to {actual}, or leave it empty to infer it.").format(actual=f)
        if x.rank > 1:
            hint = _(
                "Linear acts on the last dimension of {shape}. Add a Flatten before it for "
                "{numel} features, or set in_features to {actual}."
            ).format(shape=spec_text(x), numel=x.numel, actual=f)
        raise ShapeError(
            _(
                "Linear expects {expected} input features but receives {actual} (input {shape})"
            ).format(expected=p["in_features"], actual=f, shape=spec_text(x)),
            hint,
        )
    return [TensorSpec((*x.shape[:-1], p["out_features"]))]


def _dim_index(block: str, dim: int, full_rank: int) -> int:
    """Normalise a torch dim (batch = 0) and refuse the batch dimension itself."""
    if not -full_rank <= dim < full_rank:
        raise ShapeError(
            _("{block}: dimension {dim} does not exist in a {rank}-D tensor").format(
                block=block, dim=dim, rank=full_rank
            ),
            _("Use a dimension from 1 to {last}.").format(last=full_rank - 1),
        )
    dim %= full_rank
    if dim == 0:
        raise ShapeError(
            _("{block} cannot act on the batch dimension (0)").format(block=block),
            _("Use a dimension from 1 on."),
        )
    return dim


def _infer_flatten(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    full = (None, *x.shape)
    start = _dim_index("Flatten", p["start_dim"], len(full))
    end = _dim_index("Flatten", p["end_dim"], len(full))
    if end < start:
        raise ShapeError(_("Flatten: end_dim comes before start_dim"), _("Swap them."))
    n = 1
    for d in full[start : end + 1]:
        n *= d  # type: ignore[operator]
    return [TensorSpec((*x.shape[: start - 1], n, *x.shape[end:]), x.dtype, x.vocab)]


def _infer_reshape(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    shape = list(p["shape"])
    unknown = [i for i, d in enumerate(shape) if d == -1]
    if len(unknown) > 1 or any(d == 0 or d < -1 for d in shape):
        raise ShapeError(
            _("Reshape: use positive sizes and at most one -1"),
            _("-1 stands for 'whatever is left'."),
        )
    known = 1
    for d in shape:
        if d != -1:
            known *= d
    if unknown:
        if x.numel % known:
            raise ShapeError(
                _("Reshape cannot split {numel} values into pieces of {known}").format(
                    numel=x.numel, known=known
                ),
                _("The sizes must divide {numel}.").format(numel=x.numel),
            )
        shape[unknown[0]] = x.numel // known
    elif known != x.numel:
        raise ShapeError(
            _(
                "Reshape to {target} needs {known} values per sample but receives {numel} ({shape})"
            ).format(
                target="×".join(map(str, shape)), known=known, numel=x.numel, shape=spec_text(x)
            ),
            _("Sizes must multiply to the same total; -1 infers one of them."),
        )
    return [TensorSpec(tuple(shape), x.dtype, x.vocab)]


def _infer_permute(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    full = (0, *x.shape)
    dims = [d % len(full) if -len(full) <= d < len(full) else None for d in p["dims"]]
    if len(dims) != len(full) or sorted(d for d in dims if d is not None) != list(range(len(full))):
        raise ShapeError(
            _(
                "Permute needs an order of all {count} dimensions (0 to {last}) but gets {dims}"
            ).format(count=len(full), last=len(full) - 1, dims=p["dims"]),
            _("For {shape}, e.g. {example}.").format(
                shape=spec_text(x), example=[0, *range(len(full) - 1, 0, -1)]
            ),
        )
    if dims[0] != 0:
        raise ShapeError(_("Permute must keep the batch dimension first"), _("Start dims with 0."))
    return [TensorSpec(tuple(full[d] for d in dims[1:]), x.dtype, x.vocab)]


def _infer_transpose(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    n = x.rank + 1
    a = _dim_index("Transpose", p["dim0"], n)
    b = _dim_index("Transpose", p["dim1"], n)
    shape = list(x.shape)
    shape[a - 1], shape[b - 1] = shape[b - 1], shape[a - 1]
    return [TensorSpec(tuple(shape), x.dtype, x.vocab)]


SPECS = [
    BlockSpec(
        type="Linear",
        category="Dense & shape",
        doc="Fully connected layer: every output is a weighted sum of all inputs plus a bias.",
        params=(
            Param("out_features", "int", 10, "Number of outputs.", 1, 1 << 24),
            Param("bias", "bool", True, "Learn an additive bias."),
            Param(
                "in_features",
                "int",
                None,
                "Inputs; inferred from the wire when empty.",
                1,
                1 << 31,
                optional=True,
            ),
        ),
        infer=_infer_linear,
        module=lambda p, ins: (
            torch_layer("Linear"),
            dict(in_features=ins[0].shape[-1], out_features=p["out_features"], bias=p["bias"]),
        ),
        count=lambda p, ins: (ins[0].shape[-1] + p["bias"]) * p["out_features"],
        key_params=("out_features",),
        aliases=("Dense",),
    ),
    BlockSpec(
        type="Flatten",
        category="Dense & shape",
        doc="Joins dimensions into one, e.g. B×64×7×7 into B×3136 before a Linear.",
        params=(
            Param("start_dim", "int", 1, "First dimension joined (batch is 0).", -8, 8),
            Param("end_dim", "int", -1, "Last dimension joined.", -8, 8),
        ),
        infer=_infer_flatten,
        module=lambda p, ins: (
            torch_layer("Flatten"),
            dict(start_dim=p["start_dim"], end_dim=p["end_dim"]),
        ),
        count=no_parameters,
    ),
    BlockSpec(
        type="Reshape",
        category="Dense & shape",
        doc="Gives each sample a new shape with the same number of values (-1 infers one size).",
        params=(
            Param("shape", "ints", [-1], "New shape without the batch dimension.", -1, 1 << 31),
        ),
        infer=_infer_reshape,
        module=lambda p, ins: (
            own_layer("Reshape"),
            dict(shape=tuple(_infer_reshape(p, ins)[0].shape)),
        ),
        count=no_parameters,
        key_params=("shape",),
    ),
    BlockSpec(
        type="Permute",
        category="Dense & shape",
        doc="Reorders dimensions, e.g. B×T×F to B×F×T; the batch (0) stays first.",
        params=(Param("dims", "ints", [0, 2, 1], "New order of all dimensions.", -8, 8),),
        infer=_infer_permute,
        module=lambda p, ins: (own_layer("Permute"), dict(dims=tuple(p["dims"]))),
        count=no_parameters,
        key_params=("dims",),
    ),
    BlockSpec(
        type="Transpose",
        category="Dense & shape",
        doc="Swaps two dimensions, e.g. time and features.",
        params=(
            Param("dim0", "int", 1, "First dimension (batch is 0).", -8, 8),
            Param("dim1", "int", 2, "Second dimension.", -8, 8),
        ),
        infer=_infer_transpose,
        module=lambda p, ins: (own_layer("Transpose"), dict(dim0=p["dim0"], dim1=p["dim1"])),
        count=no_parameters,
        key_params=("dim0", "dim1"),
    ),
]
