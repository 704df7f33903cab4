"""Colours and fonts of the canvas, derived from the system palette (light or dark).

The canvas paints itself, so it cannot rely on the widget style: this module turns the
application palette into the handful of colours the items use, and gives every block
category its own hue so a network reads at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPalette

from netbuilder.core.geometry import CARD_WIDTH

CATEGORY_HUES: dict[str, int] = {
    "Input": 140,
    "Convolution": 210,
    "Pooling": 190,
    "Recurrent": 270,
    "Attention": 300,
    "Normalisation": 45,
    "Activation": 30,
    "Dense & shape": 230,
    "Merge": 170,
    "Output": 0,
    "My blocks": 330,  # the document's own sub-blocks
    "Sub-block ports": 140,  # SubInput / SubOutput inside a definition
}

#: Below this zoom card text is a smudge: cards draw as plain boxes and wires as hairlines,
#: and opening a file frames the whole network only if it fits at this zoom or closer.
FAR_ZOOM = 0.27
GRID = 10.0
NODE_WIDTH = CARD_WIDTH  # one definition with the layout (core.geometry)


@dataclass(frozen=True)
class Theme:
    """The colours one paint pass needs; rebuilt when the system switches light/dark."""

    dark: bool
    background: QColor
    grid: QColor
    node_fill: QColor
    node_border: QColor
    selected: QColor
    text: QColor
    muted_text: QColor
    wire: QColor
    wire_label_bg: QColor
    error: QColor
    warning: QColor
    highlight: QColor

    def category_color(self, category: str) -> QColor:
        hue = CATEGORY_HUES.get(category, 220)
        if self.dark:
            return QColor.fromHsl(hue, 110, 95)
        return QColor.fromHsl(hue, 150, 200)


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark (follows the system colour scheme)."""
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def current_theme() -> Theme:
    dark = is_dark()
    if dark:
        return Theme(
            dark=True,
            background=QColor(34, 36, 40),
            grid=QColor(48, 51, 56),
            node_fill=QColor(52, 55, 61),
            node_border=QColor(90, 95, 104),
            selected=QColor(90, 160, 255),
            text=QColor(232, 234, 237),
            muted_text=QColor(170, 176, 186),
            wire=QColor(150, 158, 170),
            wire_label_bg=QColor(34, 36, 40, 230),
            error=QColor(255, 95, 86),
            warning=QColor(240, 180, 60),
            highlight=QColor(80, 220, 120),
        )
    return Theme(
        dark=False,
        background=QColor(248, 249, 251),
        grid=QColor(231, 234, 239),
        node_fill=QColor(255, 255, 255),
        node_border=QColor(170, 176, 186),
        selected=QColor(30, 110, 230),
        text=QColor(33, 37, 41),
        muted_text=QColor(96, 104, 115),
        wire=QColor(110, 118, 130),
        wire_label_bg=QColor(248, 249, 251, 235),
        error=QColor(210, 40, 40),
        warning=QColor(200, 130, 0),
        highlight=QColor(20, 170, 80),
    )


@cache
def node_font(bold: bool = False, size: float = 9.0) -> QFont:
    """Shared font objects (made once: painting 500 blocks must not build fonts)."""
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


@cache
def font_metrics(bold: bool = False, size: float = 9.0) -> QFontMetricsF:
    return QFontMetricsF(node_font(bold, size))


@cache
def text_width(text: str, size: float) -> float:
    return font_metrics(False, size).horizontalAdvance(text)


def format_count(n: int) -> str:
    """1234567 -> '1.23M': short enough to fit on a node."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f}M"
    if n >= 10_000:
        return f"{n / 1000:.1f}k"
    return f"{n:,}"
