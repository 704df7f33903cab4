"""The block palette: every block by category, a search field, drag a block onto the canvas.

Activating a block (double-click or Enter) adds it at the centre of the canvas, for people
who prefer the keyboard to dragging.

"My blocks" lists the document's own sub-blocks (``show_scope``): the palette follows the
window's document, so another document shows its own. While a definition is open, the
section leaves out the sub-blocks that would contain themselves, and "Sub-block ports"
offers the SubInput / SubOutput blocks that make a definition's inputs and outputs.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.blocks import BODY_ONLY_CATEGORIES, CATEGORIES, blocks_in
from netbuilder.core.events import DiagramEvent
from netbuilder.core.subblocks import CATEGORY as OWN_CATEGORY
from netbuilder.gui.canvas.view import BLOCK_MIME
from netbuilder.gui.i18n import core_text
from netbuilder.gui.icons import block_icon, category_icon
from netbuilder.gui.subblocks import model
from netbuilder.gui.subblocks.scope import Scope

TYPE_ROLE = Qt.ItemDataRole.UserRole
#: the untranslated category and description, so English search words find blocks in any language
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1


def block_mime(type_name: str) -> QMimeData:
    """The drag payload of one block (also what tests drop on the view)."""
    mime = QMimeData()
    mime.setData(BLOCK_MIME, type_name.encode("utf-8"))
    mime.setText(type_name)
    return mime


class _BlockTree(QTreeWidget):
    def mimeTypes(self) -> list[str]:
        return [BLOCK_MIME]

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        types = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        return block_mime(types[0] if types else "")


class Palette(QWidget):
    add_requested = Signal(str)
    #: right-click on one of "My blocks": open its definition / rename it / delete it
    #: (unused only)
    edit_definition_requested = Signal(str)
    rename_definition_requested = Signal(str)
    delete_definition_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search blocks…"))
        self.search.setClearButtonEnabled(True)
        self.tree = _BlockTree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setIndentation(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        #: the document's sub-blocks and, in a body, the port blocks (rebuilt per level)
        self.own_items: dict[str, QTreeWidgetItem] = {}
        self.own_head = self._head(self.tr("My blocks"), OWN_CATEGORY)
        self.ports_head = self._head(self.tr("Sub-block ports"), BODY_ONLY_CATEGORIES[0])
        for category in CATEGORIES:
            head = self._head(core_text(category), category)
            for spec in blocks_in(category):
                self.items[spec.type] = self._block_item(head, spec)
        self.scope: Scope | None = None
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.tree.itemActivated.connect(self._activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

    def _head(self, text: str, category: str) -> QTreeWidgetItem:
        head = QTreeWidgetItem(self.tree, [text])
        head.setIcon(0, category_icon(category))
        head.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return head

    def _block_item(self, head: QTreeWidgetItem, spec: object) -> QTreeWidgetItem:
        item = QTreeWidgetItem(head, [spec.type])  # type: ignore[attr-defined]
        item.setIcon(0, block_icon(spec))  # type: ignore[arg-type]
        item.setToolTip(0, core_text(spec.doc))  # type: ignore[attr-defined]
        item.setData(0, SEARCH_ROLE, f"{spec.category} {spec.doc}")  # type: ignore[attr-defined]
        item.setData(0, TYPE_ROLE, spec.type)  # type: ignore[attr-defined]
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )
        return item

    # ------------------------------------------------------------------ the document's own
    def show_scope(self, scope: Scope) -> None:
        """Follow this document: its sub-blocks, and what fits the level its canvas shows."""
        if self.scope is not None:
            self.scope.changed.disconnect(self.refresh_own)
            self.scope.top.changed.disconnect(self._on_model)
        self.scope = scope
        scope.changed.connect(self.refresh_own)
        scope.top.changed.connect(self._on_model)
        self.refresh_own()

    def _on_model(self, event: DiagramEvent) -> None:
        if event.kind in ("definition_added", "definition_removed", "reset"):
            self.refresh_own()
        elif event.kind == "definition_changed":  # its ports, settings or size may differ
            detail = event.detail
            if detail is None or detail.kind not in ("node_moved", "edge_added", "edge_removed"):
                self.refresh_own()

    def refresh_own(self) -> None:
        """List the sub-blocks usable at the open level (and the ports, inside a body)."""
        for head in (self.own_head, self.ports_head):
            head.takeChildren()
        self.own_items = {}
        if self.scope is None:
            return
        diagram = self.scope.diagram
        for name in model.usable_in(diagram):
            self.own_items[name] = self._block_item(self.own_head, diagram.block(name))
        if not self.scope.at_top:
            for spec in blocks_in(BODY_ONLY_CATEGORIES[0]):
                self.own_items[spec.type] = self._block_item(self.ports_head, spec)
        self.filter(self.search.text())

    def filter(self, text: str) -> None:
        """Show blocks whose name, category or description hold every typed word."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            shown = 0
            for j in range(head.childCount()):
                child = head.child(j)
                english = child.data(0, SEARCH_ROLE) or ""
                hay = f"{child.text(0)} {head.text(0)} {child.toolTip(0)} {english}".lower()
                hide = not all(w in hay for w in words)
                child.setHidden(hide)
                shown += not hide
            head.setHidden(shown == 0)
            head.setExpanded(True)

    def visible_types(self) -> list[str]:
        """Shown block types, the document's own first (as the palette lists them)."""
        return [
            t
            for t, item in [*self.own_items.items(), *self.items.items()]
            if not item.isHidden() and not item.parent().isHidden()
        ]

    def definition_menu(self, name: str) -> QMenu:
        """What a right-click on sub-block ``name`` under "My blocks" offers."""
        menu = QMenu(self)
        edit = menu.addAction(self.tr("Edit Definition"))
        edit.triggered.connect(lambda: self.edit_definition_requested.emit(name))
        rename = menu.addAction(self.tr("Rename…"))
        rename.setToolTip(self.tr("Give this block type another name; every use follows"))
        rename.triggered.connect(lambda: self.rename_definition_requested.emit(name))
        delete = menu.addAction(self.tr("Delete Sub-block"))
        used = self.scope is not None and bool(self.scope.top.uses(name))
        delete.setEnabled(not used)
        delete.setToolTip(self.tr("Still used: delete or expand its uses first") if used else "")
        delete.triggered.connect(lambda: self.delete_definition_requested.emit(name))
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        name = item.data(0, TYPE_ROLE) if item is not None else None
        if item is None or item.parent() is not self.own_head or not name:
            return
        self.definition_menu(name).popup(self.tree.viewport().mapToGlobal(pos))

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.add_requested.emit(type_name)
