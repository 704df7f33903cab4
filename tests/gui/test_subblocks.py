"""Sub-blocks in the editor: make, open, edit, go back, undo, expand (issue 10).

Every step goes through what a user touches (actions, the dialog, the breadcrumb, the
inspector) and is checked against the model, and each edit is undone back to the exact
JSON it started from.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netbuilder.core.diagram import Diagram
from netbuilder.gui.subblocks.dialog import MakeSubBlockDialog

LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier


def chain() -> Diagram:
    """image → conv → bn → relu → flatten → fc → output, with a wire that crosses twice."""
    d = Diagram()
    d.add_node("ImageInput", {"channels": 3, "height": 8, "width": 8}, (0, 0), node_id="image")
    d.add_node("Conv2d", {"out_channels": 4, "padding": 1}, (240, 0), node_id="conv1")
    d.add_node("BatchNorm2d", {}, (480, 0), node_id="bn1")
    d.add_node("ReLU", {}, (720, 0), node_id="relu1")
    d.add_node("Flatten", {}, (960, 0), node_id="flat")
    d.add_node("Linear", {"out_features": 10}, (1200, 0), node_id="fc")
    d.add_node("Output", {}, (1440, 0), node_id="output")
    for a, b in [
        ("image", "conv1"),
        ("conv1", "bn1"),
        ("bn1", "relu1"),
        ("relu1", "flat"),
        ("flat", "fc"),
        ("fc", "output"),
    ]:
        d.connect(a, "out", b, "in")
    return d


def snapshot(window) -> str:
    return json.dumps(window.session.diagram.to_dict(), sort_keys=True)


def load(window, diagram: Diagram) -> None:
    window.session.replace(diagram, None)
    window.after_load()


def answer(name: str, exposed: list[tuple[str, str]] | None = None):
    """A stand-in for the user in the Make Sub-block dialog: types ``name``, ticks ``exposed``
    (or keeps the default ticks) and presses OK if the dialog lets them."""

    def ask(dialog: MakeSubBlockDialog) -> bool:
        answer.last = dialog  # type: ignore[attr-defined]
        dialog.name.setText(name)
        if exposed is not None:
            dialog.set_exposed(exposed)
        return dialog.ok.isEnabled()

    return ask


def make_block(window, ids: list[str], name: str = "ConvUnit", exposed=None) -> str:
    window.scene.select_nodes(ids)
    window.subblocks.ask = answer(name, exposed)
    window.subblocks.act_make.trigger()
    (use,) = [n for n, node in window.session.diagram.nodes.items() if node.type == name]
    return use


def double_click(window, node_id: str) -> None:
    item = window.scene.nodes[node_id]
    centre = item.mapToScene(item.boundingRect().center())
    QTest.mouseDClick(window.view.viewport(), LEFT, NOMOD, window.view.mapFromScene(centre))


def test_make_subblock_from_selection_is_one_undo_step(window):
    load(window, chain())
    before = snapshot(window)
    params_before = window.session.analysis.total_params
    use = make_block(window, ["conv1", "bn1", "relu1"])
    d = window.session.diagram
    assert set(d.nodes) == {"image", use, "flat", "fc", "output"}
    assert "ConvUnit" in d.definitions
    body = d.definitions["ConvUnit"].body
    assert {"conv1", "bn1", "relu1"} <= set(body.nodes)
    # the dialog ticked the key settings: conv1's out_channels became the block's setting
    assert d.nodes[use].params == {"out_channels": 4}
    assert window.session.analysis.total_params == params_before  # same network
    assert not window.session.analysis.errors
    assert window.scene.nodes[use].subblock  # drawn as a sub-block
    assert window.scene.selected_node_ids() == [use]
    stack = window.session.undo_stack
    assert stack.count() == 1 and "ConvUnit" in stack.text(0)
    stack.undo()
    assert snapshot(window) == before
    assert set(window.scene.nodes) == set(d.nodes)
    stack.redo()
    assert "ConvUnit" in d.definitions and use in d.nodes


def test_dialog_refuses_taken_and_library_names(window):
    load(window, chain())
    make_block(window, ["conv1"], "Unit")
    window.scene.select_nodes(["bn1"])
    seen = {}

    def ask(dialog: MakeSubBlockDialog) -> bool:
        for name in ("Unit", "Conv2d", "2fast", "Fine"):
            dialog.name.setText(name)
            seen[name] = dialog.ok.isEnabled()
        return False  # Cancel

    window.subblocks.ask = ask
    count = window.session.undo_stack.count()
    window.subblocks.act_make.trigger()
    assert seen == {"Unit": False, "Conv2d": False, "2fast": False, "Fine": True}
    assert window.session.undo_stack.count() == count  # cancelled: nothing happened


def test_one_name_sets_several_inner_settings(window):
    """Two convolutions whose out_channels are ticked share one setting by default; renamed,
    they are two; a name that is not a word is refused."""
    d = chain()
    d.add_node("Conv2d", {"out_channels": 4, "padding": 1}, (600, 200), node_id="conv2")
    d.disconnect(next(e for e in d.edges if e.source == "bn1"))
    d.connect("bn1", "out", "conv2", "in")
    d.connect("conv2", "out", "relu1", "in")
    load(window, d)
    window.scene.select_nodes(["conv1", "bn1", "conv2"])
    seen = {}

    def ask(dialog: MakeSubBlockDialog) -> bool:
        seen["default"] = dialog.exposed()
        dialog.items[("conv2", "out_channels")].setText(1, "not a word")
        seen["refused"] = dialog.ok.isEnabled()
        dialog.items[("conv2", "out_channels")].setText(1, "out_channels")
        dialog.name.setText("Pair")
        return dialog.ok.isEnabled()

    window.subblocks.ask = ask
    window.subblocks.act_make.trigger()
    assert seen["default"] == {
        "out_channels": [("conv1", "out_channels"), ("conv2", "out_channels")]
    }
    assert seen["refused"] is False
    d = window.session.diagram
    (use,) = [n for n, node in d.nodes.items() if node.type == "Pair"]
    window.scene.select_nodes([use])
    window.inspector.fields["out_channels"].setValue(6)
    inner = window.session.analysis.inner[use]
    assert inner.nodes["conv1"].outputs["out"].shape[0] == 6
    assert inner.nodes["conv2"].outputs["out"].shape[0] == 6


def test_double_click_opens_the_definition_and_breadcrumb_goes_back(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1", "relu1"])
    double_click(window, use)
    scope = window.session.scope
    body = window.session.diagram.definitions["ConvUnit"].body
    assert scope.diagram is body
    assert window.scene.diagram is body
    assert set(window.scene.nodes) == set(body.nodes)
    crumb = window.subblocks.breadcrumb
    assert crumb.isVisible() and crumb.names == ["Network", "ConvUnit"]
    # shapes inside are those of the use: conv1 receives the image
    result = window.scene.analysis.nodes["conv1"]
    assert str(result.outputs["out"]) and window.scene.edges  # wires carry labels
    into_conv = next(e for e in window.scene.edges if e.target == "conv1")
    assert window.scene.edges[into_conv].label == "B×3×8×8"
    (back,) = crumb.crumb_buttons()
    back.click()
    assert scope.at_top and window.scene.diagram is window.session.diagram
    assert not crumb.isVisible()
    assert use in window.scene.nodes


def test_body_edit_updates_every_use_and_undo_reopens_the_body(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1", "relu1"], exposed=[])
    d = window.session.diagram
    params_before = window.session.analysis.nodes[use].param_count
    window.subblocks.open_node(use)
    window.editor.set_param("conv1", "out_channels", 8)
    body = d.definitions["ConvUnit"].body
    assert body.nodes["conv1"].params["out_channels"] == 8
    window.session.scope.up()
    # the use follows its definition: more parameters, wider output on its wire
    after = window.session.analysis.nodes[use]
    assert after.param_count > params_before
    assert after.outputs["out"].shape[0] == 8
    wire = next(e for e in d.edges if e.source == use)
    assert window.scene.edges[wire].label == "B×8×8×8"
    # Ctrl+Z at the top level undoes the body edit and shows where it happened
    window.act_undo.trigger()
    assert body.nodes["conv1"].params["out_channels"] == 4
    assert window.session.scope.diagram is body
    assert window.scene.diagram is body
    window.session.scope.up()
    assert window.session.analysis.nodes[use].param_count == params_before
    window.act_redo.trigger()
    assert body.nodes["conv1"].params["out_channels"] == 8


def test_escape_and_alt_up_go_back(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1"])
    window.subblocks.open_node(use)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.session.scope.at_top
    window.subblocks.open_node(use)
    QTest.keyClick(window.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.session.scope.at_top


def test_undo_through_make_and_back_keeps_body_edits(window):
    """A definition removed by undo and brought back by redo has a new body object: the
    body edit's redo must land in the live one."""
    load(window, chain())
    use = make_block(window, ["conv1", "bn1"], exposed=[])
    window.subblocks.open_node(use)
    window.editor.set_param("conv1", "out_channels", 6)
    window.session.scope.up()
    stack = window.session.undo_stack
    stack.undo()  # the body edit
    stack.undo()  # the make
    assert "ConvUnit" not in window.session.diagram.definitions
    assert window.session.scope.at_top
    stack.redo()
    stack.redo()
    body = window.session.diagram.definitions["ConvUnit"].body
    assert body.nodes["conv1"].params["out_channels"] == 6
    assert window.scene.diagram is body


