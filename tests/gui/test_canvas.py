"""Canvas gestures: wiring, re-wiring, inserting on a wire, search-to-add, moving, zoom, pan."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram, Edge
from netbuilder.core.layout import layout
from tests.gui.ui import drop_block, mouse_drag, port_pos, view_point


def small(window) -> None:
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 1, "height": 28, "width": 28}, "image"),
        ("Conv2d", {"out_channels": 8, "padding": 1}, "conv"),
        ("Flatten", {}, "flat"),
        ("Linear", {"out_features": 10}, "fc"),
        ("Output", {}, "out"),
    )
    for i, nid in enumerate(d.nodes):
        d.nodes[nid].position = (i * 240.0, 0.0)
    window.session.replace(d, None)
    window.view.resetTransform()
    window.view.centerOn(500, 40)


def test_drop_on_wire_inserts_block(window) -> None:
    small(window)
    wire = window.scene.edges[Edge("conv", "out", "flat", "in")]
    mid = wire.shape().boundingRect().center()
    mid = wire._path.pointAtPercent(0.5)
    new = drop_block(window, "ReLU", mid)
    d = window.session.diagram
    assert Edge("conv", "out", new, "in") in d.edges
    assert Edge(new, "out", "flat", "in") in d.edges
    assert Edge("conv", "out", "flat", "in") not in d.edges
    window.session.undo_stack.undo()
    assert Edge("conv", "out", "flat", "in") in d.edges and new not in d.nodes


def test_wire_released_on_empty_canvas_offers_fitting_blocks(window) -> None:
    small(window)
    start = port_pos(window, "conv", "out", True)
    mouse_drag(window, start, start + QPointF(60, 160))
    popup = window.view.popup
    assert popup is not None and popup.isVisible()
    shown = popup.visible_types()
    assert "ReLU" in shown and "MaxPool2d" in shown
    assert "LSTM" not in shown and "Embedding" not in shown  # do not fit B×8×28×28
    popup.search.setText("maxpool2")
    popup.accept_current()
    d = window.session.diagram
    (new,) = [n for n in d.nodes if d.nodes[n].type == "MaxPool2d"]
    assert Edge("conv", "out", new, "in") in d.edges
    assert window.session.undo_stack.count() == 1  # add + connect is one step


def test_ports_that_fit_light_up_while_dragging(window) -> None:
    small(window)
    vp = window.view.viewport()
    a = view_point(window, port_pos(window, "image", "out", True))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(vp, a + (a * 0 + a.__class__(40, 40)))
    lit = {
        n
        for n, item in window.scene.nodes.items()
        if item.inputs.get("in") and item.inputs["in"].highlighted
    }
    assert "conv" in lit and "flat" in lit
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    assert not any(p.highlighted for i in window.scene.nodes.values() for p in i.inputs.values())


def test_drag_wire_end_reconnects_and_detaches(window) -> None:
    small(window)
    d = window.session.diagram
    window.session.diagram  # noqa: B018
    wire = window.scene.edges[Edge("flat", "out", "fc", "in")]
    # pick up the target end and drop it on the Output block's input: re-wire
    mouse_drag(window, wire.end - QPointF(4, 0), port_pos(window, "out", "in", False))
    assert Edge("flat", "out", "out", "in") in d.edges
    assert Edge("fc", "out", "out", "in") not in d.edges  # inputs take one wire
    assert Edge("flat", "out", "fc", "in") not in d.edges
    # pick up an end and drop it on empty canvas: detach
    wire = window.scene.edges[Edge("image", "out", "conv", "in")]
    mouse_drag(window, wire.end - QPointF(4, 0), wire.end + QPointF(0, 200))
    assert Edge("image", "out", "conv", "in") not in d.edges
    assert any(diag.node_id == "conv" for diag in window.session.analysis.errors)


def test_double_click_and_tab_open_search_and_add(window) -> None:
    small(window)
    vp = window.view.viewport()
    p = view_point(window, QPointF(300, 300))
    QTest.mouseDClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p)
    assert window.view.popup is not None
    window.view.popup.search.setText("dropout")
    QTest.keyClick(window.view.popup.search, Qt.Key.Key_Return)
    assert any(n.type == "Dropout" for n in window.session.diagram.nodes.values())
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.view.popup is not None and window.view.popup.isVisible()
    window.view.popup.close()


def test_move_is_one_step_and_snaps_to_grid(window) -> None:
    small(window)
    item = window.scene.nodes["conv"]
    centre = item.mapToScene(item.boundingRect().center()) + QPointF(0, 10)
    window.scene.select_nodes(["conv", "flat"])
    vp = window.view.viewport()
    a = view_point(window, centre)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, a)
    QTest.mouseMove(vp, a)
    for dx in (10, 23, 37):
        QTest.mouseMove(vp, a + a.__class__(dx, dx))
    QTest.mouseRelease(
        vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, a + a.__class__(37, 37)
    )
    d = window.session.diagram
    assert window.session.undo_stack.count() == 1
    x, y = d.nodes["conv"].position
    assert (x, y) != (240.0, 0.0) and x % 10 == 0 and y % 10 == 0
    window.session.undo_stack.undo()
    assert d.nodes["conv"].position == (240.0, 0.0)
    assert window.scene.nodes["conv"].pos() == QPointF(240, 0)


def test_rubber_band_delete_select_all_and_layout(window) -> None:
    small(window)
    window.view.fit()
    vp = window.view.viewport()
    a = view_point(window, QPointF(-60, -100))
    b = view_point(window, QPointF(430, 200))
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 5):
        QTest.mouseMove(vp, a + (b - a) * (i / 4))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert window.scene.selected_node_ids() == ["image", "conv"]
    window.act_delete.trigger()
    assert set(window.session.diagram.nodes) == {"flat", "fc", "out"}
    window.act_select_all.trigger()
    assert len(window.scene.selected_node_ids()) == 3
    window.session.undo_stack.undo()
    window.session.diagram.move("out", (999.0, 999.0))
    window.act_layout.trigger()
    vp = window.view.viewport()
    expected = layout(window.session.diagram, wrap=True, aspect=vp.width() / vp.height())
    assert expected["out"] != (999.0, 999.0)
    assert {n: node.position for n, node in window.session.diagram.nodes.items()} == expected


def test_zoom_pan_fit(window) -> None:
    small(window)
    v = window.view
    z = v.zoom
    v.zoom_in()
    assert v.zoom > z
    v.zoom_out()
    v.zoom_out()
    assert v.zoom < z
    before = v.mapToScene(v.viewport().rect().center())
    vp = v.viewport()
    c = vp.rect().center()
    QTest.mousePress(vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, c)
    QTest.mouseMove(vp, c + c.__class__(50, 30))
    QTest.mouseRelease(
        vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, c + c.__class__(50, 30)
    )
    after = v.mapToScene(v.viewport().rect().center())
    assert after != before
    v.fit()
    content = window.scene.content_rect()
    assert v.mapToScene(vp.rect()).boundingRect().contains(content)
    assert window.act_zoom_in.shortcut() == QKeySequence(QKeySequence.StandardKey.ZoomIn)


def test_far_zoom_draws_overview_and_keeps_editing(window, tmp_path) -> None:
    from PySide6.QtWidgets import QGraphicsItem

    from netbuilder.gui.canvas.image_export import save_scene_image

    small(window)
    no_contents = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    v = window.view
    v.zoom_by(0.1 / v.zoom)
    v.viewport().repaint()
    assert window.scene.far
    assert all(item.flags() & no_contents for item in window.scene.nodes.values())
    # clicking a block far out still selects it
    item = window.scene.nodes["fc"]
    centre = item.mapToScene(item.boundingRect().center())
    QTest.mouseClick(
        v.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view_point(window, centre),
    )
    assert window.scene.selected_node_ids() == ["fc"]
    # a picture taken while zoomed out still shows full cards
    svg = save_scene_image(window.scene, tmp_path / "far.svg").read_text()
    assert "Conv2d" in svg and "B×8×28×28" in svg
    assert window.scene.far
    v.reset_zoom()
    assert not window.scene.far
    assert not any(item.flags() & no_contents for item in window.scene.nodes.values())
