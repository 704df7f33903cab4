"""A wire: a cubic curve from an output port to an input port, labelled with its shape.

Where the curve would pass behind another block, the wire follows the orthogonal route
``core.routing`` planned around it (drawn with rounded corners). The shape label is its
own item above the blocks, so on a short wire between close blocks it is not hidden
under them.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from netbuilder.core.diagram import Edge
from netbuilder.core.routing import Route, s_curve_controls
from netbuilder.gui import theme
from netbuilder.gui.theme import FAR_ZOOM, Theme

LABEL_FONT_SIZE = 8.0
CORNER = 8.0  # radius of the rounded corners of a routed wire
LABEL_LOD = 0.6  # below this zoom labels are unreadable; the cards show sizes instead


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal-tangent S curve, the usual look of left-to-right node editors."""
    c1, c2 = s_curve_controls((start.x(), start.y()), (end.x(), end.y()))
    path = QPainterPath(start)
    path.cubicTo(QPointF(*c1), QPointF(*c2), end)
    return path


def route_path(route: Route) -> QPainterPath:
    """The path of a planned route: the S curve, or straight runs with rounded corners.

    A rounded corner cuts inside the corner by less than ``CORNER``, well within the
    distance routes keep from blocks (``routing.CLEAR``).
    """
    points = [QPointF(x, y) for x, y in route]
    if len(points) == 2:
        return wire_path(points[0], points[1])
    path = QPainterPath(points[0])
    for prev, corner, nxt in zip(points, points[1:], points[2:], strict=False):
        into, out = corner - prev, nxt - corner
        r = min(CORNER, _length(into) / 2, _length(out) / 2)
        path.lineTo(corner - into * (r / max(_length(into), 1e-9)))
        path.quadTo(corner, corner + out * (r / max(_length(out), 1e-9)))
    path.lineTo(points[-1])
    return path


def _length(p: QPointF) -> float:
    return (p.x() ** 2 + p.y() ** 2) ** 0.5


def label_anchor(route: Route) -> tuple[QPointF, bool]:
    """Where a wire's label sits, and whether it sits on the line rather than above it.

    A curve carries its label above its middle; a routed wire on its longest level run
    (a lane keeps only a small distance from the blocks above it).
    """
    if len(route) == 2:
        (x0, y0), (x1, y1) = route
        return QPointF((x0 + x1) / 2, (y0 + y1) / 2), False
    runs = [(abs(b[0] - a[0]), a, b) for a, b in itertools.pairwise(route)]
    _, a, b = max((r for r in runs if abs(r[1][1] - r[2][1]) < 1e-6), default=runs[0])
    return QPointF((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), True


class EdgeItem(QGraphicsItem):
    """Draws one model wire. Holds the ``Edge`` value (plain data) and its cached label."""

    def __init__(self, edge: Edge, theme_: Theme) -> None:
        super().__init__()
        self.edge = edge
        self.theme = theme_
        self.label = ""
        self.error = False
        self._path = QPainterPath()
        self._route: Route = ()
        self._bounds = QRectF()
        self.label_item = WireLabel(self)
        self.setZValue(0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)

    # ------------------------------------------------------------------ state
    def set_ends(self, start: QPointF, end: QPointF) -> None:
        """The plain S curve between two ports (until the router plans something else)."""
        self.set_route(((start.x(), start.y()), (end.x(), end.y())))

    def set_route(self, route: Route) -> None:
        if route == self._route:
            return
        self.prepareGeometryChange()
        self._route = route
        self._path = route_path(route)
        self._bounds = self._path.boundingRect().adjusted(-4, -4, 4, 4)
        self.label_item.place(*label_anchor(route))
        self.update()  # a cached picture of the old path is not redrawn without this

    @property
    def route(self) -> Route:
        return self._route

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemVisibleHasChanged:
            self.label_item.setVisible(bool(value) and bool(self.label))
        return super().itemChange(change, value)

    def set_analysis(self, label: str, error: bool, tooltip: str) -> None:
        if (label, error, tooltip) == (self.label, self.error, self.toolTip()):
            return
        self.label, self.error = label, error
        self.setToolTip(tooltip)
        self.label_item.set_text(label, error, tooltip)
        self.update()

    def set_theme(self, theme_: Theme) -> None:
        self.theme = theme_
        self.update()
        self.label_item.update()

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


class WireLabel(QGraphicsItem):
    """A wire's shape label, stacked above the blocks so close blocks cannot hide it.

    It takes no mouse buttons, so a press on it reaches the wire or block beneath.
    """

    def __init__(self, wire: EdgeItem) -> None:
        super().__init__()
        self.wire = wire
        self.text = ""
        self.error = False
        self._rect = QRectF()
        self._anchor = QPointF()
        self._on_line = False
        self.setZValue(1.5)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setVisible(False)

    def set_text(self, text: str, error: bool, tooltip: str) -> None:
        self.prepareGeometryChange()
        self.text, self.error = text, error
        self.setToolTip(tooltip)
        self._layout()
        self.setVisible(bool(text) and self.wire.isVisible())
        self.update()

    def place(self, anchor: QPointF, on_line: bool = False) -> None:
        self.prepareGeometryChange()
        self._anchor = anchor
        self._on_line = on_line
        self._layout()
        self.update()

    def _layout(self) -> None:
        if not self.text:
            self._rect = QRectF()
            return
        fm = theme.font_metrics(False, LABEL_FONT_SIZE)
        w, h = theme.text_width(self.text, LABEL_FONT_SIZE) + 8, fm.height() + 2
        a = self._anchor
        top = a.y() - h / 2 if self._on_line else a.y() - h - 3
        self._rect = QRectF(a.x() - w / 2, top, w, h)

    @property
    def rect(self) -> QRectF:
        return self._rect

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if not self.text or lod < LABEL_LOD:  # zoomed out, the cards show the sizes
            return
        t = self.wire.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.wire_label_bg)
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(theme.node_font(size=LABEL_FONT_SIZE))
        painter.setPen(t.error if self.error else t.muted_text)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self.text)


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
