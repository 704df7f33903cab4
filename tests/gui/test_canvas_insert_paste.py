"""Moving a loose block onto a wire inserts it; paste lands at the mouse over the canvas."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QCursor

from netbuilder.core.diagram import Edge
from netbuilder.gui.canvas.view import drop_position
from tests.gui.test_canvas import small
from tests.gui.ui import mouse_drag, view_point


def header_point(window, node_id: str) -> QPointF:
    rect = window.scene.nodes[node_id].sceneBoundingRect()
    return QPointF(rect.center().x(), rect.top() + 8)


def wire_middle(window, edge: Edge) -> QPointF:
    return window.scene.edges[edge]._path.pointAtPercent(0.5)


def test_loose_block_dragged_onto_a_wire_is_inserted(window) -> None:
    small(window)
    d = window.session.diagram
    relu = window.editor.add_block("ReLU", (480.0, 260.0))
    steps = window.session.undo_stack.count()
    wire = Edge("conv", "out", "flat", "in")
    mouse_drag(window, header_point(window, relu), wire_middle(window, wire))
    assert Edge("conv", "out", relu, "in") in d.edges
    assert Edge(relu, "out", "flat", "in") in d.edges
    assert wire not in d.edges
    assert window.session.undo_stack.count() == steps + 1  # move and insert: one step
    window.session.undo_stack.undo()
    assert wire in d.edges and not d.edges_of(relu)
    assert d.nodes[relu].position == (480.0, 260.0)
    window.session.undo_stack.redo()
    assert Edge(relu, "out", "flat", "in") in d.edges


def test_wired_block_dragged_over_a_wire_only_moves(window) -> None:
    small(window)
    d = window.session.diagram
    before = list(d.edges)
    old = d.nodes["out"].position
    wire = Edge("conv", "out", "flat", "in")
    mouse_drag(window, header_point(window, "out"), wire_middle(window, wire))
    assert d.edges == before  # the block's own wires would be ambiguous: no insert
    assert d.nodes["out"].position != old


def test_paste_lands_at_the_mouse_over_the_canvas(window) -> None:
    small(window)
    d = window.session.diagram
    assert window.editor.copy(["conv"])
    target = QPointF(400.0, 300.0)
    QCursor.setPos(window.view.viewport().mapToGlobal(view_point(window, target)))
    window.act_paste.trigger()
    (pasted,) = set(d.nodes) - {"image", "conv", "flat", "fc", "out"}
    assert d.nodes[pasted].position == drop_position(target)

    QCursor.setPos(window.palette_panel.mapToGlobal(QPoint(5, 5)))  # mouse off the canvas
    window.act_paste.trigger()
    (second,) = set(d.nodes) - {"image", "conv", "flat", "fc", "out", pasted}
    x, y = d.nodes["conv"].position
    assert d.nodes[second].position == (x + 30.0, y + 30.0)  # just off the original
