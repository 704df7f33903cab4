"""The far-out picture of a big network, drawn in one pass.

Zoomed out, hundreds of blocks are in view and no text can be read. Painting each item
then costs one Python call per block and per wire every frame (about 30 ms for 500 blocks).
Instead the items keep their place, selection and hit-testing but paint nothing
(``ItemHasNoContents``), and the scene draws this overview behind them: all wires as one
path, the cards as a few batches of rectangles grouped by colour. It is rebuilt only after
something changed, so a pan or zoom frame is a handful of painter calls.

While the cards are still large enough on screen, each shows its type in a large font
(level of detail), so a network zoomed out to fit the window is still readable; the text
is drawn only for cards in the exposed area.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from netbuilder.gui import theme
from netbuilder.gui.canvas.node_item import HEADER, fitted_size
from netbuilder.gui.canvas.scene_protocol import CanvasScene
from netbuilder.gui.theme import NODE_WIDTH

FAR_TITLE_MAX = 40.0  # font size of a type name on a far-out card, at most
MIN_READABLE_PX = 7.0  # below this many pixels a letter is not worth drawing
PX_PER_POINT = 96 / 72


def far_title(rect: QRectF, title: str) -> tuple[QRectF, str, float]:
    """The type name as large as the card allows; a long name that would come out much
    smaller than a short one is cut to its capitals and digits (BatchNorm2d → BN2d), as
    the palette's badges do, so every far-out card stays readable."""
    size = fitted_size(title, True, NODE_WIDTH - 6, FAR_TITLE_MAX)
    if size < FAR_TITLE_MAX * 0.6:
        short = "".join(
            c
            for i, c in enumerate(title)
            if c.isupper() or c.isdigit() or (i and title[i - 1].isdigit())
        )
        short = short or title[:3]
        size = fitted_size(short, True, NODE_WIDTH - 6, FAR_TITLE_MAX)
        title = short
    return rect, title, size


class Overview:
    def __init__(self) -> None:
        self.dirty = True
        self._wires = QPainterPath()
        self._bad_wires = QPainterPath()
        self._bodies: list[QRectF] = []
        self._headers: dict[str, list[QRectF]] = {}
        self._outlines: list[tuple[QColor, list[QRectF]]] = []
        self._titles: list[tuple[QRectF, str, float]] = []

    def rebuild(self, scene: CanvasScene) -> None:
        t = scene.theme
        wires, bad = QPainterPath(), QPainterPath()
        for item in scene.edges.values():
            if item.isVisible():
                (bad if item.error else wires).addPath(item.path)
        bodies: list[QRectF] = []
        headers: dict[str, list[QRectF]] = {}
        selected, errors = [], []
        titles = []
        for item in scene.nodes.values():
            p = item.pos()
            rect = QRectF(p.x(), p.y(), NODE_WIDTH, item.height)
            bodies.append(rect)
            titles.append(far_title(rect, item.title))
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
        self._titles = titles
        self.dirty = False

    def paint(self, painter: QPainter, scene: CanvasScene, exposed: QRectF | None = None) -> None:
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
        self._paint_titles(painter, scene, exposed)

    def _paint_titles(self, painter: QPainter, scene: CanvasScene, exposed: QRectF | None) -> None:
        scale = painter.worldTransform().m11()
        if not self._titles or FAR_TITLE_MAX * scale * PX_PER_POINT < MIN_READABLE_PX:
            return
        t = scene.theme
        painter.setPen(t.text if t.dark else QColor(20, 20, 24))
        for rect, title, size in self._titles:
            if size * scale * PX_PER_POINT < MIN_READABLE_PX:
                continue
            if exposed is not None and not exposed.intersects(rect):
                continue
            painter.setFont(theme.node_font(bold=True, size=size))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, title)
