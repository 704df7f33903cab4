"""The problems list: every diagnostic of the latest check; clicking one selects its block."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QWidget

from netbuilder.core.diagnostics import Severity
from netbuilder.core.shapes import Analysis

NODE_ROLE = Qt.ItemDataRole.UserRole


class ProblemsList(QListWidget):
    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def sizeHint(self) -> QSize:
        return QSize(400, 96)  # a few lines: the canvas deserves the height

    def show_analysis(self, analysis: Analysis) -> None:
        self.clear()
        style = self.style()
        icons = {
            Severity.ERROR: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            Severity.WARNING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        ordered = sorted(analysis.diagnostics, key=lambda d: d.severity is not Severity.ERROR)
        for diag in ordered:
            where = f"{diag.node_id}: " if diag.node_id else ""
            item = QListWidgetItem(icons[diag.severity], f"{where}{diag.message}")
            item.setToolTip(f"{diag.message}\n{diag.hint}" if diag.hint else diag.message)
            item.setData(NODE_ROLE, diag.node_id)
            self.addItem(item)

    def paintEvent(self, event: QPaintEvent) -> None:
        """An empty list says so, rather than looking broken or unfinished."""
        super().paintEvent(event)
        if self.count():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        text = self.tr("No problems found.")
        rect = self.viewport().rect().adjusted(8, 6, -8, -6)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)
        painter.end()

    def node_ids(self) -> list[str | None]:
        return [self.item(i).data(NODE_ROLE) for i in range(self.count())]

    def _clicked(self, item: QListWidgetItem) -> None:
        nid = item.data(NODE_ROLE)
        if nid:
            self.node_clicked.emit(nid)
