"""The Output block marks a tensor the compiled model returns."""

from __future__ import annotations

from netbuilder.core.blocks.spec import BlockSpec, Param

SPECS = [
    BlockSpec(
        type="Output",
        category="Output",
        doc="Marks a model output; the loss is computed on it during training.",
        params=(Param("name", "str", "", "Optional name of this output."),),
        outputs=(),
        infer=lambda p, ins: [],
        key_params=("name",),
        role="output",
    ),
]
