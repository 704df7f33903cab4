"""Inspector, problems list, status bar, palette and clipboard."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QSpinBox

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram, Edge
from netbuilder.core.io import load
from netbuilder.gui.clipboard import MIME_TYPE
from netbuilder.gui.widgets.param_editors import OptionalIntSpinBox
from netbuilder.resources import EXAMPLES_DIR
from tests.gui.ui import click_node, mouse_drag, port_pos


def open_cnn(window) -> None:
    window.session.replace(load(EXAMPLES_DIR / "cnn_image_classifier.nbd"), None)
    window.view.fit()


def test_inspector_form_follows_spec_and_refuses_invalid(window) -> None:
    open_cnn(window)
    click_node(window, "conv1")
    insp = window.inspector
    assert insp.node_id == "conv1"
    spin = insp.fields["out_channels"]
    assert isinstance(spin, QSpinBox) and spin.minimum() == 1 and spin.value() == 16
    infer = insp.fields["in_channels"]
    assert isinstance(infer, OptionalIntSpinBox) and infer.value_or_none() is None
    assert infer.text() == "auto (3)"  # None in the model, the inferred size shown
    assert "B×3×32×32" in insp.shapes.text() and "B×16×32×32" in insp.shapes.text()
    assert "448" in insp.shapes.text()  # 3*16*9 + 16 parameters
    assert insp.doc.text()
    steps = window.session.undo_stack.count()
    infer.lineEdit().selectAll()
    QTest.keyClicks(infer, "0")  # the "auto" position typed as a number: refused
    QTest.keyClick(infer, Qt.Key.Key_Return)
    assert "at least 1" in insp.error.text()
    assert window.session.diagram.nodes["conv1"].params["in_channels"] is None
    assert window.session.undo_stack.count() == steps
    pad = insp.fields["padding"]
    pad.setText("wide")
    pad.editingFinished.emit()
    assert insp.error.text() and window.session.diagram.nodes["conv1"].params["padding"] == 1
    # a good value goes through the undo stack and reaches the canvas
    spin.setValue(24)
    assert window.session.diagram.nodes["conv1"].params["out_channels"] == 24
    assert "out 24" in window.scene.nodes["conv1"].detail
    assert window.session.undo_stack.count() == steps + 1
    assert not insp.error.text()


def test_wrong_connection_shows_problem_on_node_and_fix_clears_it(window) -> None:
    d = Diagram()
    chain(d, ("SequenceInput", {"length": 12, "features": 4}, "seq"))
    chain(d, ("ImageInput", {"channels": 1, "height": 8, "width": 8}, "img"))
    chain(d, ("LSTM", {"hidden_size": 16}, "lstm"), ("Linear", {"out_features": 2}, "fc"), "Output")
    for i, nid in enumerate(d.nodes):
        d.nodes[nid].position = (0.0 if i < 2 else (i - 1) * 240.0, 0.0 if i != 1 else 160.0)
    window.session.replace(d, None)
    window.view.resetTransform()
    window.view.centerOn(300, 80)
    mouse_drag(window, port_pos(window, "img", "out", True), port_pos(window, "lstm", "in", False))
    errors = window.session.analysis.errors
    assert [e.node_id for e in errors] == ["lstm"]
    assert window.scene.nodes["lstm"].error and "LSTM" in window.scene.nodes["lstm"].toolTip()
    assert window.scene.edges[Edge("img", "out", "lstm", "in")].error
    assert "lstm" in window.problems.node_ids()
    assert "problem" in window.valid_label.text()
    window.problems.setCurrentRow(0)
    window.problems.itemClicked.emit(window.problems.item(0))
    assert window.scene.selected_node_ids() == ["lstm"]
    # fix it: drag the sequence input onto the LSTM (replaces the wrong wire)
    mouse_drag(window, port_pos(window, "seq", "out", True), port_pos(window, "lstm", "in", False))
    assert window.session.analysis.ok
    assert not window.scene.nodes["lstm"].error
    assert not any(e.error for e in window.scene.edges.values())
    assert "Valid" in window.valid_label.text()


def test_palette_search_and_activation(window) -> None:
    pal = window.palette_panel
    pal.search.setText("pool 2d")
    shown = pal.visible_types()
    assert "MaxPool2d" in shown and "AvgPool2d" in shown and "Conv2d" not in shown
    pal.search.clear()
    assert len(pal.visible_types()) == len(pal.items)
    pal.tree.itemActivated.emit(pal.items["GELU"], 0)
    assert [n.type for n in window.session.diagram.nodes.values()] == ["GELU"]


def test_copy_paste_between_windows(make_window, qapp) -> None:
    a, b = make_window(), make_window()
    open_cnn(a)
    a.scene.select_nodes(["conv1", "relu1", "pool1"])
    a.act_copy.trigger()
    assert qapp.clipboard().mimeData().hasFormat(MIME_TYPE)
    assert '"netbuilder-fragment"' in qapp.clipboard().text()
    b.act_paste.trigger()
    d = b.session.diagram
    assert sorted(n.type for n in d.nodes.values()) == ["Conv2d", "MaxPool2d", "ReLU"]
    assert len(d.edges) == 2
    assert b.scene.selected_node_ids() == list(d.nodes)
    b.act_paste.trigger()  # pasting again makes fresh ids
    assert len(d.nodes) == 6 and len(d.edges) == 4
    a.act_cut.trigger()
    assert "conv1" not in a.session.diagram.nodes
    a.act_paste.trigger()
    assert {"conv1", "relu1", "pool1"} <= set(a.session.diagram.nodes)
    a.scene.select_nodes(["fc1"])
    a.act_duplicate.trigger()
    assert "fc3" in a.session.diagram.nodes
    qapp.clipboard().setText("not blocks")
    b.act_paste.trigger()
    assert "does not hold NetBuilder blocks" in b.statusBar().currentMessage()


def test_history_view_and_undo_actions(window) -> None:
    open_cnn(window)
    window.editor.add_block("ReLU", (0.0, 300.0))
    assert window.history.stack() is window.session.undo_stack
    assert window.act_undo.isEnabled() and "Add ReLU" in window.act_undo.text()
    window.act_undo.trigger()
    assert not window.act_undo.isEnabled()
    window.act_redo.trigger()
    assert "relu4" in window.session.diagram.nodes
    assert window.scene.nodes["relu4"].pos() == QPointF(0, 300)


def test_canvas_follows_light_and_dark_palette(window, qapp) -> None:
    from PySide6.QtGui import QColor, QPalette

    open_cnn(window)
    light = qapp.palette()
    assert not window.scene.theme.dark
    dark = QPalette(light)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    try:
        qapp.setPalette(dark)
        qapp.processEvents()
        assert window.scene.theme.dark
        assert window.scene.nodes["conv1"].theme is window.scene.theme
        assert window.scene.backgroundBrush() is not None
    finally:
        qapp.setPalette(light)
        qapp.processEvents()
    assert not window.scene.theme.dark
