"""Marks drawn over the blocks of the canvas: a heat tint with a figure (the cost overlay)
and a coloured ring with a badge (gradient health).

Items hold no truth (DESIGN rule 1): a ``CanvasOverlay`` is told, per node id, what to
draw (``Mark``) and keeps one child item per marked card. A mark is a child of the card,
so it moves, hides and goes away with it; it takes no mouse buttons (clicks and drags
reach the card underneath) and only its badge answers hover, so the badge's tooltip says
what the figure is or why a block shows "—" while the rest of the card keeps its own.
The scene recreates its cards when another document is shown: the owner calls ``sync``
after every check (``Session.analysed``), which attaches marks to new cards and drops
those of removed ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QLinearGradient, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.gui import theme
from netbuilder.gui.theme import NODE_WIDTH

if TYPE_CHECKING:
    from netbuilder.gui.canvas.node_item import NodeItem
    from netbuilder.gui.canvas.scene import DiagramScene

#: Heat ramp, pale to hot: the colour of a block's share of the largest figure.
HEAT_STOPS: tuple[tuple[float, QColor], ...] = (
    (0.0, QColor(255, 247, 188)),
    (0.35, QColor(254, 196, 79)),
    (0.7, QColor(236, 112, 20)),
    (1.0, QColor(204, 28, 28)),
)
UNKNOWN = QColor(150, 150, 160)
TINT_ALPHA = 100  # the card's own text stays readable through the tint


def heat_color(t: float) -> QColor:
    """The ramp's colour at ``t`` in 0..1 (clamped): 0 palest, 1 hottest."""
    t = min(1.0, max(0.0, t))
    for (a, ca), (b, cb) in itertools.pairwise(HEAT_STOPS):
        if t <= b:
            f = (t - a) / (b - a)
            return QColor(
                round(ca.red() + (cb.red() - ca.red()) * f),
                round(ca.green() + (cb.green() - ca.green()) * f),
                round(ca.blue() + (cb.blue() - ca.blue()) * f),
            )
    return QColor(HEAT_STOPS[-1][1])


def heat_gradient(rect: QRectF) -> QLinearGradient:
    """The ramp left to right across ``rect`` (the legend's bar)."""
    gradient = QLinearGradient(rect.topLeft(), rect.topRight())
    for stop, colour in HEAT_STOPS:
        gradient.setColorAt(stop, colour)
    return gradient


@dataclass(frozen=True, slots=True)
class Mark:
    """What to draw on one card.

    ``tint``: a translucent fill over the card (the cost heat); ``ring``: a thick outline
    (a health problem); ``badge``: a short text in a pill (bottom-right for a tint, top-right
    for a ring), coloured ``badge_color``; ``tooltip``: what the badge means, in words.
    """

    badge: str
    tooltip: str = ""
    tint: QColor | None = None
    ring: QColor | None = None
    badge_color: QColor | None = None


class MarkItem(QGraphicsItem):
    """One card's mark (a child item of the card)."""

    def __init__(self, card: NodeItem, mark: Mark, top: bool) -> None:
        super().__init__(card)
        self.card = card
        self.top = top  # badge at the top-right (health) or bottom-right (cost)
        self.mark = mark
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(3 if top else 2)
        self.set_mark(mark)

    def set_mark(self, mark: Mark) -> None:
        self.prepareGeometryChange()
        self.mark = mark
        self.setToolTip(mark.tooltip)
        self.update()

    def _badge_rect(self) -> QRectF:
        fm = theme.font_metrics(True, 8.0)
        w = min(NODE_WIDTH - 12.0, fm.horizontalAdvance(self.mark.badge) + 12.0)
        h = 15.0
        if self.top:
            return QRectF(NODE_WIDTH - w - 4.0, -h / 2, w, h)
        return QRectF(NODE_WIDTH - w - 4.0, self.card.height - h / 2, w, h)

    def boundingRect(self) -> QRectF:
        return QRectF(-4, -10, NODE_WIDTH + 8, self.card.height + 20)

    def shape(self) -> QPainterPath:
        """Only the badge is under the mouse: the card keeps its own hover and tooltip."""
        path = QPainterPath()
        path.addRoundedRect(self._badge_rect(), 7, 7)
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        mark = self.mark
        card = QRectF(0, 0, NODE_WIDTH, self.card.height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if mark.tint is not None:
            tint = QColor(mark.tint)
            tint.setAlpha(TINT_ALPHA)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tint)
            painter.drawRoundedRect(card, 7, 7)
        if mark.ring is not None:
            painter.setPen(QPen(mark.ring, 4.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(-2, -2, 2, 2), 8, 8)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if not mark.badge or lod < 0.35:  # far out the text is a smudge; the colour says it
            return
        rect = self._badge_rect()
        fill = QColor(mark.badge_color or mark.ring or mark.tint or UNKNOWN)
        painter.setPen(QPen(QColor(0, 0, 0, 90), 1.0))
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(rect, 7, 7)
        painter.setFont(theme.node_font(bold=True, size=8.0))
        painter.setPen(QColor(255, 255, 255) if fill.lightnessF() < 0.55 else QColor(20, 20, 24))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, mark.badge)


class CanvasOverlay(QObject):
    """One layer of marks over the scene's cards (cost, or health): ``show`` / ``clear``."""

    def __init__(self, scene: DiagramScene, top: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.top = top
        self.marks: dict[str, Mark] = {}
        self.items: dict[str, MarkItem] = {}

    def show(self, marks: dict[str, Mark]) -> None:
        """Draw exactly these marks (blocks not named lose theirs)."""
        self.marks = dict(marks)
        self.sync()

    def clear(self) -> None:
        self.show({})

    def sync(self) -> None:
        """Attach, update or drop each card's mark to match ``marks`` and the scene's cards."""
        cards = self.scene.nodes
        for nid in list(self.items):
            item = self.items[nid]
            if nid not in self.marks or cards.get(nid) is not item.card:
                self._drop(nid)
        for nid, mark in self.marks.items():
            card = cards.get(nid)
            if card is None:
                continue
            item = self.items.get(nid)
            if item is None:
                self.items[nid] = MarkItem(card, mark, self.top)
            elif item.mark != mark:
                item.set_mark(mark)

    def _drop(self, nid: str) -> None:
        item = self.items.pop(nid)
        if item.scene() is not None and item.parentItem() is not None:
            item.scene().removeItem(item)
        item.setParentItem(None)

    def mark_of(self, nid: str) -> Mark | None:
        return self.marks.get(nid)

    def badges(self) -> Sequence[tuple[str, str]]:
        """(node id, badge text) of every mark on a card: what the user sees (tests read it)."""
        return [(nid, item.mark.badge) for nid, item in self.items.items()]
