"""What a new user hit with a real mouse and keyboard (issue 10, items 1-7)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel

from netbuilder.core.blocks import get_block
from netbuilder.core.builder import chain
from netbuilder.core.codegen import generate_code
from netbuilder.core.diagram import Diagram, Edge
from netbuilder.core.geometry import CARD_WIDTH
from netbuilder.core.io import load
from netbuilder.core.routing import Obstacles, polyline
from netbuilder.export import ExportResult
from netbuilder.gui.canvas.edge_item import WireLabel
from netbuilder.gui.canvas.node_item import (
    SUMMARY_LOD,
    SUMMARY_TITLE_MAX,
    NodeItem,
    fitted_size,
)
from netbuilder.gui.canvas.view import drop_position
from netbuilder.gui.export_dialog import READY_TEXT, ExportDialog
from netbuilder.gui.theme import FAR_ZOOM
from netbuilder.resources import EXAMPLES_DIR
from tests.gui.test_canvas import small
from tests.gui.ui import mouse_drag, port_pos


def test_wire_drag_selects_nothing_so_delete_removes_nothing_extra(window) -> None:
    """Item 1: the view started a rubber band under the wire and selected what it swept."""
    small(window)
    d = window.session.diagram
    d.move("fc", (720.0, 260.0))  # the sweep from conv to fc now covers flat
    window.view.fit()
    mouse_drag(window, port_pos(window, "conv", "out", True), port_pos(window, "fc", "in", False))
    assert Edge("conv", "out", "fc", "in") in d.edges
    assert window.scene.selected_node_ids() == []
    assert window.view.rubberBandRect().isEmpty()
    before = set(d.nodes)
    window.act_delete.trigger()
    assert set(d.nodes) == before


def _linear(window) -> tuple[object, object]:
    d = Diagram()
    chain(
        d,
        ("TabularInput", {"features": 4}, "x"),
        ("Linear", {"out_features": 3}, "fc"),
        ("Output", {}, "out"),
    )
    window.session.replace(d, None)
    window.scene.select_nodes(["fc"])
    return window.inspector.fields["in_features"], window.inspector.fields["out_features"]


def _focus(qtbot, widget) -> None:
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


def test_undo_merges_edits_only_while_one_field_keeps_the_focus(window, qtbot) -> None:
    """Item 2: 100, click elsewhere, clear: merged into nothing, and undo removed Output."""
    window.activateWindow()
    in_features, out_features = _linear(window)
    stack = window.session.undo_stack
    start = stack.count()
    _focus(qtbot, in_features)
    in_features.set_value_or_none(100)
    assert window.session.diagram.nodes["fc"].params["in_features"] == 100
    _focus(qtbot, window.problems)  # as the user did: a click in the Problems list
    _focus(qtbot, in_features)
    in_features.set_value_or_none(None)
    assert window.session.diagram.nodes["fc"].params["in_features"] is None
    assert stack.count() == start + 2, "two separate edits are two steps"
    stack.undo()
    assert window.session.diagram.nodes["fc"].params["in_features"] == 100
    assert "out" in window.session.diagram.nodes
    # while one field keeps the focus, the values typed on the way are one step
    _focus(qtbot, out_features)
    for v in (1, 12, 128):
        out_features.setValue(v)
    assert stack.count() == start + 2
    assert window.session.diagram.nodes["fc"].params["out_features"] == 128
    stack.undo()
    assert window.session.diagram.nodes["fc"].params["out_features"] == 3


def _hits(scene) -> list[tuple[Edge, list[str]]]:
    rects = {}
    for nid, item in scene.nodes.items():
        p = item.pos()
        rects[nid] = (p.x(), p.y(), p.x() + CARD_WIDTH, p.y() + item.height)
    obstacles = Obstacles(rects)
    bad = []
    for edge, item in scene.edges.items():
        hit = obstacles.hits(polyline(item.route), (edge.source, edge.target))
        if hit:
            bad.append((edge, hit))
    return bad


def test_skip_wires_go_around_the_blocks_they_bypass(window) -> None:
    """Item 3: after Ctrl+L the small ResNet's skips ran straight behind conv and BN."""
    window.session.replace(load(EXAMPLES_DIR / "small_resnet.nbd"), None)
    window.act_layout.trigger()
    assert _hits(window.scene) == []
    skips = [e for e in window.scene.edges if window.session.diagram.nodes[e.target].type == "Add"]
    assert any(len(window.scene.edges[e].route) > 2 for e in skips), "some skip is routed"
    # moving a block by hand re-plans the wires once the model has the move
    d = window.session.diagram
    old = {n: node.position for n, node in d.nodes.items()}
    first_add = next(e.target for e in skips)
    window.editor.move({first_add: old[first_add]}, {first_add: (old[first_add][0], 900.0)})
    window.scene.route_wires()
    assert _hits(window.scene) == []


