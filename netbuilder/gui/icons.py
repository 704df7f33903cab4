"""Block and app icons, painted from the category colours so they follow light/dark mode."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from netbuilder.core.blocks import BlockSpec
from netbuilder.gui.theme import CATEGORY_HUES
from netbuilder.resources import RESOURCES_DIR

APP_ICON = RESOURCES_DIR / "icons" / "netbuilder.svg"


@cache
def _category_pixmap(category: str, letter: str) -> QPixmap:
    pm = QPixmap(32, 32)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor.fromHsl(CATEGORY_HUES.get(category, 220), 150, 120))
    p.drawRoundedRect(QRectF(2, 2, 28, 28), 7, 7)
    font = QFont()
    font.setPixelSize(15)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(2, 2, 28, 28), Qt.AlignmentFlag.AlignCenter, letter)
    p.end()
    return pm


def block_icon(spec: BlockSpec) -> QIcon:
    letters = "".join(c for c in spec.type if c.isupper())[:2] or spec.type[:2]
    return QIcon(_category_pixmap(spec.category, letters))


def category_icon(category: str) -> QIcon:
    return QIcon(_category_pixmap(category, category[:1]))


def app_icon() -> QIcon:
    return QIcon(str(APP_ICON)) if APP_ICON.exists() else QIcon()
