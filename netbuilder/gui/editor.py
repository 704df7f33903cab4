"""The editing verbs, each one undoable step on the session's stack.

The canvas, palette, inspector and menus all edit through this one object, so every way to
change the network goes through the undo stack (DESIGN rule 2) and gets re-checked.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from netbuilder.core.blocks.spec import ParamError
from netbuilder.core.diagram import Diagram, DiagramError, Edge
from netbuilder.core.geometry import CARD_WIDTH, HEADER
from netbuilder.core.layout import layout
from netbuilder.core.subblock_edits import merge_fragment
from netbuilder.gui import clipboard
from netbuilder.gui.commands import (
    AddNodeCommand,
    ConnectCommand,
    DisconnectCommand,
    MoveNodesCommand,
    PasteCommand,
    RemoveNodesCommand,
    SetLabelCommand,
    SetParamCommand,
    macro,
)
from netbuilder.gui.session import Session
from netbuilder.gui.subblocks.commands import ScopedCommand, with_definitions
from netbuilder.gui.subblocks.model import usable_in

PASTE_OFFSET = (30.0, 30.0)


def offset_to(fragment: dict[str, Any], at: tuple[float, float]) -> tuple[float, float]:
    """The shift that puts the fragment's top-left block position at ``at``."""
    positions = [n.get("position") or (0.0, 0.0) for n in fragment.get("nodes", [])]
    left = min((float(p[0]) for p in positions), default=0.0)
    top = min((float(p[1]) for p in positions), default=0.0)
    return (at[0] - left, at[1] - top)


