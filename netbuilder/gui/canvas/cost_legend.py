"""The cost overlay's legend: metric, heat bar, largest figure and total, in the corner of
the canvas that hides the least of the blocks, chosen again as the view scrolls or zooms
and as blocks move, so it does not cover a block's figure or its "—" badge."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGraphicsView, QWidget

from netbuilder.gui.canvas.node_item import NodeItem
from netbuilder.gui.canvas.overlays import MarkItem, heat_gradient


class CostLegend(QWidget):
    """The scale in a corner of the canvas: metric, heat bar, largest figure, total."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self.setObjectName("costLegend")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.title = ""
        self.low = "0"
        self.high = ""
        self.lines: list[str] = []
        self.view = view
        view.installEventFilter(self)
        self._follow_scrolling()
        #: blocks moved, added or removed: choose the corner again (once per burst)
        self._replace = QTimer(self)
        self._replace.setSingleShot(True)
        self._replace.setInterval(100)
        self._replace.timeout.connect(lambda: self.isVisible() and self.place())
        if view.scene() is not None:
            view.scene().changed.connect(lambda _region: self._replace.start())
        self.hide()

    def set_text(self, title: str, high: str, lines: list[str]) -> None:
        self.title, self.high, self.lines = title, high, lines
        fm = QFontMetrics(self._bold())
        width = max([200, *(fm.horizontalAdvance(t) + 28 for t in [title, *lines])])
        self.resize(min(width, 420), 44 + fm.height() * (1 + len(lines)))
        self.place()
        self.update()

    def _bold(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def place(self) -> None:
        """Into the corner of the canvas that hides the least of the blocks (bottom left
        first): the legend must not cover a block's figure or its "—" badge."""
        vp = self.view.viewport().geometry()
        w, h, m = self.width(), self.height(), 10
        corners = [
            QPoint(vp.left() + m, vp.bottom() - h - m),
            QPoint(vp.right() - w - m, vp.bottom() - h - m),
            QPoint(vp.right() - w - m, vp.top() + m),
            QPoint(vp.left() + m, vp.top() + m),
        ]
        origin = vp.topLeft()
        hidden = [self.hidden_area(QRect(c - origin, self.size())) for c in corners]
        self.move(corners[hidden.index(min(hidden))])

    def hidden_area(self, rect: QRect) -> int:
        """How many pixels of blocks and their marks (the figure badges hang below a
        block) ``rect`` (viewport coordinates) would hide."""
        scene = self.view.scene()
        if scene is None:
            return 0
        area = 0
        for item in scene.items(self.view.mapToScene(rect)):
            if isinstance(item, NodeItem | MarkItem):
                shown = self.view.mapFromScene(item.sceneBoundingRect()).boundingRect()
                overlap = shown.intersected(rect)
                area += overlap.width() * overlap.height()
        return area

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def _follow_scrolling(self) -> None:
        """Choose the corner again whenever the canvas scrolls or zooms."""
        for bar in (self.view.horizontalScrollBar(), self.view.verticalScrollBar()):
            bar.valueChanged.connect(lambda _v: self.isVisible() and self.place())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        painter.setPen(QPen(pal.mid().color(), 1))
        back = pal.window().color()
        back.setAlpha(235)
        painter.setBrush(back)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        fm = self.fontMetrics()
        y = 6.0
        painter.setPen(pal.text().color())
        painter.setFont(self._bold())
        painter.drawText(QRectF(10, y, self.width() - 20, fm.height()), self.title)
        painter.setFont(self.font())
        y += fm.height() + 4
        bar = QRectF(10, y, self.width() - 20, 12)
        painter.setPen(QPen(pal.mid().color(), 1))
        painter.setBrush(heat_gradient(bar))
        painter.drawRect(bar)
        y += 14
        painter.setPen(pal.text().color())
        row = QRectF(10, y, self.width() - 20, fm.height())
        painter.drawText(row, Qt.AlignmentFlag.AlignLeft, self.low)
        painter.drawText(row, Qt.AlignmentFlag.AlignRight, self.high)
        y += fm.height() + 2
        painter.setPen(pal.placeholderText().color())
        for line in self.lines:
            painter.drawText(QRectF(10, y, self.width() - 20, fm.height()), line)
            y += fm.height()
        painter.end()
