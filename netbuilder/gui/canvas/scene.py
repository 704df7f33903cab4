"""The canvas scene: follows the diagram's events and the shape check (DESIGN rule 1).

The scene adds, removes and updates items when the model says so, and repaints only the
items whose text or state actually changed after a check. Mouse gestures (wiring, moving)
are handled by ``canvas.gestures`` and end in ``Editor`` calls, never in model edits here.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, QTimer, Signal
from PySide6.QtGui import QPainter, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsSceneMouseEvent

from netbuilder.core.blocks import get_block
from netbuilder.core.diagnostics import Severity
from netbuilder.core.diagram import Diagram, Edge
from netbuilder.core.events import DiagramEvent
from netbuilder.core.routing import Wire, route_wires
from netbuilder.core.shapes import Analysis
from netbuilder.core.tensor import format_shape
from netbuilder.gui import theme
from netbuilder.gui.canvas.edge_item import EdgeItem
from netbuilder.gui.canvas.gestures import Gestures
from netbuilder.gui.canvas.node_item import NodeItem, key_params_text
from netbuilder.gui.canvas.overview import Overview
from netbuilder.gui.i18n import core_text
from netbuilder.gui.theme import FAR_ZOOM, GRID, NODE_WIDTH

SCENE_EXTENT = 100_000.0
CacheMode = QGraphicsItem.CacheMode


def output_summary(result: object, has_outputs: bool = True) -> str:
    """A block's size in a few characters for the zoomed-out card: its first output
    without the batch ("16×32×32"); for a block without outputs (Output), what arrives."""
    if result is None:
        return ""
    if has_outputs:
        shapes = list(getattr(result, "outputs", {}).values())
    else:
        shapes = [x for x in getattr(result, "inputs", {}).values() if x is not None]
    if not shapes:
        return ""
    text = format_shape(shapes[0])
    return text[2:] if text.startswith("B×") else text


class DiagramScene(QGraphicsScene):
    """Items for one diagram. ``editor`` may be None for a read-only scene (rendering)."""

    # scene position, and (node id, port, port is an output) when a wire was dropped there
    search_requested = Signal(QPointF, object)

    def __init__(
        self, diagram: Diagram, editor: object | None = None, parent: object = None
    ) -> None:
        super().__init__(parent)
        self.diagram = diagram
        self.editor = editor
        self.theme = theme.current_theme()
        self.snap_to_grid = True
        self.export_mode = False
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self._edges_of: dict[str, set[Edge]] = {}
        self.analysis: Analysis | None = None
        self._shown: dict[str, object] = {}  # what each node item last showed (see apply)
        self._fresh_edges: set[Edge] = set()  # wires added since the last check was shown
        self.cache_mode = CacheMode.DeviceCoordinateCache
        self.far = False  # zoomed out: items paint nothing, the overview draws them
        self.overview = Overview()
        # cached item pictures must fit Qt's pixmap cache, or every frame redraws them all
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 96 * 1024))
        self.gestures = Gestures(self)
        # wires are routed around blocks once the model has settled (one pass per burst of
        # events); until then a moved wire is the plain curve between its ports
        self._route_timer = QTimer(self)
        self._route_timer.setSingleShot(True)
        self._route_timer.setInterval(0)
        self._route_timer.timeout.connect(self.route_wires)
        self.setSceneRect(QRectF(-SCENE_EXTENT, -SCENE_EXTENT, 2 * SCENE_EXTENT, 2 * SCENE_EXTENT))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        diagram.changed.connect(self._on_model)
        self.selectionChanged.connect(self._selection_changed)
        self.rebuild()

    def detach(self) -> None:
        """Stop observing the model (before the scene goes away)."""
        self.diagram.changed.disconnect(self._on_model)

    # ------------------------------------------------------------------ model → items
    def _on_model(self, event: DiagramEvent) -> None:
        self.overview.dirty = True
        kind = event.kind
        if kind != "node_changed":
            self._route_timer.start()
        if kind == "node_added":
            self._add_node(event.node_id)
        elif kind == "node_removed":
            item = self.nodes.pop(event.node_id, None)
            if item is not None:
                self.removeItem(item)
            self._edges_of.pop(event.node_id, None)
        elif kind == "node_changed":
            if self._refresh_node(event.node_id):  # its ports changed: wires move
                for edge in list(self._edges_of.get(event.node_id, ())):
                    self._place_edge(edge)
                self._route_timer.start()
        elif kind == "node_moved":
            item = self.nodes.get(event.node_id)
            if item is not None:
                item.set_pos_from_model(self.diagram.nodes[event.node_id].position)
        elif kind == "edge_added":
            self._add_edge(event.edge)
        elif kind == "edge_removed":
            self._remove_edge(event.edge)
        elif kind == "reset":
            self.rebuild()

    def rebuild(self) -> None:
        self.gestures.cancel()
        for edge_item in self.edges.values():
            self.removeItem(edge_item.label_item)
        for item in [*self.edges.values(), *self.nodes.values()]:
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        self._edges_of.clear()
        self._shown.clear()
        for nid in self.diagram.nodes:
            self._add_node(nid)
        for edge in self.diagram.edges:
            self._add_edge(edge)
        if self.analysis is not None:
            self.apply_analysis(self.analysis)
        self.route_wires()

    def route_wires(self) -> None:
        """Plan every wire's route around the blocks (``core.routing``) and show it.

        The same planner draws ``netbuilder render`` pictures. Runs after a burst of model
        events (add, remove, wire, move), not for parameter edits that keep the ports.
        """
        self._route_timer.stop()
        self.overview.dirty = True
        rects = {}
        for nid, item in self.nodes.items():
            p = item.pos()
            rects[nid] = (p.x(), p.y(), p.x() + NODE_WIDTH, p.y() + item.height)
        wires = []
        for edge, item in self.edges.items():
            start, end = item.start, item.end
            wires.append(
                Wire(edge, (start.x(), start.y()), (end.x(), end.y()), edge.source, edge.target)
            )
        for edge, route in route_wires(rects, wires).items():
            self.edges[edge].set_route(route)  # type: ignore[index]

    def _add_node(self, nid: str) -> None:
        node = self.diagram.nodes[nid]
        item = NodeItem(nid, get_block(node.type), self.theme)
        self.nodes[nid] = item
        self._shown.pop(nid, None)
        self._refresh_node(nid)
        item.setCacheMode(self.cache_mode)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, self.far)
        item.set_pos_from_model(node.position)
        self.addItem(item)

    def _refresh_node(self, nid: str) -> bool:
        """Show the node's model state; True if its ports changed."""
        item, node = self.nodes.get(nid), self.diagram.nodes.get(nid)
        if item is None or node is None:
            return False
        spec = item.spec
        ports = item.set_content(
            node.label or nid,
            key_params_text(spec, node.params),
            spec.input_ports(node.params),
            spec.output_ports(node.params),
        )
        self._update_port_wiring(nid)
        return ports

    def _add_edge(self, edge: Edge) -> None:
        item = EdgeItem(edge, self.theme)
        self.edges[edge] = item
        self._fresh_edges.add(edge)
        self._edges_of.setdefault(edge.source, set()).add(edge)
        self._edges_of.setdefault(edge.target, set()).add(edge)
        self._place_edge(edge)
        item.setCacheMode(self.cache_mode)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, self.far)
        item.label_item.setCacheMode(self.cache_mode)
        item.label_item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, self.far)
        self.addItem(item)
        self.addItem(item.label_item)
        self._update_port_wiring(edge.source)
        self._update_port_wiring(edge.target)

    def _remove_edge(self, edge: Edge) -> None:
        item = self.edges.pop(edge, None)
        if item is not None:
            self.removeItem(item.label_item)
            self.removeItem(item)
        for nid in (edge.source, edge.target):
            self._edges_of.get(nid, set()).discard(edge)
            self._update_port_wiring(nid)

    def _update_port_wiring(self, nid: str) -> None:
        item = self.nodes.get(nid)
        if item is None:
            return
        wired_in = {e.target_port for e in self._edges_of.get(nid, ()) if e.target == nid}
        wired_out = {e.source_port for e in self._edges_of.get(nid, ()) if e.source == nid}
        for name, port in item.inputs.items():
            port.set_wired(name in wired_in)
        for name, port in item.outputs.items():
            port.set_wired(name in wired_out)

    def port_scene_pos(self, node_id: str, port: str, is_output: bool) -> QPointF | None:
        item = self.nodes.get(node_id)
        p = item.port(port, is_output) if item else None
        return p.scenePos() if p is not None else None

    def _place_edge(self, edge: Edge) -> None:
        item = self.edges.get(edge)
        if item is None:
            return
        start = self.port_scene_pos(edge.source, edge.source_port, True)
        end = self.port_scene_pos(edge.target, edge.target_port, False)
        if start is None or end is None:  # the port vanished (e.g. fewer merge inputs)
            src, dst = self.nodes.get(edge.source), self.nodes.get(edge.target)
            start = start or (src.scenePos() if src else QPointF())
            end = end or (dst.scenePos() if dst else QPointF())
        item.set_ends(start, end)

    def node_item_moved(self, item: NodeItem) -> None:
        self.overview.dirty = True
        for edge in self._edges_of.get(item.node_id, ()):
            self._place_edge(edge)

    # ------------------------------------------------------------------ analysis → items
    def apply_analysis(self, analysis: Analysis) -> None:
        """Show a new check; only items whose inputs to their look changed are touched.

        Each node's look depends on its check result and its diagnostics; each wire's on its
        source's output and its target's diagnostics. Both are compared as plain values with
        what was shown last time, so one edit touches only the blocks whose shapes changed.
        """
        self.analysis = analysis
        self.overview.dirty = True
        by_node: dict[str, list] = {}
        for diag in analysis.diagnostics:
            if diag.node_id is not None:
                by_node.setdefault(diag.node_id, []).append(diag)
        changed: set[str] = set()
        for nid, item in self.nodes.items():
            diags = by_node.get(nid, [])
            result = analysis.nodes.get(nid)
            sig = (
                (result.param_count, tuple(result.outputs.items())) if result else None,
                tuple(diags),
            )
            if self._shown.get(nid) == sig:
                continue
            self._shown[nid] = sig
            changed.add(nid)
            errors = [d for d in diags if d.severity is Severity.ERROR]
            warnings = [d for d in diags if d.severity is Severity.WARNING]
            count = theme.format_count(result.param_count) if result and result.param_count else ""
            tip = "\n".join(str(d.message) + (f"\n  {d.hint}" if d.hint else "") for d in diags)
            if not tip:
                tip = f"{item.spec.type} — {core_text(item.spec.doc)}"
            summary = output_summary(result, bool(item.outputs))
            item.set_analysis(count, bool(errors), bool(warnings), tip, summary)
        edges = self.edges.items()
        if len(changed) < len(self.nodes):
            touched = {e for nid in changed for e in self._edges_of.get(nid, ())}
            touched |= self._fresh_edges
            edges = [(e, self.edges[e]) for e in touched if e in self.edges]
        self._fresh_edges = set()
        for edge, item in edges:
            self._show_edge(edge, item, analysis, by_node)

    def _show_edge(
        self, edge: Edge, item: EdgeItem, analysis: Analysis, by_node: dict[str, list]
    ) -> None:
        spec = analysis.edge_spec(edge)
        label = format_shape(spec) if spec is not None else ""
        bad = [
            d
            for d in by_node.get(edge.target, [])
            if d.severity is Severity.ERROR and d.port in (None, edge.target_port)
        ]
        tip = "\n".join(d.message for d in bad) or (f"{edge.source} → {edge.target}: {label}")
        item.set_analysis(label, bool(bad), tip)

    def set_zoom(self, zoom: float) -> None:
        """Switch between item painting (close up) and the one-pass overview (far out).

        Close up, items paint themselves into caches in device pixels: sharp text, and a
        pan is a blit. Below FAR_ZOOM no text is readable and hundreds of items are in
        view; then items paint nothing and ``Overview`` draws all of them in a few calls.
        """
        far = zoom < FAR_ZOOM and not self.export_mode
        if far == self.far:
            return
        self.far = far
        self.overview.dirty = True
        for item in self._all_items():
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, far)
        self.update()

    def set_cache_mode(self, mode: QGraphicsItem.CacheMode) -> None:
        if mode == self.cache_mode:
            return
        self.cache_mode = mode
        for item in self._all_items():
            item.setCacheMode(mode)

    def _all_items(self) -> list[QGraphicsItem]:
        """Cards, wires and wire labels (not ports, which follow their cards)."""
        labels = [e.label_item for e in self.edges.values()]
        return [*self.nodes.values(), *self.edges.values(), *labels]

    def _selection_changed(self) -> None:
        if self.far:
            self.overview.dirty = True
            self.update()

    def set_theme(self) -> None:
        self.overview.dirty = True
        self.theme = theme.current_theme()
        for item in [*self.nodes.values(), *self.edges.values()]:
            item.set_theme(self.theme)
        self.gestures.theme = self.theme
        self.update()

    # ------------------------------------------------------------------ selection helpers
    def selected_node_ids(self) -> list[str]:
        chosen = {i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)}
        return [nid for nid in self.diagram.nodes if nid in chosen]

    def selected_edges(self) -> list[Edge]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for nid in node_ids:
            item = self.nodes.get(nid)
            if item is not None:
                item.setSelected(True)

    def content_rect(self) -> QRectF:
        rect = QRectF()
        for item in self._all_items():
            if item.isVisible():
                rect = rect.united(item.sceneBoundingRect())
        return rect

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.gestures.press(event):
            # accepted, or the view takes the press as the start of a rubber-band selection
            # that follows the wire and selects the blocks it sweeps over
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.gestures.move(event):
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.gestures.release(event):
            event.accept()
        else:
            super().mouseReleaseEvent(event)
            self.gestures.finish_move(event.scenePos())
            self._route_timer.start()  # blocks dragged by hand: plan the wires again

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.editor is not None and not self.items(event.scenePos()):
            self.search_requested.emit(event.scenePos(), None)
            return
        super().mouseDoubleClickEvent(event)

    # ------------------------------------------------------------------ background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.theme.background)
        if self.far:
            self.overview.paint(painter, self, rect)
            return
        scale = painter.worldTransform().m11()
        if self.export_mode or scale < 0.3:
            return  # no grid in pictures, nor when zoomed so far out that it is noise
        step = GRID * 2
        while step * scale < 12:
            step *= 4
        painter.setPen(self.theme.grid)
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        lines = []
        x = left
        while x < rect.right():
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            x += step
        y = top
        while y < rect.bottom():
            lines.append(QLineF(rect.left(), y, rect.right(), y))
            y += step
        painter.drawLines(lines)
