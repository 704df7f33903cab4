"""Sub-blocks in the window: the actions, the breadcrumb, opening definitions on the canvas.

* Edit › Make Sub-block… (Ctrl+G): the selected blocks become one new block type (a dialog
  asks its name and which settings each use may change), one undo step.
* Edit › Expand Sub-block (Ctrl+Shift+G): a use goes back to plain blocks, one undo step.
* Edit › Edit Definition (double-click a sub-block, or the inspector's button): the canvas
  shows its body; the breadcrumb over the canvas (``Network › BasicBlock``), Esc and
  Alt+Up go back. Edits inside are ordinary edits on the document's undo stack.

``SubBlockUi`` connects the document's ``Scope`` to the canvas, the palette and the
inspector, so all three always show the same level of the same document.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence, QTransform
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu

from netbuilder.core.subblock_edits import (
    expand_subblock,
    make_subblock,
    rename_definition,
    rename_problem,
)
from netbuilder.core.subblocks import free_name, name_problem
from netbuilder.gui.subblocks import model
from netbuilder.gui.subblocks.breadcrumb import Breadcrumb
from netbuilder.gui.subblocks.commands import ScopedCommand, SnapshotCommand
from netbuilder.gui.subblocks.dialog import Inner, MakeSubBlockDialog, Setting
from netbuilder.gui.subblocks.scope import Level


class SubBlockUi(QObject):
    """Owns the sub-block actions of one window and keeps its views on the open level."""

    def __init__(self, window: Any) -> None:
        """``window`` is the ``MainWindow`` (not imported: it owns this)."""
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.scope = window.session.scope
        self.scene = window.scene
        self.view = window.view
        self.breadcrumb = Breadcrumb(self.view)
        self.breadcrumb.level_chosen.connect(self.scope.go_to)
        #: what the last Make Sub-block asked (tests and scripts answer it themselves)
        self.ask = self._ask_dialog
        #: asks a sub-block's new name (old name → new name, or None: cancelled)
        self.ask_name = self._ask_name
        self._build_actions()
        #: each level's zoom and centre when it was left (so going back returns to it)
        self._views: dict[tuple, tuple[QTransform, QPointF]] = {}
        self._shown_path: tuple | None = ()
        self.scope.changed.connect(self._level_changed)
        self.session.document_replaced.connect(self._views.clear)
        self.scope.analysed.connect(self.scene.apply_analysis)
        self.scene.open_requested.connect(self.open_node)
        self.scene.selectionChanged.connect(self._update_actions)
        window.palette_panel.show_scope(self.scope)
        window.inspector.open_definition_requested.connect(self.open_node)
        window.inspector.expand_requested.connect(lambda nid: self.expand([nid]))
        window.palette_panel.edit_definition_requested.connect(self.open_definition)
        window.palette_panel.delete_definition_requested.connect(self.delete_definition)
        window.palette_panel.rename_definition_requested.connect(self.rename_definition)
        self._update_actions()

    # ------------------------------------------------------------------ actions
    def _action(self, text: str, slot, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.act_make = self._action(
            self.tr("Make &Sub-block…"),
            self.make_from_selection,
            "Ctrl+G",
            self.tr("Turn the selected blocks into a reusable block type (listed under My blocks)"),
        )
        self.act_expand = self._action(
            self.tr("E&xpand Sub-block"),
            self.expand_selection,
            "Ctrl+Shift+G",
            self.tr("Replace the selected sub-blocks by the blocks they are made of"),
        )
        self.act_open = self._action(
            self.tr("Edit De&finition"),
            self.open_selection,
            None,
            self.tr("Open the selected sub-block's definition on the canvas; every use follows"),
        )
        self.act_back = self._action(
            self.tr("&Back to Enclosing Network"),
            self.scope.up,
            None,
            self.tr("Close the open sub-block definition (Esc, Alt+Up)"),
        )
        self.act_back.setShortcuts([QKeySequence("Alt+Up")])
        # Esc only while the canvas has the focus: elsewhere it belongs to fields and popups
        self.act_back_esc = self._action(self.tr("Back"), self.scope.up, None, "")
        self.act_back_esc.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.act_back_esc.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.act_back_esc)
        for a in (self.act_make, self.act_expand):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(a)

    def add_to_menu(self, menu: QMenu) -> None:
        """The actions in the Edit menu, and the canvas's context menu (the window's
        clipboard actions, then these)."""
        menu.addSeparator()
        menu.addActions([self.act_make, self.act_expand, self.act_open, self.act_back])
        w = self.window
        self.view.context_actions = [
            *[w.act_cut, w.act_copy, w.act_paste, w.act_duplicate, w.act_delete],
            None,
            *self.context_actions(),
        ]

    def context_actions(self) -> list[QAction | None]:
        """The sub-block entries of the canvas's context menu (None: a separator)."""
        return [self.act_make, self.act_expand, self.act_open, None, self.act_back]

    def _selected_subblocks(self) -> list[str]:
        diagram = self.scope.diagram
        return [
            nid
            for nid in self.scene.selected_node_ids()
            if model.is_subblock(diagram, diagram.nodes[nid].type)
        ]

    def _update_actions(self) -> None:
        try:
            selected = self.scene.selected_node_ids()
        except RuntimeError:  # the scene is being torn down with the window
            return
        self.act_make.setEnabled(bool(selected))
        subs = self._selected_subblocks()
        self.act_expand.setEnabled(bool(subs))
        self.act_open.setEnabled(len(subs) == 1)
        self.act_back.setEnabled(not self.scope.at_top)
        self.act_back_esc.setEnabled(not self.scope.at_top)

    # ------------------------------------------------------------------ levels
    def _level_changed(self) -> None:
        """Show the open level: canvas, breadcrumb, inspector, and the view of that level
        as the user left it (zoom and centre), or framing it the first time."""
        old = self._shown_path
        if old is not None:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            self._views[old] = (self.view.transform(), centre)
        self._shown_path = tuple((lv.name, lv.instance) for lv in self.scope.path)
        if not self.scope.path:
            self._views = {k: v for k, v in self._views.items() if not k}  # a fresh visit
        self.window.inspector.show_node(None)
        self.scene.set_diagram(self.scope.diagram)
        self.scene.apply_analysis(self.scope.analysis())
        self.breadcrumb.set_path(self.scope.names())
        kept = self._views.get(self._shown_path)
        if kept is None:
            self.view.fit()
        else:
            self.view.setTransform(kept[0])
            self.view.centerOn(kept[1])
        self._update_actions()

    def open_node(self, node_id: str) -> bool:
        """Open the definition of sub-block ``node_id`` of the open level."""
        return self.scope.enter(node_id)

    def open_selection(self) -> None:
        subs = self._selected_subblocks()
        if len(subs) == 1:
            self.open_node(subs[0])

    def open_definition(self, name: str) -> None:
        """Open definition ``name`` (the palette's "Edit Definition"): from its first use
        in the network, so its shapes show, else on its own."""
        top = self.scope.top
        use = next((nid for nid, n in top.nodes.items() if n.type == name), None)
        self.scope.open([Level(name, use)])

    def reveal(self, path: tuple[str, ...]) -> None:
        """Open the levels a problem's ``path`` leads through and select its inner block:
        ``("stage1", "block0", "conv1")`` opens stage1's definition, then block0's."""
        self.scope.go_to(0)
        for instance in path[:-1]:
            if not self.scope.enter(instance):
                break
        last = path[-1] if path else None
        item = self.scene.nodes.get(last) if last else None
        if item is not None:
            self.scene.select_nodes([last])
            self.view.centerOn(item)

    # ------------------------------------------------------------------ make / expand
    def _ask_dialog(self, dialog: MakeSubBlockDialog) -> bool:
        return dialog.exec() == QDialog.DialogCode.Accepted

    def make_from_selection(self) -> str | None:
        """Ask a name and the exposed settings, then make the selection a sub-block."""
        ids = self.scene.selected_node_ids()
        if not ids:
            return None
        diagram = self.scope.diagram
        top = self.scope.top
        for nid in ids:  # say so before asking anything (as make_subblock would refuse)
            spec = diagram.block(diagram.nodes[nid].type)
            if spec.role != "layer":
                self.window.editor.message.emit(
                    self.tr(
                        "{type} {id} cannot go inside a sub-block: leave inputs and outputs "
                        "out of the selection"
                    ).format(type=spec.type, id=nid)
                )
                return None
        blocks = [
            Inner(nid, diagram.block(diagram.nodes[nid].type), diagram.nodes[nid].label or nid)
            for nid in ids
        ]
        suggested = free_name("MyBlock", top.definitions)
        dialog = MakeSubBlockDialog(
            blocks, suggested, lambda n: name_problem(n, top.definitions), self.window
        )
        try:
            if not self.ask(dialog):
                return None
            return self.make(ids, dialog.chosen_name(), dialog.exposed())
        finally:
            dialog.deleteLater()

    def make(self, node_ids: list[str], name: str, exposed: dict[str, list[Setting]]) -> str | None:
        """Make ``node_ids`` of the open level sub-block ``name`` (one undo step); each
        ``exposed`` name becomes a setting of the new block driving its inner settings."""
        diagram = self.scope.diagram
        cmd = SnapshotCommand(
            self.scope.top,
            self.tr("Make sub-block {name}").format(name=name),
            lambda _top: make_subblock(diagram, node_ids, name, exposed),
        )
        return self._run(cmd)

    def expand_selection(self) -> list[str]:
        return self.expand(self._selected_subblocks())

    def expand(self, node_ids: list[str]) -> list[str]:
        """Put the blocks of each sub-block in ``node_ids`` in its place (one undo step)."""
        if not node_ids:
            return []
        diagram = self.scope.diagram

        def edit(_top: object) -> list[str]:
            new: list[str] = []
            for nid in node_ids:
                new.extend(expand_subblock(diagram, nid))
            return new

        n = len(node_ids)
        text = (
            self.tr("Expand {node}").format(node=node_ids[0])
            if n == 1
            else self.tr("Expand {n} sub-blocks").format(n=n)
        )
        return self._run(SnapshotCommand(self.scope.top, text, edit)) or []

    def delete_definition(self, name: str) -> bool:
        """Remove sub-block ``name`` from the document (one undo step); refused while used."""
        top = self.scope.top

        def edit(_top: object) -> None:
            top.remove_definition(name)

        text = self.tr("Delete sub-block {name}").format(name=name)
        cmd = SnapshotCommand(top, text, edit)
        self._run(cmd)
        return cmd.error is None

    def _ask_name(self, old: str) -> str | None:
        name, ok = QInputDialog.getText(
            self.window,
            self.tr("Rename Sub-block"),
            self.tr("New name for {name} (every use is renamed too):").format(name=old),
            text=old,
        )
        return name.strip() if ok else None

    def rename_definition(self, name: str, new: str | None = None) -> bool:
        """Rename sub-block ``name`` and all its uses (one undo step). Asks the new name
        when ``new`` is not given; a refused name goes to the status bar, nothing changes."""
        if new is None:
            new = self.ask_name(name)
        if not new or new == name:
            return False
        top = self.scope.top
        problem = rename_problem(top, name, new)
        if problem:  # before the push: a refused command would still cut off the redo steps
            self.window.editor.message.emit(problem)
            return False
        self.scope.go_to(0)  # the open levels are named after definitions: start at the top
        text = self.tr("Rename sub-block {name} to {new}").format(name=name, new=new)
        cmd = SnapshotCommand(top, text, lambda _top: rename_definition(top, name, new))
        self._run(cmd)
        return cmd.error is None

    def _run(self, cmd: SnapshotCommand) -> object:
        """Push ``cmd`` as an edit of the open level; a refusal goes to the status bar."""
        self.session.undo_stack.push(ScopedCommand(self.scope, self.scope.path, cmd))
        if cmd.error is not None:
            self.window.editor.message.emit(cmd.error)
            return None
        result = cmd.result
        ids = [result] if isinstance(result, str) else list(result or [])
        self.scene.select_nodes(ids)
        return result
