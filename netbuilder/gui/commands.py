"""One small QUndoCommand per editing verb (DESIGN rule 2).

Commands hold node ids and plain data (dicts, tuples, Edge values), never graphics items,
and change the model only through ``Diagram`` methods; the scene follows the model's
events. Undo puts nodes and wires back at their old places in the node and edge lists, so
undoing every step gives back exactly the starting JSON.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from netbuilder.core.diagram import Diagram, Edge, Node
from netbuilder.gui.i18n import counted

MERGE_PARAM_ID = 1001
MERGE_LABEL_ID = 1002


class AddNodeCommand(QUndoCommand):
    """Add one block; the id is chosen once, so redo brings back the very same node."""

    def __init__(
        self,
        diagram: Diagram,
        type_name: str,
        params: dict[str, Any] | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
        label: str = "",
    ) -> None:
        super().__init__(
            QCoreApplication.translate("Commands", "Add {type}").format(type=type_name)
        )
        self.diagram = diagram
        self.type_name = type_name
        self.params = copy.deepcopy(params or {})
        self.position = (float(position[0]), float(position[1]))
        self.label = label
        self.node_id = node_id or diagram.new_id(type_name)

    def redo(self) -> None:
        self.diagram.add_node(
            self.type_name, self.params, self.position, self.label, node_id=self.node_id
        )

    def undo(self) -> None:
        self.diagram.remove_node(self.node_id)


class RemoveNodesCommand(QUndoCommand):
    """Remove blocks together with their wires (the wires are part of this one step)."""

    def __init__(self, diagram: Diagram, node_ids: list[str]) -> None:
        super().__init__(counted().delete_blocks(len(node_ids)))
        self.diagram = diagram
        self.node_ids = [i for i in diagram.nodes if i in set(node_ids)]
        self._removed: list[tuple[int, Node]] = []
        self._edges: list[tuple[int, Edge]] = []

    def redo(self) -> None:
        chosen = set(self.node_ids)
        self._edges = [
            (i, e)
            for i, e in enumerate(self.diagram.edges)
            if e.source in chosen or e.target in chosen
        ]
        self._removed = []
        for nid in self.node_ids:
            index = list(self.diagram.nodes).index(nid)
            node, _ = self.diagram.remove_node(nid)
            self._removed.append((index, copy.deepcopy(node)))

    def undo(self) -> None:
        for index, node in reversed(self._removed):
            self.diagram.restore_node(node, index)
        for index, edge in self._edges:
            self.diagram.connect(
                edge.source, edge.source_port, edge.target, edge.target_port, index=index
            )


class ConnectCommand(QUndoCommand):
    def __init__(self, diagram: Diagram, edge: Edge) -> None:
        super().__init__(
            QCoreApplication.translate("Commands", "Connect {source} → {target}").format(
                source=edge.source, target=edge.target
            )
        )
        self.diagram = diagram
        self.edge = edge

    def redo(self) -> None:
        e = self.edge
        self.diagram.connect(e.source, e.source_port, e.target, e.target_port)

    def undo(self) -> None:
        self.diagram.disconnect(self.edge)


class DisconnectCommand(QUndoCommand):
    def __init__(self, diagram: Diagram, edge: Edge) -> None:
        super().__init__(
            QCoreApplication.translate("Commands", "Disconnect {source} → {target}").format(
                source=edge.source, target=edge.target
            )
        )
        self.diagram = diagram
        self.edge = edge
        self._index = 0

    def redo(self) -> None:
        self._index = self.diagram.edges.index(self.edge)
        self.diagram.disconnect(self.edge)

    def undo(self) -> None:
        e = self.edge
        self.diagram.connect(e.source, e.source_port, e.target, e.target_port, index=self._index)


class SetParamCommand(QUndoCommand):
    """Change one parameter; repeated edits of one field during one focus merge into one step.

    ``focus`` names the stretch of time one field kept the keyboard focus (the inspector
    counts them). Two edits merge only when both carry the same one: typing 1, 10, 100 and
    spinning the arrows is one step, while setting a value, clicking elsewhere, coming back
    and clearing it are two (merging them cancelled both and left nothing to undo). Edits
    with no focus (scripts, menus) never merge.
    """

    def __init__(
        self,
        diagram: Diagram,
        node_id: str,
        name: str,
        value: Any,
        focus: int | None = None,
    ) -> None:
        super().__init__(
            QCoreApplication.translate("Commands", "Set {node}.{param}").format(
                node=node_id, param=name
            )
        )
        self.diagram = diagram
        self.node_id = node_id
        self.name = name
        self.focus = focus
        self.old = copy.deepcopy(diagram.node(node_id).params.get(name))
        self.new = copy.deepcopy(value)

    def id(self) -> int:
        return MERGE_PARAM_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamCommand):
            return False
        if (other.node_id, other.name) != (self.node_id, self.name):
            return False
        if self.focus is None or other.focus != self.focus:
            return False
        self.new = copy.deepcopy(other.new)
        if self.new == self.old:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.diagram.set_param(self.node_id, self.name, self.new)

    def undo(self) -> None:
        self.diagram.set_param(self.node_id, self.name, self.old)


class SetLabelCommand(QUndoCommand):
    """Rename a block; merges like ``SetParamCommand`` (only within one focus of the field)."""

    def __init__(
        self, diagram: Diagram, node_id: str, label: str, focus: int | None = None
    ) -> None:
        super().__init__(
            QCoreApplication.translate("Commands", "Rename {node}").format(node=node_id)
        )
        self.diagram = diagram
        self.node_id = node_id
        self.focus = focus
        self.old = diagram.node(node_id).label
        self.new = label

    def id(self) -> int:
        return MERGE_LABEL_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetLabelCommand) or other.node_id != self.node_id:
            return False
        if self.focus is None or other.focus != self.focus:
            return False
        self.new = other.new
        if self.new == self.old:
            self.setObsolete(True)
        return True

    def redo(self) -> None:
        self.diagram.set_label(self.node_id, self.new)

    def undo(self) -> None:
        self.diagram.set_label(self.node_id, self.old)


Positions = dict[str, tuple[float, float]]


class MoveNodesCommand(QUndoCommand):
    """All blocks moved by one drag (or one auto-layout) as a single step."""

    def __init__(self, diagram: Diagram, old: Positions, new: Positions, text: str = "") -> None:
        super().__init__(text or QCoreApplication.translate("Commands", "Move"))
        self.diagram = diagram
        self.old = dict(old)
        self.new = dict(new)

    def _apply(self, positions: Positions) -> None:
        for nid, pos in positions.items():
            if nid in self.diagram.nodes:
                self.diagram.move(nid, pos)

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class PasteCommand(QUndoCommand):
    """Add a fragment (copied blocks and the wires among them) under fresh ids."""

    def __init__(
        self,
        diagram: Diagram,
        fragment: dict[str, Any],
        offset: tuple[float, float],
        text: str = "",
    ) -> None:
        super().__init__(text or QCoreApplication.translate("Commands", "Paste"))
        self.diagram = diagram
        self.nodes, self.edges = remap_fragment(diagram, fragment, offset)

    @property
    def new_ids(self) -> list[str]:
        return [n["id"] for n in self.nodes]

    def redo(self) -> None:
        for n in self.nodes:
            self.diagram.add_node(
                n["type"], n["params"], tuple(n["position"]), n.get("label", ""), node_id=n["id"]
            )
        for e in self.edges:
            self.diagram.connect(e.source, e.source_port, e.target, e.target_port)

    def undo(self) -> None:
        for e in reversed(self.edges):
            self.diagram.disconnect(e)
        for n in reversed(self.nodes):
            self.diagram.remove_node(n["id"])


def remap_fragment(
    diagram: Diagram, fragment: dict[str, Any], offset: tuple[float, float]
) -> tuple[list[dict[str, Any]], list[Edge]]:
    """Give the fragment's nodes ids unused in ``diagram`` and shift their positions."""
    taken = set(diagram.nodes)
    mapping: dict[str, str] = {}
    nodes: list[dict[str, Any]] = []
    for n in fragment.get("nodes", []):
        probe = Diagram()
        for t in taken:
            probe.nodes[t] = None  # type: ignore[assignment]  # only the keys matter
        new_id = n["id"] if n["id"] not in taken else probe.new_id(n["type"])
        taken.add(new_id)
        mapping[n["id"]] = new_id
        pos = n.get("position", (0.0, 0.0))
        nodes.append(
            {
                "id": new_id,
                "type": n["type"],
                "params": copy.deepcopy(n.get("params", {})),
                "position": (float(pos[0]) + offset[0], float(pos[1]) + offset[1]),
                "label": n.get("label", ""),
            }
        )
    edges = [
        Edge(mapping[e["source"]], e["source_port"], mapping[e["target"]], e["target_port"])
        for e in fragment.get("edges", [])
        if e["source"] in mapping and e["target"] in mapping
    ]
    return nodes, edges


class MacroCommand(QUndoCommand):
    """Several commands as one step: run in order on redo and in reverse on undo.

    The parts are kept in a Python list rather than as Qt child commands: PySide does not
    keep the Python side of child commands alive, and a collected child crashes the stack.
    """

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.parts: list[QUndoCommand] = []

    def add(self, cmd: QUndoCommand) -> QUndoCommand:
        self.parts.append(cmd)
        return cmd

    def redo(self) -> None:
        for cmd in self.parts:
            cmd.redo()

    def undo(self) -> None:
        for cmd in reversed(self.parts):
            cmd.undo()


def macro(text: str) -> MacroCommand:
    return MacroCommand(text)
