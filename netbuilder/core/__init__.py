"""The Qt-free heart of NetBuilder: diagram model, block library, shapes, compiler, code, files.

Nothing in this package may import Qt; ``tests/core/test_layering.py`` enforces it.
"""

from netbuilder.core.blocks import BLOCKS, BlockSpec, get_block
from netbuilder.core.diagnostics import Diagnostic, Severity
from netbuilder.core.diagram import Diagram, DiagramError, Edge, Node
from netbuilder.core.subblocks import ExposedParam, SubBlockDef
from netbuilder.core.tensor import TensorSpec, format_shape

__all__ = [
    "BLOCKS",
    "BlockSpec",
    "Diagnostic",
    "Diagram",
    "DiagramError",
    "Edge",
    "ExposedParam",
    "Node",
    "Severity",
    "SubBlockDef",
    "TensorSpec",
    "format_shape",
    "get_block",
]
