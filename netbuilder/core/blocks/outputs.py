"""The Output block marks a tensor the compiled model returns."""

from __future__ import annotations

from netbuilder.core.blocks.spec import BlockSpec

SPECS = [
    BlockSpec(
        type="Output",
        category="Output",
        doc="Marks a model output; the loss is computed on it during training.",
        # no parameters: its name is the block's name (format version 1 also had a
        # ``name`` parameter, shown as a second "name" field; core.io migrates it)
        params=(),
        outputs=(),
        infer=lambda p, ins: [],
        role="output",
    ),
]
