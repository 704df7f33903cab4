"""The "Python op" block: an imported operation that has no block of its own.

When a PyTorch module is imported with ``--allow-opaque``, each operation NetBuilder cannot
express (``F.pad``, a custom layer...) is kept as a PythonOp that runs the original code.
That code lives in the importing process only (``OPAQUE_OPS``; a diagram file cannot hold
it), so the block is clearly marked: its shape is checked by running the original on the
meta device whenever it is available, it compiles and trains in that session, but the
code generator refuses it (the exported file would need the original module), and in a
later session it reports that the module must be imported again.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from netbuilder.core.blocks.opaque_registry import _META, OPAQUE_OPS
from netbuilder.core.blocks.spec import BlockSpec, Param
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import _
from netbuilder.core.tensor import TensorSpec

if TYPE_CHECKING:  # torch is imported only when a Python op is used (fast `check`)
    from torch import nn

CATEGORY = "Imported"  # not a palette category: these blocks only come from imports


def _ports(p: dict[str, Any]) -> tuple[str, ...]:
    n = p.get("num_inputs", 1)
    n = n if isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 8 else 1
    return ("in",) if n == 1 else tuple(f"in{i + 1}" for i in range(n))


def _missing(p: dict[str, Any]) -> ShapeError:
    return ShapeError(
        _(
            "This Python op ({op}) needs the original module it was imported from, which this "
            "session does not have"
        ).format(op=p["op"] or _("imported code")),
        _(
            "Import the module again (File > Import…), or replace this block with NetBuilder "
            "blocks."
        ),
    )


def _infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    import torch

    op = OPAQUE_OPS.get(p["key"])
    if op is None:
        raise _missing(p)
    meta = _META.get(p["key"])
    if meta is None:
        meta = _META[p["key"]] = copy.deepcopy(op).to("meta")
    xs = [torch.empty((2, *s.shape), dtype=s.torch_dtype(), device="meta") for s in ins]
    try:
        with torch.no_grad():
            out = meta(*xs)
    except Exception as exc:  # the user's code decides what it raises
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ShapeError(
            _("The Python op ({op}) fails on these inputs: {error}").format(
                op=p["op"], error=first
            ),
            _("Its inputs must have the shapes it was imported with."),
        ) from None
    if not isinstance(out, torch.Tensor) or out.dim() < 1 or out.shape[0] != 2:
        raise ShapeError(
            _("The Python op ({op}) does not return one tensor with the batch first").format(
                op=p["op"]
            ),
            _("Only operations that keep the batch dimension can be kept as Python ops."),
        )
    dtype = "long" if out.dtype in (torch.int64, torch.int32) else "float"
    return [TensorSpec(tuple(int(d) for d in out.shape[1:]), dtype)]


def _python_op_class() -> type[nn.Module]:
    from netbuilder.core.blocks.opaque_module import PythonOp

    return PythonOp


SPECS = [
    BlockSpec(
        type="PythonOp",
        category=CATEGORY,
        doc="An imported operation without a NetBuilder block: it runs the original Python "
        "code, so it needs the module it came from (exported code cannot include it).",
        params=(
            Param("op", "str", "", "What it runs and where it came from."),
            Param("key", "str", "", "Which imported operation this is (valid in its session)."),
            Param("num_inputs", "int", 1, "How many tensors it takes.", 1, 8),
        ),
        inputs=_ports,
        infer=_infer,
        module=lambda p, ins: (_python_op_class(), {"key": p["key"], "description": p["op"]}),
        key_params=("op",),
    ),
]
