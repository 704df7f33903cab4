"""The problems list: every diagnostic of the latest check; clicking one selects its block."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle, QWidget

from netbuilder.core.diagnostics import Severity
from netbuilder.core.shapes import Analysis

NODE_ROLE = Qt.ItemDataRole.UserRole


PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemsList(QListWidget):
    node_clicked = Signal(str)
    #: a problem inside a sub-block: the instances leading to it, then the inner block
    path_clicked = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)
        self._analysis: Analysis | None = None
        #: rows other parts add (e.g. gradient health of the shown run): source → rows of
        #: (node id, text, tooltip), listed as warnings after the check's own diagnostics
        self._extra: dict[str, list[tuple[str, str, str]]] = {}

    def sizeHint(self) -> QSize:
        return QSize(400, 96)  # a few lines: the canvas deserves the height

    def set_extra(self, source: str, rows: list[tuple[str, str, str]]) -> None:
        """Replace the warning rows ``source`` adds; the check's own rows stay."""
        self._extra[source] = rows
        if self._analysis is not None:
            self.show_analysis(self._analysis)

    def show_analysis(self, analysis: Analysis) -> None:
        self._analysis = analysis
        self.clear()
        style = self.style()
        icons = {
            Severity.ERROR: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            Severity.WARNING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        ordered = sorted(analysis.diagnostics, key=lambda d: d.severity is not Severity.ERROR)
        for diag in ordered:
            # a problem inside a sub-block names its path in its message already
            where = f"{diag.node_id}: " if diag.node_id and not getattr(diag, "path", ()) else ""
            item = QListWidgetItem(icons[diag.severity], f"{where}{diag.message}")
            item.setToolTip(f"{diag.message}\n{diag.hint}" if diag.hint else diag.message)
            item.setData(NODE_ROLE, diag.node_id)
            item.setData(PATH_ROLE, tuple(getattr(diag, "path", ())))
            self.addItem(item)
        for rows in self._extra.values():
            for node_id, text, tip in rows:
                item = QListWidgetItem(icons[Severity.WARNING], text)
                item.setToolTip(tip)
                item.setData(NODE_ROLE, node_id)
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
        path = item.data(PATH_ROLE)
        if path:
            self.path_clicked.emit(tuple(path))
        elif nid:
            self.node_clicked.emit(nid)
