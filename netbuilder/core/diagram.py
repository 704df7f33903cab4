"""The diagram: the single source of truth that every view observes (DESIGN rule 1).

Plain data only: string ids, float tuples for positions, JSON values for parameters.
Every mutation goes through a method here and emits a ``DiagramEvent``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from netbuilder.core import subblocks
from netbuilder.core.blocks import BlockSpec, UnknownBlockError, get_block
from netbuilder.core.events import DiagramEvent, Signal
from netbuilder.core.nodes import Edge, Node
from netbuilder.core.subblocks import SubBlockDef, SubBlockError
from netbuilder.core.text import quoted

__all__ = ["Diagram", "DiagramError", "Edge", "Node", "valid_node_id"]


class DiagramError(ValueError):
    """An edit the diagram refuses (unknown node id, duplicate id, missing port...)."""


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


def _spec_of(diagram: Diagram, node: Node) -> BlockSpec:
    """The block spec of a node; a node of an unknown type (put in by code) is refused."""
    try:
        return diagram.block(node.type)
    except UnknownBlockError as exc:
        raise DiagramError(f"node {quoted(node.id)}: {exc}") from None


def valid_node_id(node_id: str) -> bool:
    """Ids are short identifiers (letters, digits, _ and -) so files and code stay readable."""
    return bool(_ID_RE.match(node_id))


class Diagram:
    """Nodes and edges of one network, its training settings and free-form metadata.

    A top-level diagram also holds the sub-block ``definitions`` its nodes (and their
    bodies) may use; a definition's body is a Diagram whose ``owner`` is that top-level
    diagram, and which resolves block types through it (``block``).
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.training: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}
        self.definitions: dict[str, SubBlockDef] = {}
        self.owner: Diagram | None = None  # set on a definition body: the diagram holding it
        self.definition_name: str | None = None  # set on a definition body: whose body it is
        self.changed: Signal[DiagramEvent] = Signal()
        self.revision = 0
        self._specs: dict[str, BlockSpec] = {}
        self._relays: dict[str, Any] = {}

    # ----------------------------------------------------------------- queries
    @property
    def root(self) -> Diagram:
        """The top-level diagram (itself, unless this is a definition body)."""
        return self.owner.root if self.owner is not None else self

    def block(self, type_name: str) -> BlockSpec:
        """The spec of ``type_name``: a sub-block of this document first, the library second.

        Raises ``UnknownBlockError`` (a KeyError) for a type neither knows.
        """
        root = self.root
        if type_name not in root.definitions:
            return get_block(type_name)
        spec = root._specs.get(type_name)
        if spec is None:
            memo: dict[str, str] = {}
            d = root.definitions[type_name]
            fp = subblocks.fingerprint(root.definitions, type_name, memo)
            root._specs[type_name] = spec = subblocks.make_spec(root, d, fp)
        return spec

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
            spec = self.block(type_name)
        except UnknownBlockError as exc:
            raise DiagramError(str(exc)) from None
        self._refuse_self_use(spec.type)
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
        edge = self._valid_edge(source, source_port, target, target_port)
        if edge in self.edges:
            raise DiagramError("these ports are already wired")
        return self._insert_edge(edge, index)

    def _valid_edge(self, source: str, source_port: str, target: str, target_port: str) -> Edge:
        """The wire, if both ends exist and have these ports (a duplicate is not checked)."""
        src, dst = self.node(source), self.node(target)
        if source == target:
            raise DiagramError("a block cannot be wired to itself")
        outs = _spec_of(self, src).output_ports(src.params)
        ins = _spec_of(self, dst).input_ports(dst.params)
        if source_port not in outs:
            raise DiagramError(
                f"{src.type} {quoted(source)} has no output port {quoted(source_port)}"
            )
        if target_port not in ins:
            raise DiagramError(
                f"{dst.type} {quoted(target)} has no input port {quoted(target_port)}"
            )
        return Edge(source, source_port, target, target_port)

    def _insert_edge(self, edge: Edge, index: int | None) -> Edge:
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
        if name not in _spec_of(self, node).param_map:
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

    def replace_with(self, other: Diagram, reason: str | None = None) -> None:
        """Take over another diagram's content (used by Open and New) in one event.

        Definitions whose name both diagrams have keep their body objects (their content
        is replaced), so a view open on a body stays attached across an undo/redo.
        """
        self.nodes = copy.deepcopy(other.nodes)
        self.edges = list(other.edges)
        self.training = copy.deepcopy(other.training)
        self.meta = copy.deepcopy(other.meta)
        if self.owner is None:
            self._take_definitions([d.to_dict() for d in other.root.definitions.values()])
        self._emit(DiagramEvent("reset", name=reason))

    def restore(self, data: dict[str, Any]) -> None:
        """Undo/redo of a snapshot taken with ``to_dict()``: everything back, one ``reset``
        whose ``name`` is ``"restore"`` (so a view can tell an undo from Open or New)."""
        self.replace_with(Diagram.from_dict(data), reason="restore")

    # ----------------------------------------------------------------- definitions
    def add_definition(self, definition: SubBlockDef, index: int | None = None) -> None:
        """Add a sub-block type to the document (its body becomes owned by it)."""
        root = self.root
        if root is not self:
            root.add_definition(definition, index)
            return
        problem = subblocks.name_problem(definition.name, self.definitions)
        if problem:
            raise DiagramError(problem)
        items = list(self.definitions.items())
        pos = len(items) if index is None else max(0, min(index, len(items)))
        items.insert(pos, (definition.name, definition))
        try:
            subblocks.definition_order(dict(items))
        except SubBlockError as exc:
            raise DiagramError(str(exc)) from None
        self.definitions = dict(items)
        self._attach(definition)
        self._emit(DiagramEvent("definition_added", name=definition.name))

    def remove_definition(self, name: str) -> tuple[SubBlockDef, int]:
        """Remove an unused definition; returns it and its index so an undo can put it back."""
        root = self.root
        if root is not self:
            return root.remove_definition(name)
        definition = self.definition(name)
        users = self.uses(name)
        if users:
            raise DiagramError(
                f"the sub-block {quoted(name)} is still used by {len(users)} block(s); "
                "delete or expand them first"
            )
        index = list(self.definitions).index(name)
        self._detach(name)
        del self.definitions[name]
        self._emit(DiagramEvent("definition_removed", name=name))
        return definition, index

    def replace_definition(self, name: str, definition: SubBlockDef) -> None:
        """Give definition ``name`` new content (body, description, exposed parameters).

        The body object stays the same (views on it stay attached); uses lose parameters
        that are no longer exposed and get the default of newly exposed ones.
        """
        root = self.root
        if root is not self:
            root.replace_definition(name, definition)
            return
        current = self.definition(name)
        probe = dict(self.definitions)
        probe[name] = definition
        try:
            subblocks.definition_order(probe)
        except SubBlockError as exc:
            raise DiagramError(str(exc)) from None
        current.description = definition.description
        current.exposed = copy.deepcopy(definition.exposed)
        current.body.replace_with(definition.body)
        self._specs.clear()
        for diagram in self.all_diagrams():
            for node in diagram.nodes.values():
                if node.type != name:
                    continue
                params = {k: v for k, v in node.params.items() if k in current.exposed}
                for k, e in current.exposed.items():
                    params.setdefault(k, copy.deepcopy(e.default))
                if params != node.params:
                    node.params = params
                    diagram._emit(DiagramEvent("node_changed", node.id, name="params"))
        self._emit(DiagramEvent("definition_changed", name=name))

    def definition(self, name: str) -> SubBlockDef:
        try:
            return self.root.definitions[name]
        except KeyError:
            raise DiagramError(f"no sub-block named {quoted(name)}") from None

    def all_diagrams(self) -> list[Diagram]:
        """The top-level diagram and every definition body."""
        root = self.root
        return [root, *(d.body for d in root.definitions.values())]

    def uses(self, name: str) -> list[tuple[str | None, str]]:
        """Every node of type ``name``: (definition holding it or None for the top, node id)."""
        return [
            (diagram.definition_name, nid)
            for diagram in self.all_diagrams()
            for nid, node in diagram.nodes.items()
            if node.type == name
        ]

    def _refuse_self_use(self, type_name: str) -> None:
        """A body may not use its own definition, nor one that uses it (no cycles)."""
        own = self.definition_name
        if own is None or self.owner is None or type_name not in self.root.definitions:
            return
        if type_name == own or type_name in subblocks.uses_of(self.root.definitions, own):
            raise DiagramError(f"the sub-block {quoted(own)} cannot contain itself")

    def _attach(self, definition: SubBlockDef) -> None:
        body = definition.body
        body.owner, body.definition_name = self, definition.name
        name = definition.name

        def relay(event: DiagramEvent) -> None:
            self._specs.clear()
            self._emit(DiagramEvent("definition_changed", name=name, detail=event))

        self._relays[name] = relay
        body.changed.connect(relay)
        self._specs.clear()

    def _detach(self, name: str) -> None:
        body = self.definitions[name].body
        body.changed.disconnect(self._relays.pop(name))
        body.owner = body.definition_name = None
        self._specs.clear()

    def _take_definitions(self, data: list[dict[str, Any]]) -> None:
        """Set the definitions from plain data, keeping body objects of unchanged names."""
        old = self.definitions
        for name in list(self._relays):
            old[name].body.changed.disconnect(self._relays.pop(name))
        defs: dict[str, SubBlockDef] = {}
        for item in data:
            name = str(item.get("name"))
            problem = subblocks.name_problem(name, defs)
            if problem:
                raise DiagramError(problem)
            exposed = [subblocks.ExposedParam.from_dict(e) for e in item.get("exposed", [])]
            body = old[name].body if name in old else Diagram()
            body.owner, body.definition_name = self, name
            defs[name] = SubBlockDef(
                name, body, str(item.get("description", "")), {e.name: e for e in exposed}
            )
        raw = {str(item.get("name")): item for item in data}
        for name, gone in old.items():
            if name not in defs:
                gone.body.owner = gone.body.definition_name = None
        self.definitions = defs
        self._specs.clear()
        for name in subblocks.load_order(raw):
            body = defs[name].body
            if name in old:  # replaced in place, with a ``reset`` for views open on it
                fresh = Diagram()
                fresh.owner, fresh.definition_name = self, name
                fresh._fill(subblocks.body_dict(raw[name]))
                body.replace_with(fresh)
            else:
                body._fill(subblocks.body_dict(raw[name]))
            self._specs.clear()
        for d in defs.values():
            self._attach(d)

    # ----------------------------------------------------------------- plain data
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (without the file-format envelope; see ``core.io``).

        ``definitions`` (dependency order is not required) appears only when there are any.
        """
        out: dict[str, Any] = {
            "nodes": [n.to_dict() for n in self.nodes.values()],
            "edges": [e.to_dict() for e in self.edges],
            "training": copy.deepcopy(self.training),
            "meta": copy.deepcopy(self.meta),
        }
        if self.definitions:
            out["definitions"] = [d.to_dict() for d in self.definitions.values()]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagram:
        """Build from data shaped like ``to_dict``; raises DiagramError on bad content."""
        d = cls()
        try:
            d._take_definitions(list(data.get("definitions", [])))
        except SubBlockError as exc:
            raise DiagramError(str(exc)) from None
        d._fill(data)
        return d

    def _fill(self, data: dict[str, Any]) -> None:
        for n in data.get("nodes", []):
            pos = n.get("position", (0.0, 0.0))
            self.add_node(
                n["type"],
                n.get("params", {}),
                (pos[0], pos[1]),
                n.get("label", ""),
                node_id=n["id"],
            )
        seen: set[Edge] = set()  # a whole file's wires: one set, not a scan per wire
        for e in data.get("edges", []):
            edge = self._valid_edge(e["source"], e["source_port"], e["target"], e["target_port"])
            if edge in seen:
                raise DiagramError("these ports are already wired")
            seen.add(edge)
            self._insert_edge(edge, None)
        self.training = copy.deepcopy(data.get("training", {}))
        self.meta = copy.deepcopy(data.get("meta", {}))

    def fragment(self, node_ids: list[str]) -> dict[str, Any]:
        """The selected nodes and the wires among them, as plain data (copy/paste).

        ``definitions`` holds every sub-block the nodes use, directly or nested, so a paste
        into another document keeps them (see ``subblock_edits.merge_fragment``).
        """
        chosen = set(node_ids)
        out: dict[str, Any] = {
            "nodes": [self.nodes[i].to_dict() for i in self.nodes if i in chosen],
            "edges": [e.to_dict() for e in self.edges if e.source in chosen and e.target in chosen],
        }
        defs = self.root.definitions
        used = subblocks.closure(defs, {self.nodes[i].type for i in self.nodes if i in chosen})
        if used:
            out["definitions"] = [defs[n].to_dict() for n in defs if n in used]
        return out

    def copy(self) -> Diagram:
        """An independent copy; a body's copy still resolves types through the same owner."""
        if self.owner is None:
            return Diagram.from_dict(self.to_dict())
        twin = Diagram()
        twin.owner, twin.definition_name = self.owner, self.definition_name
        twin._fill(self.to_dict())
        return twin

    def _emit(self, event: DiagramEvent) -> None:
        self.revision += 1
        self.changed.emit(event)