def test_expand_is_undoable(window):
    load(window, chain())
    original = snapshot(window)
    params = window.session.analysis.total_params
    use = make_block(window, ["conv1", "bn1", "relu1"])
    made = snapshot(window)
    window.scene.select_nodes([use])
    window.subblocks.act_expand.trigger()
    d = window.session.diagram
    assert use not in d.nodes and "ConvUnit" not in d.definitions
    assert {"conv1", "bn1", "relu1"} <= set(d.nodes)
    assert window.session.analysis.total_params == params
    assert window.scene.selected_node_ids() == ["conv1", "bn1", "relu1"]
    window.session.undo_stack.undo()
    assert snapshot(window) == made
    window.session.undo_stack.undo()
    assert snapshot(window) == original


def test_inspector_shows_exposed_settings_and_buttons(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1", "relu1"])
    window.scene.select_nodes([use])
    inspector = window.inspector
    assert inspector.node_id == use
    assert "out_channels" in inspector.fields
    assert not inspector.subblock_row.isHidden()
    inspector.fields["out_channels"].setValue(16)
    assert window.session.diagram.nodes[use].params["out_channels"] == 16
    assert window.session.analysis.nodes[use].outputs["out"].shape[0] == 16
    inspector.edit_definition.click()
    assert window.session.scope.diagram is window.session.diagram.definitions["ConvUnit"].body
    window.session.scope.up()
    window.scene.select_nodes([use])
    window.inspector.expand.click()
    assert use not in window.session.diagram.nodes
    # an ordinary block has no sub-block buttons
    window.scene.select_nodes(["fc"])
    assert window.inspector.subblock_row.isHidden()


def test_nested_subblock_grows_the_breadcrumb(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1", "relu1"], "Outer", exposed=[])
    window.subblocks.open_node(use)
    inner = make_block_in_body(window, ["bn1", "relu1"], "Inner")
    window.subblocks.open_node(inner)
    assert window.subblocks.breadcrumb.names == ["Network", "Outer", "Inner"]
    assert window.session.scope.diagram is window.session.diagram.definitions["Inner"].body
    window.subblocks.breadcrumb.crumb_buttons()[1].click()  # "Outer"
    assert window.session.scope.diagram is window.session.diagram.definitions["Outer"].body
    assert not window.session.analysis.errors
    # undo of the nested make, from the top, reopens Outer and puts bn1, relu1 back
    window.session.scope.go_to(0)
    window.session.undo_stack.undo()
    outer = window.session.diagram.definitions["Outer"].body
    assert window.session.scope.diagram is outer
    assert {"bn1", "relu1"} <= set(outer.nodes)
    assert "Inner" not in window.session.diagram.definitions


def make_block_in_body(window, ids: list[str], name: str) -> str:
    window.scene.select_nodes(ids)
    window.subblocks.ask = answer(name, [])
    window.subblocks.act_make.trigger()
    (use,) = [n for n, node in window.session.scope.diagram.nodes.items() if node.type == name]
    return use


def test_a_subblock_cannot_be_added_inside_itself(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1"], exposed=[])
    window.subblocks.open_node(use)
    assert "ConvUnit" not in window.palette_panel.visible_types()
    assert "SubInput" in window.palette_panel.visible_types()
    window.scene.select_nodes(["conv1"])
    window.act_copy.trigger()
    window.session.scope.up()
    window.scene.select_nodes([use])
    window.act_copy.trigger()
    window.subblocks.open_node(use)
    count = window.session.undo_stack.count()
    assert window.editor.paste() == []
    assert window.session.undo_stack.count() == count


def test_make_refuses_inputs_and_outputs_before_asking(window):
    load(window, chain())
    window.scene.select_nodes(["image", "conv1"])
    messages = []
    window.editor.message.connect(messages.append)

    def ask(dialog):
        raise AssertionError("the dialog must not open for a selection that cannot be made")

    window.subblocks.ask = ask
    window.subblocks.act_make.trigger()
    assert messages and "ImageInput image cannot go inside a sub-block" in messages[-1]
    assert window.session.undo_stack.count() == 0


def test_inside_a_definition_exposed_settings_are_set_per_use(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1"])  # conv1's out_channels is exposed
    window.scene.select_nodes([use])
    window.inspector.fields["out_channels"].setValue(12)
    window.subblocks.open_node(use)
    window.scene.select_nodes(["conv1"])
    field = window.inspector.fields["out_channels"]
    assert not field.isEnabled()
    assert field.value() == 12  # what this use sets, not the body's stored 4
    assert window.inspector.fields["kernel_size"].isEnabled()


def test_breadcrumb_stays_put_when_the_view_moves(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1"])
    window.subblocks.open_node(use)
    crumb = window.subblocks.breadcrumb
    before = crumb.pos()
    window.view.pan_by(250, 120)
    window.view.zoom_by(0.5)
    assert crumb.pos() == before
    assert crumb.geometry().top() < 40


def test_output_card_follows_what_arrives(window):
    """An Output card's zoomed-out size is what arrives: it must change with its input (it
    kept the old size, as the SubOutput inside a reopened definition did after an undo)."""
    load(window, chain())
    assert window.scene.nodes["output"].summary == "10"
    window.editor.set_param("fc", "out_features", 5)
    assert window.scene.nodes["output"].summary == "5"
    use = make_block(window, ["conv1", "bn1"], exposed=[])
    window.subblocks.open_node(use)
    window.editor.set_param("conv1", "stride", 2)
    window.session.scope.up()
    window.act_undo.trigger()  # reopens the definition, then the check arrives
    (port,) = [n for n, node in window.scene.diagram.nodes.items() if node.type == "SubOutput"]
    assert window.scene.nodes[port].summary == "4×8×8"


def test_going_back_returns_to_the_view_the_user_left(window):
    load(window, chain())
    use = make_block(window, ["conv1", "bn1"])
    window.view.zoom_by(1.7)
    window.view.centerOn(window.scene.nodes["fc"])
    zoom = window.view.zoom
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    window.subblocks.open_node(use)
    assert window.view.zoom != zoom  # the definition is framed
    window.session.scope.up()
    assert abs(window.view.zoom - zoom) < 1e-9
    now = window.view.mapToScene(window.view.viewport().rect().center())
    assert abs(now.x() - centre.x()) < 2 and abs(now.y() - centre.y()) < 2
