"""The diagram: the single source of truth that every view observes (DESIGN rule 1).

Plain data only: string ids, float tuples for positions, JSON values for parameters.
Every mutation goes through a method here and emits a ``DiagramEvent``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from netbuilder.core.blocks import BlockSpec, UnknownBlockError, get_block
from netbuilder.core.events import DiagramEvent, Signal
from netbuilder.core.text import quoted


class DiagramError(ValueError):
    """An edit the diagram refuses (unknown node id, duplicate id, missing port...)."""


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """A wire from an output port of one node to an input port of another."""

    source: str
    source_port: str
    target: str
    target_port: str

    def to_dict(self) -> dict[str, str]:
        return {
            "source": self.source,
            "source_port": self.source_port,
            "target": self.target,
            "target_port": self.target_port,
        }


@dataclass(slots=True)
class Node:
    """One block on the canvas. ``params`` hold JSON values exactly as the user set them."""

    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "params": copy.deepcopy(self.params),
            "position": [float(self.position[0]), float(self.position[1])],
        }
        if self.label:
            out["label"] = self.label
        return out


_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,63}$")
_ID_PREFIX = {
    "Conv2d": "conv",
    "Conv1d": "conv",
    "Linear": "fc",
    "ImageInput": "image",
    "SequenceInput": "sequence",
    "TokenInput": "tokens",
    "TabularInput": "features",
    "Output": "output",
    "BatchNorm2d": "bn",
    "BatchNorm1d": "bn",
    "TransformerEncoderLayer": "encoder",
    "TransformerEncoder": "encoder",
    "SelfAttention": "attention",
    "PositionalEncoding": "posenc",
    "Concatenate": "concat",
}


def _spec_of(node: Node) -> BlockSpec:
    """The block spec of a node; a node of an unknown type (put in by code) is refused."""
    try:
        return get_block(node.type)
    except UnknownBlockError as exc:
        raise DiagramError(f"node {quoted(node.id)}: {exc}") from None


def valid_node_id(node_id: str) -> bool:
    """Ids are short identifiers (letters, digits, _ and -) so files and code stay readable."""
    return bool(_ID_RE.match(node_id))


class Diagram:
    """Nodes and edges of one network, its training settings and free-form metadata."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.training: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}
        self.changed: Signal[DiagramEvent] = Signal()
        self.revision = 0

    # ----------------------------------------------------------------- queries
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise DiagramError(f"no node with id {quoted(node_id)}") from None

    def edges_into(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def edges_from(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def edges_of(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if node_id in (e.source, e.target)]

    def new_id(self, type_name: str) -> str:
        """A readable id such as ``conv3`` that is not yet taken."""
        prefix = _ID_PREFIX.get(type_name, re.sub(r"[^a-z0-9]", "", type_name.lower()) or "node")
        i = 1
        while f"{prefix}{i}" in self.nodes:
            i += 1
        return f"{prefix}{i}"

    def __len__(self) -> int:
        return len(self.nodes)

    # ----------------------------------------------------------------- edits
    def add_node(
        self,
        type_name: str,
        params: dict[str, Any] | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        label: str = "",
        node_id: str | None = None,
    ) -> str:
        """Add a block; missing parameters take the block's defaults. Returns the node id.

        An unknown ``type_name`` is refused: diagrams are built from the library only
        (files naming unknown blocks are refused by ``core.io`` with a clear message).
        """
        try:
            spec = get_block(type_name)
        except UnknownBlockError as exc:
            raise DiagramError(str(exc)) from None
        node_id = node_id or self.new_id(spec.type)
        if node_id in self.nodes:
            raise DiagramError(f"a node with id {quoted(node_id)} already exists")
        if not valid_node_id(node_id):
            raise DiagramError(
                f"node id {quoted(node_id)} must start with a letter and hold only "
                "letters, digits, '_' and '-' (at most 64)"
            )
        full = spec.defaults()
        full.update(copy.deepcopy(params or {}))
        node = Node(node_id, spec.type, full, (float(position[0]), float(position[1])), label)
        self.nodes[node_id] = node
        self._emit(DiagramEvent("node_added", node_id))
        return node_id

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its wires; returns both so an undo can put them back."""
        node = self.node(node_id)
        removed = self.edges_of(node_id)
        for edge in removed:
            self.disconnect(edge)
        del self.nodes[node_id]
        self._emit(DiagramEvent("node_removed", node_id))
        return node, removed

    def restore_node(self, node: Node, index: int | None = None) -> None:
        """Put back a node removed earlier (keeps its id and its place in node order)."""
        if node.id in self.nodes:
            raise DiagramError(f"a node with id {quoted(node.id)} already exists")
        items = list(self.nodes.items())
        pos = len(items) if index is None else max(0, min(index, len(items)))
        items.insert(pos, (node.id, copy.deepcopy(node)))
        self.nodes = dict(items)
        self._emit(DiagramEvent("node_added", node.id))

    def connect(
        self,
        source: str,
        source_port: str,
        target: str,
        target_port: str,
        index: int | None = None,
    ) -> Edge:
        """Add a wire. Port names are checked; shape problems are left to the checker.

        ``index`` puts the wire back at its old place in ``edges`` (undo restores exact JSON).
        """
        src, dst = self.node(source), self.node(target)
        if source == target:
            raise DiagramError("a block cannot be wired to itself")
        outs = _spec_of(src).output_ports(src.params)
        ins = _spec_of(dst).input_ports(dst.params)
        if source_port not in outs:
            raise DiagramError(
                f"{src.type} {quoted(source)} has no output port {quoted(source_port)}"
            )
        if target_port not in ins:
            raise DiagramError(
                f"{dst.type} {quoted(target)} has no input port {quoted(target_port)}"
            )
        edge = Edge(source, source_port, target, target_port)
        if edge in self.edges:
            raise DiagramError("these ports are already wired")
        if index is None:
            self.edges.append(edge)
        else:
            self.edges.insert(max(0, min(index, len(self.edges))), edge)
        self._emit(DiagramEvent("edge_added", edge=edge))
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self.edges:
            raise DiagramError("no such wire")
        self.edges.remove(edge)
        self._emit(DiagramEvent("edge_removed", edge=edge))

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        """Store a parameter value as given; invalid values show up as diagnostics."""
        node = self.node(node_id)
        if name not in _spec_of(node).param_map:
            raise DiagramError(f"{node.type} has no parameter {quoted(name)}")
        node.params[name] = copy.deepcopy(value)
        self._emit(DiagramEvent("node_changed", node_id, name=name))

    def set_label(self, node_id: str, label: str) -> None:
        self.node(node_id).label = label
        self._emit(DiagramEvent("node_changed", node_id, name="label"))

    def move(self, node_id: str, position: tuple[float, float]) -> None:
        self.node(node_id).position = (float(position[0]), float(position[1]))
        self._emit(DiagramEvent("node_moved", node_id))

    def set_training(self, training: dict[str, Any]) -> None:
        self.training = copy.deepcopy(training)
        self._emit(DiagramEvent("training_changed"))

    def clear(self) -> None:
        self.replace_with(Diagram())

    def replace_with(self, other: Diagram) -> None:
        """Take over another diagram's content (used by Open and New) in one event."""
        self.nodes = copy.deepcopy(other.nodes)
        self.edges = list(other.edges)
        self.training = copy.deepcopy(other.training)
        self.meta = copy.deepcopy(other.meta)
        self._emit(DiagramEvent("reset"))

    # ----------------------------------------------------------------- plain data
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (without the file-format envelope; see ``core.io``)."""
        return {
            "nodes": [n.to_dict() for n in self.nodes.values()],
            "edges": [e.to_dict() for e in self.edges],
            "training": copy.deepcopy(self.training),
            "meta": copy.deepcopy(self.meta),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagram:
        """Build from data shaped like ``to_dict``; raises DiagramError on bad content."""
        d = cls()
        for n in data.get("nodes", []):
            pos = n.get("position", (0.0, 0.0))
            d.add_node(
                n["type"],
                n.get("params", {}),
                (pos[0], pos[1]),
                n.get("label", ""),
                node_id=n["id"],
            )
        for e in data.get("edges", []):
            d.connect(e["source"], e["source_port"], e["target"], e["target_port"])
        d.training = copy.deepcopy(data.get("training", {}))
        d.meta = copy.deepcopy(data.get("meta", {}))
        return d

    def fragment(self, node_ids: list[str]) -> dict[str, Any]:
        """The selected nodes and the wires among them, as plain data (copy/paste)."""
        chosen = set(node_ids)
        return {
            "nodes": [self.nodes[i].to_dict() for i in self.nodes if i in chosen],
            "edges": [e.to_dict() for e in self.edges if e.source in chosen and e.target in chosen],
        }

    def copy(self) -> Diagram:
        return Diagram.from_dict(self.to_dict())

    def _emit(self, event: DiagramEvent) -> None:
        self.revision += 1
        self.changed.emit(event)
