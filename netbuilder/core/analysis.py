"""What the checker learns about a diagram: per-node results, problems, inner analyses.

Kept apart from the checker (``core.shapes``) so the sub-block checking helpers can build
results without importing the checker that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netbuilder.core.diagnostics import Diagnostic, Severity
from netbuilder.core.diagram import Edge
from netbuilder.core.tensor import TensorSpec


@dataclass(slots=True)
class NodeResult:
    """What the checker learnt about one node."""

    params: dict[str, Any]
    inputs: dict[str, TensorSpec | None]
    outputs: dict[str, TensorSpec]
    param_count: int = 0
    ok: bool = True


@dataclass
class Analysis:
    """The outcome of checking a whole diagram."""

    nodes: dict[str, NodeResult] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    # sub-block instance id → the analysis of its body on this instance's inputs (shapes
    # and problems inside it, for a view that opens the instance; nested ones inside it)
    inner: dict[str, Analysis] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_params(self) -> int:
        return sum(r.param_count for r in self.nodes.values())

    def for_node(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.node_id == node_id]

    def edge_spec(self, edge: Edge) -> TensorSpec | None:
        result = self.nodes.get(edge.source)
        return result.outputs.get(edge.source_port) if result else None

    roles: dict[str, str] = field(default_factory=dict)

    def input_nodes(self) -> list[str]:
        """Input blocks in diagram order: the compiled module's forward() arguments."""
        return [n for n, r in self.roles.items() if r == "input" and n in self.nodes]

    def output_nodes(self) -> list[str]:
        """Output blocks in diagram order: what the compiled module returns."""
        return [n for n, r in self.roles.items() if r == "output" and n in self.nodes]

    def port_nodes(self, role: str) -> list[str]:
        """A body's ``sub_input`` or ``sub_output`` nodes in body order (the port order)."""
        return [n for n, r in self.roles.items() if r == role]


def _freeze(value: Any) -> Any:
    """A hashable copy of a JSON value that keeps types apart (``True``, ``1`` and ``1.0``
    are equal in Python, but not as parameter values: only one of them may be valid)."""
    if isinstance(value, list | tuple):
        return ("list", *(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", *sorted((k, _freeze(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:  # a set or an object set through the Python API: compare by text
        return (type(value).__name__, repr(value))
    return (type(value).__name__, value)
