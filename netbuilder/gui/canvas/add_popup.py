"""The search-to-add box that opens at the cursor (double-click, Tab, or a wire dropped on
empty canvas): type a few letters, press Enter, the block appears where the mouse was."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from netbuilder.core.blocks import BLOCKS, IMPORT_ONLY_CATEGORIES
from netbuilder.gui.i18n import core_text
from netbuilder.gui.icons import block_icon


class AddBlockPopup(QFrame):
    """A small search list of block types; emits ``chosen(type_name)`` and closes."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None, types: Iterable[str] | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.types = (
            list(types)
            if types is not None
            else [t for t, s in BLOCKS.items() if s.category not in IMPORT_ONLY_CATEGORIES]
        )
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Add block… (type to search)"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setMinimumHeight(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(260, 300)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(
            lambda item: self._choose(item.data(Qt.ItemDataRole.UserRole))
        )
        self._filter("")
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        self.list.clear()
        for t in self.types:
            spec = BLOCKS[t]
            hay = f"{t} {spec.category} {spec.doc} {core_text(spec.category)} {core_text(spec.doc)}"
            hay = hay.lower()
            if all(w in hay for w in words):
                item = QListWidgetItem(block_icon(spec), t)
                item.setToolTip(core_text(spec.doc))
                item.setData(Qt.ItemDataRole.UserRole, t)
                self.list.addItem(item)
        # exact or prefix matches of the type name first
        if words:
            for row in range(self.list.count()):
                if self.list.item(row).text().lower().startswith(words[0]):
                    self.list.setCurrentRow(row)
                    return
        self.list.setCurrentRow(0)

    def visible_types(self) -> list[str]:
        return [self.list.item(r).text() for r in range(self.list.count())]

    def accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._choose(item.data(Qt.ItemDataRole.UserRole))

    def _choose(self, type_name: str) -> None:
        self.chosen.emit(type_name)
        self.close()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key() if isinstance(event, QKeyEvent) else None
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key == Qt.Key.Key_Escape:
                self.close()
                return True
        return super().eventFilter(obj, event)
