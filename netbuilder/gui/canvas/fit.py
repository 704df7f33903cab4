"""Which blocks and ports fit a tensor: used to highlight ports and filter the add-search.

Each question is answered by the blocks' own shape rules (``BlockSpec.infer``), the same ones
the checker uses, so "fits" here means the checker would accept the wire.
"""

from __future__ import annotations

from typing import Any

from netbuilder.core.blocks import BLOCKS, BlockSpec
from netbuilder.core.tensor import TensorSpec


def accepts(spec: BlockSpec, params: dict[str, Any], x: TensorSpec | None) -> bool:
    """Would ``spec`` with ``params`` accept ``x`` on its (first) input?"""
    if x is None:
        return True
    clean, problems = spec.validate_params(params)
    if problems:
        return True  # the block is broken anyway; do not hide it
    ports = spec.input_ports(clean)
    if not ports:
        return False
    try:
        spec.infer(clean, [x] * len(ports))
    except Exception:
        return False
    return True


def blocks_fitting_output(x: TensorSpec | None) -> list[str]:
    """Block types that can take ``x`` (the tensor of the output a wire was dragged from)."""
    return [
        t
        for t, spec in BLOCKS.items()
        if spec.input_ports(spec.defaults()) and accepts(spec, spec.defaults(), x)
    ]


def blocks_feeding_input() -> list[str]:
    """Block types that have an output (candidates to feed an input a wire was dragged from)."""
    return [t for t, spec in BLOCKS.items() if spec.output_ports(spec.defaults())]
