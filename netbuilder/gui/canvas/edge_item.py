"""A wire: a cubic curve from an output port to an input port, labelled with its shape."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from netbuilder.core.diagram import Edge
from netbuilder.gui import theme
from netbuilder.gui.theme import FAR_ZOOM, Theme

LABEL_FONT_SIZE = 8.0


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal-tangent S curve, the usual look of left-to-right node editors."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsItem):
    """Draws one model wire. Holds the ``Edge`` value (plain data) and its cached label."""

    def __init__(self, edge: Edge, theme_: Theme) -> None:
        super().__init__()
        self.edge = edge
        self.theme = theme_
        self.label = ""
        self.error = False
        self._path = QPainterPath()
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)

    # ------------------------------------------------------------------ state
    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(start, end)
        self._layout_label()

    def set_analysis(self, label: str, error: bool, tooltip: str) -> None:
        if (label, error, tooltip) == (self.label, self.error, self.toolTip()):
            return
        self.prepareGeometryChange()
        self.label, self.error = label, error
        self.setToolTip(tooltip)
        self._layout_label()
        self.update()

    def set_theme(self, theme_: Theme) -> None:
        self.theme = theme_
        self.update()

    def _layout_label(self) -> None:
        if self.label:
            fm = theme.font_metrics(False, LABEL_FONT_SIZE)
            w, h = theme.text_width(self.label, LABEL_FONT_SIZE) + 8, fm.height() + 2
            mid = self._path.pointAtPercent(0.5)
            self._label_rect = QRectF(mid.x() - w / 2, mid.y() - h - 3, w, h)
        else:
            self._label_rect = QRectF()
        self._bounds = self._path.boundingRect().adjusted(-4, -4, 4, 4).united(self._label_rect)

    @property
    def path(self) -> QPainterPath:
        return self._path

    @property
    def start(self) -> QPointF:
        return self._path.pointAtPercent(0.0)

    @property
    def end(self) -> QPointF:
        return self._path.pointAtPercent(1.0)

    # ------------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self._path)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        t = self.theme
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        color = t.error if self.error else t.wire
        if lod < FAR_ZOOM:  # far out: a hairline, nothing else
            painter.setPen(QPen(t.selected if self.isSelected() else color, 0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._path)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.isSelected():
            color = t.selected
        painter.setPen(QPen(color, 2.6 if self.isSelected() else 1.8))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self.label:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.wire_label_bg)
            painter.drawRoundedRect(self._label_rect, 3, 3)
            painter.setFont(theme.node_font(size=LABEL_FONT_SIZE))
            painter.setPen(t.error if self.error else t.muted_text)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)


class DragWireItem(QGraphicsItem):
    """The rubber wire that follows the mouse while a connection is being dragged."""

    def __init__(self, theme_: Theme) -> None:
        super().__init__()
        self.theme = theme_
        self._path = QPainterPath()
        self.refused = False
        self.setZValue(3)

    def set_refused(self, on: bool) -> None:
        """Drawn in the error colour while the loose end is over a port that does not fit."""
        if on != self.refused:
            self.refused = on
            self.update()

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(start, end)

    def boundingRect(self) -> QRectF:
        return self._path.boundingRect().adjusted(-4, -4, 4, 4)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = self.theme.error if self.refused else self.theme.selected
        pen = QPen(colour, 2.0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
