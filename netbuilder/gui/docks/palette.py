"""The block palette: every block by category, a search field, drag a block onto the canvas.

Activating a block (double-click or Enter) adds it at the centre of the canvas, for people
who prefer the keyboard to dragging.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.blocks import CATEGORIES, blocks_in
from netbuilder.gui.canvas.view import BLOCK_MIME
from netbuilder.gui.i18n import core_text
from netbuilder.gui.icons import block_icon, category_icon

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
        for category in CATEGORIES:
            head = QTreeWidgetItem(self.tree, [core_text(category)])
            head.setIcon(0, category_icon(category))
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in blocks_in(category):
                item = QTreeWidgetItem(head, [spec.type])
                item.setIcon(0, block_icon(spec))
                item.setToolTip(0, core_text(spec.doc))
                item.setData(0, SEARCH_ROLE, f"{category} {spec.doc}")
                item.setData(0, TYPE_ROLE, spec.type)
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
                self.items[spec.type] = item
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.tree.itemActivated.connect(self._activated)

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
        return [
            t
            for t, item in self.items.items()
            if not item.isHidden() and not item.parent().isHidden()
        ]

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.add_requested.emit(type_name)
