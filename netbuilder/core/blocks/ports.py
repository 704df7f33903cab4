"""The boundary of a sub-block definition: where its inputs enter and its outputs leave.

``SubInput`` and ``SubOutput`` exist only inside a definition body (``core.subblocks``); their
``name`` parameter names the instance block's port, and their order in the body is the order
of the instance's ports. The checker gives a SubInput the shape the instance receives, and
reports any use at the top level of a diagram.
"""

from __future__ import annotations

from typing import Any

from netbuilder.core.blocks.spec import BlockSpec, Param
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.tensor import TensorSpec

CATEGORY = "Sub-block ports"
SUB_INPUT = "SubInput"
SUB_OUTPUT = "SubOutput"


def _boundary_only(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    """A SubInput's shape is the instance's input; alone it has none (the checker knows)."""
    raise ShapeError(
        "A SubInput takes its shape from the input of the block that uses the sub-block.",
        "Use the sub-block in a diagram to see its shapes.",
    )


SPECS = [
    BlockSpec(
        type=SUB_INPUT,
        category=CATEGORY,
        doc="An input port of the sub-block being edited: the wire entering the block.",
        params=(Param("name", "str", "in", "The name of the sub-block's input port."),),
        inputs=(),
        outputs=("out",),
        infer=_boundary_only,
        role="sub_input",
    ),
    BlockSpec(
        type=SUB_OUTPUT,
        category=CATEGORY,
        doc="An output port of the sub-block being edited: the wire leaving the block.",
        params=(Param("name", "str", "out", "The name of the sub-block's output port."),),
        outputs=(),
        infer=lambda p, ins: [],
        role="sub_output",
    ),
]
