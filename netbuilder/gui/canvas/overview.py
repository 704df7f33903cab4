"""The far-out picture of a big network, drawn in one pass.

Zoomed out, hundreds of blocks are in view and no text can be read. Painting each item
then costs one Python call per block and per wire every frame (about 30 ms for 500 blocks).
Instead the items keep their place, selection and hit-testing but paint nothing
(``ItemHasNoContents``), and the scene draws this overview behind them: all wires as one
path, the cards as a few batches of rectangles grouped by colour. It is rebuilt only after
something changed, so a pan or zoom frame is a handful of painter calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from netbuilder.gui.canvas.node_item import HEADER
from netbuilder.gui.theme import NODE_WIDTH

if TYPE_CHECKING:
    from netbuilder.gui.canvas.scene import DiagramScene


class Overview:
    def __init__(self) -> None:
        self.dirty = True
        self._wires = QPainterPath()
        self._bad_wires = QPainterPath()
        self._bodies: list[QRectF] = []
        self._headers: dict[str, list[QRectF]] = {}
        self._outlines: list[tuple[QColor, list[QRectF]]] = []

    def rebuild(self, scene: DiagramScene) -> None:
        t = scene.theme
        wires, bad = QPainterPath(), QPainterPath()
        for item in scene.edges.values():
            if item.isVisible():
                (bad if item.error else wires).addPath(item.path)
        bodies: list[QRectF] = []
        headers: dict[str, list[QRectF]] = {}
        selected, errors = [], []
        for item in scene.nodes.values():
            p = item.pos()
            rect = QRectF(p.x(), p.y(), NODE_WIDTH, item.height)
            bodies.append(rect)
            headers.setdefault(item.spec.category, []).append(
                QRectF(p.x(), p.y(), NODE_WIDTH, HEADER)
            )
            if item.isSelected():
                selected.append(rect)
            elif item.error:
                errors.append(rect)
        self._wires, self._bad_wires = wires, bad
        self._bodies, self._headers = bodies, headers
        self._outlines = [(t.selected, selected), (t.error, errors)]
        self.dirty = False

    def paint(self, painter: QPainter, scene: DiagramScene) -> None:
        if self.dirty:
            self.rebuild(scene)
        t = scene.theme
        painter.setBrush(QColor(0, 0, 0, 0))
        painter.setPen(QPen(t.wire, 0))
        painter.drawPath(self._wires)
        painter.setPen(QPen(t.error, 0))
        painter.drawPath(self._bad_wires)
        painter.setPen(QPen(t.node_border, 0))
        painter.setBrush(t.node_fill)
        painter.drawRects(self._bodies)
        painter.setPen(QPen(QColor(0, 0, 0, 0), 0))
        for category, rects in self._headers.items():
            painter.setBrush(t.category_color(category))
            painter.drawRects(rects)
        painter.setBrush(QColor(0, 0, 0, 0))
        for color, rects in self._outlines:
            if rects:
                painter.setPen(QPen(color, 3 / max(painter.worldTransform().m11(), 1e-3)))
                painter.drawRects(rects)
