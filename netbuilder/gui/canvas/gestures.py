"""Mouse gestures on the canvas that become edits: wiring, re-wiring, moving.

* press on a port and drag: a rubber wire follows the mouse, ports that fit light up;
  release on a port connects, release on empty canvas opens the add-search filtered to
  blocks that fit (the chosen block is wired in).
* press near either end of a wire and drag: that end comes loose; release on a port
  re-wires, release elsewhere detaches.
* moving blocks is Qt's own drag; on release all moved blocks become one Move step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsSceneMouseEvent

from netbuilder.core.diagram import Edge
from netbuilder.gui.canvas.edge_item import DragWireItem, EdgeItem
from netbuilder.gui.canvas.fit import accepts
from netbuilder.gui.canvas.node_item import NodeItem, PortItem

if TYPE_CHECKING:
    from netbuilder.gui.canvas.scene import DiagramScene

END_GRAB = 22.0  # how close to a wire's end a press picks up that end
WIRE_GRAB = 6.0  # how close to a wire a block must be released to be inserted into it


@dataclass
class WireDrag:
    """A wire being dragged from a fixed port (``from_output``: the fixed end is an output)."""

    node_id: str
    port: str
    from_output: bool
    anchor: QPointF
    old_edge: Edge | None = None


class Gestures:
    def __init__(self, scene: DiagramScene) -> None:
        self.scene = scene
        self.theme = scene.theme
        self.drag: WireDrag | None = None
        self._rubber: DragWireItem | None = None
        self._lit: list[PortItem] = []
        self._press_positions: dict[str, tuple[float, float]] = {}

    # ------------------------------------------------------------------ press
    def press(self, event: QGraphicsSceneMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or self.scene.editor is None:
            return False
        pos = event.scenePos()
        for item in self.scene.items(pos):
            if isinstance(item, PortItem):
                self._start_from_port(item, pos)
                return True
            if isinstance(item, EdgeItem):
                if self._start_from_edge_end(item, pos):
                    return True
                break
            if isinstance(item, NodeItem):
                break
        self._press_positions = {
            nid: (item.pos().x(), item.pos().y()) for nid, item in self.scene.nodes.items()
        }
        return False

    def _start_from_port(self, port: PortItem, pos: QPointF) -> None:
        diagram = self.scene.diagram
        old = None
        if not port.is_output:
            feeding = [e for e in diagram.edges_into(port.node_id) if e.target_port == port.name]
            if feeding:  # pulling on a wired input picks up the end of its wire
                old = feeding[-1]
                src = self.scene.port_scene_pos(old.source, old.source_port, True)
                self._begin(WireDrag(old.source, old.source_port, True, src or pos, old), pos)
                return
        self._begin(WireDrag(port.node_id, port.name, port.is_output, port.scenePos()), pos)

    def _start_from_edge_end(self, item: EdgeItem, pos: QPointF) -> bool:
        e = item.edge
        if (pos - item.end).manhattanLength() <= END_GRAB:
            self._begin(WireDrag(e.source, e.source_port, True, item.start, e), pos)
            return True
        if (pos - item.start).manhattanLength() <= END_GRAB:
            self._begin(WireDrag(e.target, e.target_port, False, item.end, e), pos)
            return True
        return False

    def _begin(self, drag: WireDrag, pos: QPointF) -> None:
        self.drag = drag
        if drag.old_edge is not None and drag.old_edge in self.scene.edges:
            self.scene.edges[drag.old_edge].setVisible(False)
        self._rubber = DragWireItem(self.theme)
        self.scene.addItem(self._rubber)
        self._update_rubber(pos)
        self._light_fitting_ports()

    # ------------------------------------------------------------------ move
    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        if self.drag is None:
            return False
        self._update_rubber(event.scenePos())
        return True

    def _update_rubber(self, pos: QPointF) -> None:
        if self._rubber is None or self.drag is None:
            return
        if self.drag.from_output:
            self._rubber.set_ends(self.drag.anchor, pos)
        else:
            self._rubber.set_ends(pos, self.drag.anchor)

    def _light_fitting_ports(self) -> None:
        drag = self.drag
        assert drag is not None
        analysis = self.scene.analysis
        diagram = self.scene.diagram
        x = None
        if drag.from_output and analysis is not None and drag.node_id in analysis.nodes:
            x = analysis.nodes[drag.node_id].outputs.get(drag.port)
        for nid, item in self.scene.nodes.items():
            if nid == drag.node_id:
                continue
            node = diagram.nodes[nid]
            if drag.from_output:
                if accepts(item.spec, node.params, x):
                    for port in item.inputs.values():
                        port.set_highlighted(True)
                        self._lit.append(port)
            else:
                for port in item.outputs.values():
                    port.set_highlighted(True)
                    self._lit.append(port)

    # ------------------------------------------------------------------ release
    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        drag = self.drag
        if drag is None:
            return False
        pos = event.scenePos()
        target = next((i for i in self.scene.items(pos) if isinstance(i, PortItem)), None)
        self.cancel()
        editor = self.scene.editor
        if target is not None and target.is_output != drag.from_output:
            if target.node_id == drag.node_id:
                return True
            if drag.from_output:
                new = Edge(drag.node_id, drag.port, target.node_id, target.name)
            else:
                new = Edge(target.node_id, target.name, drag.node_id, drag.port)
            if drag.old_edge is not None:
                editor.reconnect(drag.old_edge, new)
            else:
                editor.connect(new.source, new.source_port, new.target, new.target_port)
            return True
        if drag.old_edge is not None:
            editor.disconnect(drag.old_edge)  # an end dropped in empty space: detach
        elif target is None:
            self.scene.search_requested.emit(pos, (drag.node_id, drag.port, drag.from_output))
        return True

    def cancel(self) -> None:
        """Drop any half-done wire drag (also when the model is reset under it)."""
        for port in self._lit:
            port.set_highlighted(False)
        self._lit.clear()
        if self._rubber is not None:
            self.scene.removeItem(self._rubber)
            self._rubber = None
        if self.drag is not None and self.drag.old_edge in self.scene.edges:
            self.scene.edges[self.drag.old_edge].setVisible(True)
        self.drag = None

    def finish_move(self, pos: QPointF | None = None) -> None:
        """After Qt moved blocks with the mouse: one Move step for everything that moved.

        One block without wires released with the mouse over a wire is inserted into that
        wire (as a palette drop onto a wire is), in the same undo step as the move.
        """
        before, self._press_positions = self._press_positions, {}
        if not before or self.scene.editor is None:
            return
        old: dict[str, tuple[float, float]] = {}
        new: dict[str, tuple[float, float]] = {}
        for nid, item in self.scene.nodes.items():
            now = (item.pos().x(), item.pos().y())
            model = self.scene.diagram.nodes[nid].position
            if nid in before and now != model:
                old[nid], new[nid] = model, now
        if not new:
            return
        if pos is not None and len(new) == 1:
            (nid,) = new
            wire = self._wire_under(pos, nid)
            if wire is not None and self.scene.editor.move_onto_edge(nid, old[nid], new[nid], wire):
                return
        self.scene.editor.move(old, new)

    def _wire_under(self, pos: QPointF, moved: str) -> Edge | None:
        """A visible wire (not one of ``moved``'s own) within a few pixels of ``pos``."""
        r = WIRE_GRAB
        area = QRectF(pos.x() - r, pos.y() - r, 2 * r, 2 * r)
        for item in self.scene.items(area):
            mine = isinstance(item, EdgeItem) and moved in (item.edge.source, item.edge.target)
            if isinstance(item, EdgeItem) and item.isVisible() and not mine:
                return item.edge
        return None
