"""Driving the editor like a user: drops from the palette and mouse drags on the view."""

from __future__ import annotations

import json
import warnings
from typing import Any

import networkx as nx
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netbuilder.core.blocks import get_block
from netbuilder.core.diagram import Diagram
from netbuilder.gui.docks.palette import block_mime

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def view_point(window, scene_pos: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_pos)


def drag_enter_event(pos: QPointF, mime) -> QDragEnterEvent:
    """A drag-enter event (PySide versions differ on QPoint vs QPointF; 6.12 deprecates QPoint)."""
    args = (Qt.DropAction.CopyAction, mime, LEFT, NOMOD)
    try:
        return QDragEnterEvent(pos, *args)
    except TypeError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return QDragEnterEvent(pos.toPoint(), *args)


def drop_block(window, type_name: str, scene_pos: QPointF) -> str:
    """Drop a palette block on the canvas at ``scene_pos``; returns the new node id."""
    before = set(window.session.diagram.nodes)
    mime = block_mime(type_name)
    pos = QPointF(view_point(window, scene_pos))
    vp = window.view.viewport()
    # Qt routes a drop to the widget that accepted the drag's enter event
    enter = drag_enter_event(pos, mime)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted(), "the canvas refused the block drag"
    QApplication.sendEvent(vp, QDropEvent(pos, Qt.DropAction.CopyAction, mime, LEFT, NOMOD))
    (new,) = set(window.session.diagram.nodes) - before
    return new


def mouse_drag(window, start: QPointF, end: QPointF, steps: int = 4) -> None:
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    vp = window.view.viewport()
    a, b = view_point(window, start), view_point(window, end)
    QTest.mousePress(vp, LEFT, NOMOD, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, LEFT, NOMOD, b)


def port_pos(window, node_id: str, port: str, is_output: bool) -> QPointF:
    pos = window.scene.port_scene_pos(node_id, port, is_output)
    assert pos is not None, f"{node_id} has no {'output' if is_output else 'input'} {port}"
    return pos


def drag_wire(window, src: str, src_port: str, dst: str, dst_port: str) -> None:
    mouse_drag(
        window, port_pos(window, src, src_port, True), port_pos(window, dst, dst_port, False)
    )


def click_node(window, node_id: str) -> None:
    item = window.scene.nodes[node_id]
    centre = item.mapToScene(item.boundingRect().center())
    QTest.mouseClick(window.view.viewport(), LEFT, NOMOD, view_point(window, centre))


def canonical(diagram: Diagram) -> tuple[Any, Any]:
    """Nodes (type, full params) and wiring, independent of ids and positions."""

    def key(nid: str) -> str:
        n = diagram.nodes[nid]
        params, _ = get_block(n.type).validate_params(n.params)
        return json.dumps([n.type, params], sort_keys=True)

    graph = nx.DiGraph()
    graph.add_nodes_from(diagram.nodes)
    graph.add_edges_from((e.source, e.target) for e in diagram.edges)
    order = list(nx.lexicographical_topological_sort(graph, key=key))
    index = {nid: i for i, nid in enumerate(order)}
    nodes = [key(nid) for nid in order]
    edges = sorted(
        (index[e.source], e.source_port, index[e.target], e.target_port) for e in diagram.edges
    )
    return nodes, edges
