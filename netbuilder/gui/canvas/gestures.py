"""Mouse gestures on the canvas that become edits: wiring, re-wiring, moving.

* press on a port and drag: a rubber wire follows the mouse, ports that fit light up (each
  input judged with what already arrives at its block's other inputs); over a port that
  does not fit, the wire turns red and the status bar says why; release on a port connects,
  release on empty canvas opens the add-search filtered to blocks that fit (the chosen
  block is wired in).
* press near either end of a wire and drag: that end comes loose; release on a port
  re-wires, release elsewhere detaches.
* moving blocks is Qt's own drag; on release all moved blocks become one Move step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsSceneMouseEvent

from netbuilder.core.diagram import Edge
from netbuilder.gui.canvas.edge_item import DragWireItem, EdgeItem
from netbuilder.gui.canvas.fit import downstream_of, port_problem, upstream_of
from netbuilder.gui.canvas.node_item import NodeItem, PortItem

if TYPE_CHECKING:
    from netbuilder.gui.canvas.scene import DiagramScene

END_GRAB = 22.0  # how close to a wire's end a press picks up that end
WIRE_GRAB = 6.0  # how close to a wire a block must be released to be inserted into it
LOOP = QT_TRANSLATE_NOOP(
    "Gestures", "the wire would make a loop (data flowing back into its own source)"
)


def _loop() -> str:
    return QCoreApplication.translate("Gestures", LOOP)


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
        self._verdicts: dict[tuple[str, str, bool], str | None] = {}
        #: why the port under the loose end refuses the wire (None: fits, or no port there)
        self.hover_problem: str | None = None

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
        self._hover(event.scenePos())
        return True

    def _update_rubber(self, pos: QPointF) -> None:
        if self._rubber is None or self.drag is None:
            return
        if self.drag.from_output:
            self._rubber.set_ends(self.drag.anchor, pos)
        else:
            self._rubber.set_ends(pos, self.drag.anchor)

    def _light_fitting_ports(self) -> None:
        """Judge every port the loose end could go to; light those that fit.

        Each input is judged on its own, with what already arrives at the block's other
        inputs (``fit.port_problem``), and a wire that would close a loop never fits. The
        reasons are kept for the hover feedback.
        """
        drag = self.drag
        assert drag is not None
        self._verdicts = self._judge(drag)
        for (nid, port, is_output), problem in self._verdicts.items():
            if problem is None:
                item = self.scene.nodes[nid]
                port_item = (item.outputs if is_output else item.inputs).get(port)
                if port_item is not None:
                    port_item.set_highlighted(True)
                    self._lit.append(port_item)

    def _judge(self, drag: WireDrag) -> dict[tuple[str, str, bool], str | None]:
        """(node, port, is_output) → why a wire there would be refused, or None if it fits."""
        analysis = self.scene.analysis
        diagram = self.scene.diagram
        results = analysis.nodes if analysis is not None else {}
        verdicts: dict[tuple[str, str, bool], str | None] = {}
        if drag.from_output:
            source = results.get(drag.node_id)
            x = source.outputs.get(drag.port) if source is not None else None
            loop = upstream_of(diagram, drag.node_id)
            for nid, item in self.scene.nodes.items():
                node = diagram.nodes[nid]
                result = results.get(nid)
                wired = dict(result.inputs) if result is not None else {}
                if drag.old_edge is not None and drag.old_edge.target == nid:
                    wired.pop(drag.old_edge.target_port, None)  # that wire is in the hand
                for port in item.inputs:
                    problem = _loop() if nid in loop else None
                    verdicts[(nid, port, False)] = problem or port_problem(
                        item.spec, node.params, port, x, wired
                    )
            return verdicts
        target = diagram.nodes[drag.node_id]
        spec = self.scene.nodes[drag.node_id].spec
        result = results.get(drag.node_id)
        wired = dict(result.inputs) if result is not None else {}
        loop = downstream_of(diagram, drag.node_id)
        for nid, item in self.scene.nodes.items():
            source = results.get(nid)
            for port in item.outputs:
                y = source.outputs.get(port) if source is not None else None
                problem = _loop() if nid in loop else None
                verdicts[(nid, port, True)] = problem or port_problem(
                    spec, target.params, drag.port, y, wired
                )
        return verdicts

    def _hover(self, pos: QPointF) -> None:
        """Over a port the wire cannot go to: the rubber wire turns red and says why."""
        drag = self.drag
        port = next((i for i in self.scene.items(pos) if isinstance(i, PortItem)), None)
        key = None
        if drag is not None and port is not None and port.is_output != drag.from_output:
            key = (port.node_id, port.name, port.is_output)
        problem = self._verdicts.get(key) if key is not None else None
        if problem == self.hover_problem:
            return
        self.hover_problem = problem
        if self._rubber is not None:
            self._rubber.set_refused(problem is not None)
        if problem is not None and self.scene.editor is not None:
            self.scene.editor.message.emit(
                QCoreApplication.translate("Gestures", "Does not fit: {problem}").format(
                    problem=problem
                )
            )

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
        self._verdicts = {}
        self.hover_problem = None
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