def test_ctrl_l_refits_and_ctrl_0_keeps_text_readable(window) -> None:
    """Item 4: Ctrl+L left most of the network off screen; Ctrl+0 made label-less boxes."""
    window.session.replace(load(EXAMPLES_DIR / "small_resnet.nbd"), None)
    view = window.view
    view.resetTransform()
    view.zoom_by(3.0)
    view.centerOn(-5000, -5000)
    window.act_layout.trigger()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for nid, item in window.scene.nodes.items():
        assert visible.contains(item.sceneBoundingRect()), f"{nid} is off screen"
    view.zoom_by(4.0)
    window.act_fit.trigger()
    zoom = view.zoom
    assert zoom >= FAR_ZOOM, "the fitted network still draws as cards, not boxes"
    if zoom < SUMMARY_LOD:  # zoomed-out cards show type and size in a large font
        for item in window.scene.nodes.values():
            px = fitted_size(item.title, True, CARD_WIDTH - 12, SUMMARY_TITLE_MAX) * zoom * 96 / 72
            assert px >= 7.5, (item.title, px)
            assert item.summary, f"{item.node_id} shows its size when zoomed out"


def test_paste_over_the_original_lands_beside_it(window) -> None:
    """Item 5: pasting with the mouse over the copied block put the copy on top of it."""
    small(window)
    d = window.session.diagram
    window.editor.copy(["conv"])
    item = window.scene.nodes["conv"]
    over = item.mapToScene(item.boundingRect().center())
    (new,) = window.editor.paste(at=drop_position(over))
    x, y = d.nodes["conv"].position
    assert d.nodes[new].position == (x + 30.0, y + 30.0)
    (again,) = window.editor.paste(at=drop_position(over))
    assert d.nodes[again].position == (x + 60.0, y + 60.0), "a second paste cascades"
    # away from the original, the copy still lands under the mouse
    (far,) = window.editor.paste(at=(2000.0, 1000.0))
    assert d.nodes[far].position == (2000.0, 1000.0)


def test_shape_labels_on_short_wires_are_drawn_above_the_blocks(window) -> None:
    """Item 6: with blocks close together the label lay under them."""
    small(window)
    d = window.session.diagram
    for i, nid in enumerate(d.nodes):
        d.nodes[nid].position = (i * (CARD_WIDTH + 30.0), 0.0)
    window.session.replace(d.copy(), None)
    edge = Edge("conv", "out", "flat", "in")
    label = window.scene.edges[edge].label_item
    assert label.isVisible() and label.text == "B×8×28×28"
    assert label.rect.width() > 30.0, "the label is wider than the gap"
    top = window.scene.items(label.rect.center())[0]
    assert isinstance(top, WireLabel) and top is label
    assert label.zValue() > max(i.zValue() for i in window.scene.nodes.values())
    # it takes no clicks: a press on it still reaches the block under it
    assert label.acceptedMouseButtons() == Qt.MouseButton.NoButton


