"""Input blocks: where data enters the network (each becomes a forward() argument)."""

from __future__ import annotations

from netbuilder.core.blocks.spec import BlockSpec, Param
from netbuilder.core.tensor import TensorSpec

_MAX = 1_000_000


def _dim(name: str, default: int, doc: str, max_: int = _MAX) -> Param:
    return Param(name, "int", default, doc, min=1, max=max_)


SPECS = [
    BlockSpec(
        type="ImageInput",
        category="Input",
        doc="A batch of images, channels × height × width (e.g. 3×224×224 for RGB).",
        params=(
            _dim("channels", 3, "Colour channels: 1 for greyscale, 3 for RGB.", 64),
            _dim("height", 32, "Image height in pixels.", 8192),
            _dim("width", 32, "Image width in pixels.", 8192),
        ),
        inputs=(),
        infer=lambda p, ins: [TensorSpec((p["channels"], p["height"], p["width"]))],
        key_params=("channels", "height", "width"),
        role="input",
    ),
    BlockSpec(
        type="SequenceInput",
        category="Input",
        doc="A batch of sequences: time steps × features per step.",
        params=(
            _dim("length", 32, "Number of time steps."),
            _dim("features", 8, "Values per time step."),
        ),
        inputs=(),
        infer=lambda p, ins: [TensorSpec((p["length"], p["features"]))],
        key_params=("length", "features"),
        role="input",
    ),
    BlockSpec(
        type="TokenInput",
        category="Input",
        doc="A batch of token-id sequences (whole numbers below the vocabulary size).",
        params=(
            _dim("length", 32, "Tokens per sequence."),
            _dim("vocab_size", 1000, "Number of distinct tokens.", 10_000_000),
        ),
        inputs=(),
        infer=lambda p, ins: [TensorSpec((p["length"],), "long", p["vocab_size"])],
        key_params=("length", "vocab_size"),
        role="input",
    ),
    BlockSpec(
        type="TabularInput",
        category="Input",
        doc="A batch of rows with a fixed number of numeric feature columns.",
        params=(_dim("features", 16, "Number of feature columns."),),
        inputs=(),
        infer=lambda p, ins: [TensorSpec((p["features"],))],
        key_params=("features",),
        role="input",
    ),
]