class Editor(QObject):
    """Turns user intentions into commands. ``message`` carries refusals for the status bar."""

    message = Signal(str)
    nodes_created = Signal(list)  # ids of blocks just added/pasted, so the canvas selects them

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session

    @property
    def diagram(self) -> Diagram:
        """The diagram being edited: the network, or the sub-block definition opened on it."""
        return self.session.scope.diagram

    def _push(self, cmd: Any) -> None:
        """Push ``cmd`` as an edit of the open level (undo reopens that level)."""
        scope = self.session.scope
        self.session.undo_stack.push(ScopedCommand(scope, scope.path, cmd))

    # ------------------------------------------------------------------ blocks
    def add_block(
        self,
        type_name: str,
        position: tuple[float, float],
        params: dict[str, Any] | None = None,
    ) -> str:
        cmd = AddNodeCommand(self.diagram, self.diagram.block(type_name).type, params, position)
        self._push(cmd)
        self.nodes_created.emit([cmd.node_id])
        return cmd.node_id

    def add_block_wired(
        self, type_name: str, position: tuple[float, float], node_id: str, port: str, output: bool
    ) -> str | None:
        """Add a block and wire it to the port a wire was dragged from (one step).

        ``output`` tells whether ``port`` is an output (the new block goes after it) or an
        input (the new block feeds it).
        """
        spec = self.diagram.block(type_name)
        parent = macro(self.tr("Add {type}").format(type=spec.type))
        add = parent.add(AddNodeCommand(self.diagram, spec.type, None, position))
        params = spec.defaults()
        if output:
            ins = spec.input_ports(params)
            if not ins:
                self.message.emit(
                    self.tr("{type} has no input to wire into").format(type=spec.type)
                )
                return None
            edge = Edge(node_id, port, add.node_id, ins[0])
        else:
            outs = spec.output_ports(params)
            if not outs:
                self.message.emit(
                    self.tr("{type} has no output to wire from").format(type=spec.type)
                )
                return None
            edge = Edge(add.node_id, outs[0], node_id, port)
            # an input takes one wire: the new block replaces the old feed
            for old in self.diagram.edges_into(node_id):
                if old.target_port == port:
                    parent.add(DisconnectCommand(self.diagram, old))
        parent.add(ConnectCommand(self.diagram, edge))
        self._push(parent)
        self.nodes_created.emit([add.node_id])
        return add.node_id

    def insert_on_edge(self, type_name: str, position: tuple[float, float], edge: Edge) -> str:
        """Drop a block onto a wire: the wire now runs through the new block."""
        spec = self.diagram.block(type_name)
        params = spec.defaults()
        ins, outs = spec.input_ports(params), spec.output_ports(params)
        if not ins or not outs:
            return self.add_block(type_name, position)
        parent = macro(self.tr("Insert {type}").format(type=spec.type))
        add = parent.add(AddNodeCommand(self.diagram, spec.type, None, position))
        parent.add(DisconnectCommand(self.diagram, edge))
        first = Edge(edge.source, edge.source_port, add.node_id, ins[0])
        parent.add(ConnectCommand(self.diagram, first))
        second = Edge(add.node_id, outs[0], edge.target, edge.target_port)
        parent.add(ConnectCommand(self.diagram, second))
        self._push(parent)
        self.nodes_created.emit([add.node_id])
        return add.node_id

    def move_onto_edge(
        self, node_id: str, old: tuple[float, float], new: tuple[float, float], edge: Edge
    ) -> bool:
        """A block without wires dragged onto a wire: moved and inserted into it, one step.

        Returns False (nothing done) when the block already has wires (where would they go?),
        has no input or no output, or the wire is one of its own.
        """
        node = self.diagram.nodes.get(node_id)
        if node is None or edge not in self.diagram.edges or node_id in (edge.source, edge.target):
            return False
        spec = self.diagram.block(node.type)
        ins, outs = spec.input_ports(node.params), spec.output_ports(node.params)
        if not ins or not outs or self.diagram.edges_of(node_id):
            return False
        parent = macro(self.tr("Insert {type}").format(type=node_id))
        parent.add(MoveNodesCommand(self.diagram, {node_id: old}, {node_id: new}))
        parent.add(DisconnectCommand(self.diagram, edge))
        parent.add(
            ConnectCommand(self.diagram, Edge(edge.source, edge.source_port, node_id, ins[0]))
        )
        parent.add(
            ConnectCommand(self.diagram, Edge(node_id, outs[0], edge.target, edge.target_port))
        )
        self._push(parent)
        return True

    def remove(self, node_ids: list[str], edges: list[Edge] | None = None) -> None:
        """Delete blocks (with their wires) and loose wires, as one step."""
        node_ids = [n for n in node_ids if n in self.diagram.nodes]
        edges = [e for e in (edges or []) if e in self.diagram.edges]
        edges = [e for e in edges if e.source not in node_ids and e.target not in node_ids]
        if not node_ids and not edges:
            return
        if not edges:
            self._push(RemoveNodesCommand(self.diagram, node_ids))
            return
        parent = macro(self.tr("Delete"))
        for e in edges:
            parent.add(DisconnectCommand(self.diagram, e))
        if node_ids:
            parent.add(RemoveNodesCommand(self.diagram, node_ids))
        self._push(parent)

    # ------------------------------------------------------------------ wires
    def connect(self, source: str, source_port: str, target: str, target_port: str) -> bool:
        """Wire two ports; a wire already feeding the input is replaced (inputs take one)."""
        edge = Edge(source, source_port, target, target_port)
        if edge in self.diagram.edges:
            return False
        try:
            self._check_ports(edge)
        except DiagramError as exc:
            self.message.emit(str(exc))
            return False
        old = [e for e in self.diagram.edges_into(target) if e.target_port == target_port]
        if not old:
            self._push(ConnectCommand(self.diagram, edge))
            return True
        parent = macro(self.tr("Connect {source} → {target}").format(source=source, target=target))
        for e in old:
            parent.add(DisconnectCommand(self.diagram, e))
        parent.add(ConnectCommand(self.diagram, edge))
        self._push(parent)
        return True

    def _check_ports(self, edge: Edge) -> None:
        if edge.source == edge.target:
            raise DiagramError(self.tr("a block cannot be wired to itself"))
        src, dst = self.diagram.node(edge.source), self.diagram.node(edge.target)
        if edge.source_port not in self.diagram.block(src.type).output_ports(src.params):
            raise DiagramError(
                self.tr("{type} has no output {port}").format(
                    type=src.type, port=repr(edge.source_port)
                )
            )
        if edge.target_port not in self.diagram.block(dst.type).input_ports(dst.params):
            raise DiagramError(
                self.tr("{type} has no input {port}").format(
                    type=dst.type, port=repr(edge.target_port)
                )
            )

    def disconnect(self, edge: Edge) -> None:
        if edge in self.diagram.edges:
            self._push(DisconnectCommand(self.diagram, edge))

    def reconnect(self, old: Edge, new: Edge) -> None:
        """Move one end of a wire (dragged edge end), as one step."""
        if old == new:
            return
        try:
            self._check_ports(new)
        except DiagramError as exc:
            self.message.emit(str(exc))
            return
        parent = macro(self.tr("Reconnect"))
        parent.add(DisconnectCommand(self.diagram, old))
        for e in self.diagram.edges_into(new.target):
            if e.target_port == new.target_port and e != old:
                parent.add(DisconnectCommand(self.diagram, e))
        if new not in self.diagram.edges:
            parent.add(ConnectCommand(self.diagram, new))
        self._push(parent)

    # ------------------------------------------------------------------ values
    def set_param(
        self, node_id: str, name: str, value: Any, focus: int | None = None
    ) -> str | None:
        """Set a parameter after validating it; returns the refusal message, if any.

        ``focus`` (the inspector's count of focus changes) lets edits made while one field
        keeps the focus merge into one undo step; see ``SetParamCommand``.
        """
        node = self.diagram.node(node_id)
        spec = self.diagram.block(node.type).param_map[name]
        try:
            value = spec.validate(value)
        except ParamError as exc:
            self.message.emit(str(exc))
            return str(exc)
        if node.params.get(name) != value:
            self._push(SetParamCommand(self.diagram, node_id, name, value, focus))
        return None

    def set_label(self, node_id: str, label: str, focus: int | None = None) -> None:
        if self.diagram.node(node_id).label != label:
            self._push(SetLabelCommand(self.diagram, node_id, label, focus))

    def move(
        self, old: dict[str, tuple[float, float]], new: dict[str, tuple[float, float]]
    ) -> None:
        moved = {k: v for k, v in new.items() if old.get(k) != v}
        if moved:
            text = self.tr("Move %n block(s)", "", len(moved))
            self._push(MoveNodesCommand(self.diagram, {k: old[k] for k in moved}, moved, text))

    def auto_layout(self, aspect: float | None = None) -> None:
        """Lay the network out in layers (one undo step).

        With ``aspect`` (the canvas's width:height) long chains wrap into rows so the whole
        network fills a view of that shape; without, one left-to-right row.
        """
        if aspect is None:
            new = layout(self.diagram)
        else:
            new = layout(self.diagram, wrap=True, aspect=aspect)
        old = {nid: n.position for nid, n in self.diagram.nodes.items()}
        changed = {k: v for k, v in new.items() if old[k] != v}
        if changed:
            self._push(
                MoveNodesCommand(
                    self.diagram, {k: old[k] for k in changed}, changed, self.tr("Auto-layout")
                )
            )

    # ------------------------------------------------------------------ clipboard
    def copy(self, node_ids: list[str]) -> bool:
        if not node_ids:
            return False
        clipboard.copy_fragment(self.diagram.fragment(node_ids))
        return True

    def cut(self, node_ids: list[str]) -> None:
        if self.copy(node_ids):
            cmd = RemoveNodesCommand(self.diagram, node_ids)
            cmd.setText(self.tr("Cut"))
            self._push(cmd)

    def paste(
        self, fragment: dict[str, Any] | None = None, at: tuple[float, float] | None = None
    ) -> list[str]:
        """Paste the clipboard's (or the given) fragment.

        With ``at`` (the mouse over the canvas) the fragment's top-left block lands there;
        otherwise it is shifted a little off the original, so the copy is seen as a copy.
        """
        if fragment is None:
            try:
                fragment = clipboard.clipboard_fragment()
            except clipboard.FragmentError as exc:
                self.message.emit(str(exc))
                return []
        if not fragment.get("nodes"):
            return []
        offset = PASTE_OFFSET if at is None else offset_to(fragment, at)
        if at is not None and self._covers_originals(fragment, offset):
            offset = PASTE_OFFSET  # the mouse is over the originals: beside them, not on them
        offset = self._clear_of_blocks(fragment, offset)
        return self._paste_fragment(fragment, offset, "")

    def _paste_fragment(
        self, fragment: dict[str, Any], offset: tuple[float, float], text: str = ""
    ) -> list[str]:
        """Paste as one step, bringing the sub-block definitions the fragment carries
        (an identical one already here is reused, a different one of the same name renamed)."""
        fragment, definitions = merge_fragment(self.diagram, fragment)
        allowed = set(usable_in(self.diagram))
        inside = {n["type"] for n in fragment["nodes"]} & set(self.diagram.root.definitions)
        if inside - allowed:  # pasting a sub-block into its own definition
            self.message.emit(
                self.tr("the sub-block {name} cannot be pasted inside itself").format(
                    name=sorted(inside - allowed)[0]
                )
            )
            return []
        paste = PasteCommand(self.diagram, fragment, offset, text)
        cmd = with_definitions(self.diagram.root, definitions, paste)
        self._push(cmd)
        if getattr(cmd, "error", None):
            self.message.emit(cmd.error)  # type: ignore[attr-defined]
            return []
        self.nodes_created.emit(paste.new_ids)
        return paste.new_ids

    def _covers_originals(self, fragment: dict[str, Any], offset: tuple[float, float]) -> bool:
        """Would a pasted block land mostly on top of the block it was copied from?"""
        for n in fragment.get("nodes", []):
            original = self.diagram.nodes.get(n.get("id"))
            if original is None or original.type != n.get("type"):
                continue
            x, y = n.get("position") or (0.0, 0.0)
            dx = float(x) + offset[0] - original.position[0]
            dy = float(y) + offset[1] - original.position[1]
            if abs(dx) < CARD_WIDTH / 2 and abs(dy) < 2 * HEADER:
                return True
        return False

    def _clear_of_blocks(
        self, fragment: dict[str, Any], offset: tuple[float, float]
    ) -> tuple[float, float]:
        """``offset`` moved on by PASTE_OFFSET steps while a pasted block would sit exactly
        where a block already is (pasting twice cascades instead of stacking copies)."""
        taken = {(round(n.position[0]), round(n.position[1])) for n in self.diagram.nodes.values()}
        spots = [n.get("position") or (0.0, 0.0) for n in fragment.get("nodes", [])]
        for _ in range(50):
            landing = {(round(float(x) + offset[0]), round(float(y) + offset[1])) for x, y in spots}
            if not landing & taken:
                break
            offset = (offset[0] + PASTE_OFFSET[0], offset[1] + PASTE_OFFSET[1])
        return offset

    def duplicate(self, node_ids: list[str]) -> list[str]:
        if not node_ids:
            return []
        fragment = self.diagram.fragment(node_ids)
        offset = self._clear_of_blocks(fragment, PASTE_OFFSET)
        return self._paste_fragment(fragment, offset, self.tr("Duplicate"))