def test_output_block_has_one_name(window) -> None:
    """Item 7: Output showed "Name" and "name" in the inspector and "name" on its card."""
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("Output", {}, "out"))
    window.session.replace(d, None)
    window.scene.select_nodes(["out"])
    form = window.inspector.form
    labels = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, form.ItemRole.LabelRole)
        if item is not None and isinstance(item.widget(), QLabel):
            labels.append(item.widget().text().lower())
    assert labels == ["name"]
    card: NodeItem = window.scene.nodes["out"]
    assert card.detail == "" and "name" not in card.subtitle.replace("out", "")


def test_texts_read_correctly() -> None:
    """Item 7: "shrinking the an image"; "Generated by NetBuilder" twice in model.py."""
    for block in ("MaxPool2d", "AvgPool2d", "MaxPool1d", "AvgPool1d"):
        doc = get_block(block).doc
        assert " the an " not in doc and " the a " not in doc, doc
    d = load(EXAMPLES_DIR / "mlp_regressor.nbd")
    d.meta.pop("description", None)
    source = generate_code(d)
    assert source.count("Generated by NetBuilder") == 1


def test_export_dialog_forgets_the_last_result_when_the_format_changes(qtbot, tmp_path) -> None:
    """Item 7: "Exported and verified…" stayed under a format it was not about."""
    d = load(EXAMPLES_DIR / "mlp_regressor.nbd")
    dialog = ExportDialog(d, lambda: None, None, [])
    qtbot.addWidget(dialog)
    dialog.set_format("pt2")
    done = ExportResult("pt2", [tmp_path / "m.pt2"], 1e-7, 1e-5, (2,), 0.1, 0.1)
    dialog._finished(done)
    assert "Exported and verified" in dialog.result_label.text()
    dialog.set_format("python")
    assert dialog.result_label.text() == READY_TEXT
    assert dialog.result is None


def test_a_rerouted_wire_is_drawn_along_its_new_route(window, qtbot) -> None:
    """Seen under X: the route changed but the wire's cached picture still showed the
    curve through the block (the new route had the same bounding box as the curve)."""
    small(window)
    d = window.session.diagram
    d.disconnect(Edge("conv", "out", "flat", "in"))
    d.move("conv", (240.0, 80.0))
    d.move("flat", (480.0, 160.0))
    window.view.fit()
    d.connect("image", "out", "flat", "in")  # the curve runs through conv
    item = window.scene.edges[Edge("image", "out", "flat", "in")]
    window.view.viewport().grab()  # painted once as a curve: now a cached picture
    qtbot.waitUntil(lambda: len(item.route) > 2, timeout=2000)
    runs = [(b[0] - a[0], a, b) for a, b in itertools.pairwise(item.route) if a[1] == b[1]]
    _, a, b = max(runs)
    image = window.view.viewport().grab().toImage()
    background = window.scene.theme.background.rgb() & 0xFFFFFF
    at = window.view.mapFromScene(QPointF((a[0] + b[0]) / 2, a[1]))
    around = [
        image.pixel(at.x() + dx, at.y() + dy) & 0xFFFFFF
        for dx in range(-2, 3)
        for dy in range(-2, 3)
    ]
    assert any(c != background for c in around), "the wire is drawn along its route"


def test_far_out_cards_all_carry_a_readable_type(qapp) -> None:
    """Level of detail below the card zoom: every block type gets a name (cut to its
    capitals when long) big enough to read on screen at 85 % of the far-out threshold."""
    from PySide6.QtCore import QRectF

    from netbuilder.core.blocks import BLOCKS
    from netbuilder.gui.canvas.overview import MIN_READABLE_PX, PX_PER_POINT, far_title

    zoom = FAR_ZOOM * 0.85
    for type_name in BLOCKS:
        _, text, size = far_title(QRectF(), type_name)
        assert text and size * zoom * PX_PER_POINT >= MIN_READABLE_PX, (type_name, text, size)
