"""Sub-blocks across the window: the palette's "My blocks", copy/paste between documents,
problems inside a definition, and a saved file opened again (issue 10)."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load, save
from netbuilder.gui.canvas.add_popup import AddBlockPopup
from netbuilder.gui.docks.problems import PATH_ROLE
from tests.core.subblock_samples import nested_stage
from tests.gui.test_subblocks import chain, make_block
from tests.gui.test_subblocks import load as show
from tests.gui.ui import drop_block


def test_palette_lists_this_documents_blocks_only(make_window):
    first, second = make_window(), make_window()
    show(first, chain())
    show(second, chain())
    make_block(first, ["conv1", "bn1"], "FirstUnit")
    palette = first.palette_panel
    assert "FirstUnit" in palette.own_items
    assert palette.visible_types()[0] == "FirstUnit"  # the document's own come first
    assert "FirstUnit" not in second.palette_panel.own_items  # state belongs to its document
    palette.search.setText("firstu")
    assert palette.visible_types() == ["FirstUnit"]
    palette.search.setText("my blocks")
    assert palette.visible_types() == ["FirstUnit"]
    palette.search.clear()
    assert "SubInput" not in palette.visible_types()  # ports only inside a definition
    # another document in the same window: its own blocks (none), then the first's again
    first.session.undo_stack.setClean()
    first.files.new()
    assert palette.own_items == {}
    assert palette.own_head.isHidden()
    show(first, nested_stage())
    assert set(palette.own_items) == {"Unit", "Stage"}


def test_drag_from_my_blocks_and_add_search(window):
    show(window, chain())
    make_block(window, ["conv1", "bn1"], "ConvUnit")
    nid = drop_block(window, "ConvUnit", QPointF(300, 400))
    d = window.session.diagram
    assert d.nodes[nid].type == "ConvUnit"
    assert window.scene.nodes[nid].subblock
    popup = AddBlockPopup(window.view, None, d)
    popup.search.setText("convunit")
    assert popup.visible_types() == ["ConvUnit"]
    popup.close()
    # the add-search opened inside the definition offers the ports but not itself
    window.subblocks.open_node(nid)
    inner = window.view.open_search(QPointF(0, 0))
    assert inner is not None
    inner.search.setText("sub")
    assert "SubInput" in inner.visible_types() and "SubOutput" in inner.visible_types()
    inner.search.clear()
    assert "ConvUnit" not in inner.visible_types()
    inner.close()


def test_copy_paste_between_windows_keeps_the_definition(make_window):
    a, b = make_window(), make_window()
    show(a, chain())
    show(b, chain())
    use = make_block(a, ["conv1", "bn1", "relu1"], "ConvUnit")
    a.scene.select_nodes([use])
    a.act_copy.trigger()
    pasted = b.editor.paste()
    (new,) = pasted
    db = b.session.diagram
    assert db.nodes[new].type == "ConvUnit"
    assert db.definitions["ConvUnit"].body.to_dict() == (
        a.session.diagram.definitions["ConvUnit"].body.to_dict()
    )
    assert "ConvUnit" in b.palette_panel.own_items
    assert b.session.undo_stack.count() == 1
    # a second paste reuses the definition it brought the first time
    b.editor.paste()
    assert list(db.definitions) == ["ConvUnit"]
    # undo takes the pasted blocks and the definition back out, in one step each
    b.session.undo_stack.undo()
    b.session.undo_stack.undo()
    assert db.definitions == {} and all(n.type != "ConvUnit" for n in db.nodes.values())


def test_paste_renames_a_different_definition_of_the_same_name(make_window):
    a, b = make_window(), make_window()
    show(a, chain())
    show(b, chain())
    use = make_block(a, ["conv1", "bn1"], "Unit")
    make_block(b, ["relu1"], "Unit")
    a.scene.select_nodes([use])
    a.act_copy.trigger()
    (new,) = b.editor.paste()
    db = b.session.diagram
    assert db.nodes[new].type == "Unit_2"
    assert set(db.definitions) == {"Unit", "Unit_2"}
    assert set(db.definitions["Unit"].body.nodes) >= {"relu1"}
    assert set(db.definitions["Unit_2"].body.nodes) >= {"conv1", "bn1"}


def test_clicking_a_problem_inside_a_subblock_opens_it(window):
    d = nested_stage()
    d.definitions["Unit"].body.set_param("u1_conv", "padding", 0)
    show(window, d)
    problems = window.problems
    row = next(i for i in range(problems.count()) if problems.item(i).data(PATH_ROLE))
    item = problems.item(row)
    assert item.text().startswith("stage1 › unit1 › u1_add:")
    problems.itemClicked.emit(item)
    scope = window.session.scope
    assert [lv.name for lv in scope.path] == ["Stage", "Unit"]
    assert window.subblocks.breadcrumb.names == ["Network", "Stage", "Unit"]
    assert window.scene.selected_node_ids() == ["u1_add"]
    assert window.scene.nodes["u1_add"].error  # drawn red, with the use's shapes
    # a problem of the network itself brings the canvas back to the top level
    window.select_node("fc")
    assert scope.at_top and window.scene.selected_node_ids() == ["fc"]


def test_saved_subblocks_open_again_with_the_palette(window, tmp_path):
    show(window, chain())
    make_block(window, ["conv1", "bn1"], "ConvUnit")
    path = tmp_path / "net.nbd"
    save(window.session.diagram, path)
    window.session.undo_stack.setClean()
    window.files.new()
    assert window.palette_panel.own_items == {}
    assert window.files.open(path)
    assert "ConvUnit" in window.palette_panel.own_items
    assert isinstance(load(path), Diagram)


def test_palette_menu_edits_and_deletes_a_definition(window):
    show(window, chain())
    use = make_block(window, ["conv1", "bn1"], "ConvUnit")
    palette = window.palette_panel
    menu = palette.definition_menu("ConvUnit")
    edit, _rename, delete = menu.actions()
    assert not delete.isEnabled()  # still used
    edit.trigger()
    assert window.subblocks.breadcrumb.names == ["Network", "ConvUnit"]
    assert window.scene.analysis.nodes["conv1"].inputs["in"] is not None  # the use's shapes
    window.session.scope.up()
    window.editor.remove([use])
    menu = palette.definition_menu("ConvUnit")
    menu.actions()[2].trigger()
    assert "ConvUnit" not in window.session.diagram.definitions
    assert "ConvUnit" not in palette.own_items
    window.session.undo_stack.undo()
    assert "ConvUnit" in window.session.diagram.definitions and "ConvUnit" in palette.own_items


def test_canvas_context_menu_offers_the_sub_block_actions(window):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtTest import QTest

    show(window, chain())
    use = make_block(window, ["conv1", "bn1"], "ConvUnit")
    window.scene.clearSelection()
    item = window.scene.nodes[use]
    at = window.view.mapFromScene(item.mapToScene(item.boundingRect().center()))
    vp = window.view.viewport()
    QTest.mousePress(vp, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, at)
    assert window.scene.mouseGrabberItem() is item  # the release will go to the menu
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, vp.mapToGlobal(at))
    window.view.contextMenuEvent(event)
    assert window.scene.mouseGrabberItem() is None  # else it eats the next click
    menu = window.view.context_menu
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert "Make &Sub-block…" in texts and "E&xpand Sub-block" in texts
    assert window.scene.selected_node_ids() == [use]  # the clicked block became the selection
    assert window.subblocks.act_expand.isEnabled() and window.subblocks.act_open.isEnabled()
    menu.close()


def test_palette_menu_renames_a_definition_and_its_uses_in_one_undo_step(window):
    show(window, chain())
    use = make_block(window, ["conv1", "bn1"], "ConvUnit")
    palette = window.palette_panel
    window.subblocks.open_definition("ConvUnit")  # inside it: the rename starts at the top
    asked: list[str] = []
    window.subblocks.ask_name = lambda old: asked.append(old) or "StemUnit"
    rename = palette.definition_menu("ConvUnit").actions()[1]
    assert rename.text() == "Rename…"
    rename.trigger()
    diagram = window.session.diagram
    assert asked == ["ConvUnit"]
    assert set(diagram.definitions) == {"StemUnit"} and diagram.nodes[use].type == "StemUnit"
    assert "StemUnit" in palette.own_items and "ConvUnit" not in palette.own_items
    assert window.session.scope.at_top and window.session.analysis.ok
    assert window.scene.nodes[use].title == "StemUnit"  # the canvas block is retitled
    assert window.session.undo_stack.undoText() == "Rename sub-block ConvUnit to StemUnit"
    window.session.undo_stack.undo()
    assert set(diagram.definitions) == {"ConvUnit"} and diagram.nodes[use].type == "ConvUnit"
    assert "ConvUnit" in palette.own_items
    # a taken or invalid name changes nothing and says why in the status bar
    messages: list[str] = []
    window.editor.message.connect(messages.append)
    count = window.session.undo_stack.count()
    assert not window.subblocks.rename_definition("ConvUnit", "Conv2d")
    assert window.session.undo_stack.count() == count and "library block" in messages[-1]
    assert window.session.undo_stack.canRedo()  # the undone rename can still be redone
    window.subblocks.ask_name = lambda old: None  # cancelled
    assert not window.subblocks.rename_definition("ConvUnit")
    assert set(diagram.definitions) == {"ConvUnit"}
