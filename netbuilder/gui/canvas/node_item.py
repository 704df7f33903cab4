"""How a block looks on the canvas: a card with its type, name, key settings and size.

Items hold no truth (DESIGN rule 1): a ``NodeItem`` knows its node id and the strings it
draws, which the scene recomputes from the model and the shape check when they change.
Painting only draws those cached strings, so zooming and panning never call into the core.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.core.blocks import BlockSpec
from netbuilder.core.geometry import HEADER, LINE, card_body, port_offset
from netbuilder.gui import theme
from netbuilder.gui.theme import FAR_ZOOM, GRID, NODE_WIDTH, Theme

PORT_RADIUS = 5.5
FAR_LOD = FAR_ZOOM  # below this zoom, text would be a smudge: blocks are drawn as plain boxes
#: below this zoom the card's 8-point lines are too small to read: the card shows only its
#: type and output size, in a font as large as the card allows (level of detail)
SUMMARY_LOD = 0.6
SUMMARY_TITLE_MAX = 18.0  # one size for most types; only long names shrink to fit
SUMMARY_TEXT_MAX = 16.0


def fitted_size(text: str, bold: bool, width: float, largest: float) -> float:
    """The largest font size (at most ``largest``) at which ``text`` fits in ``width``."""
    if not text:
        return largest
    w = theme.font_metrics(bold, 10.0).horizontalAdvance(text)
    return max(4.0, min(largest, 10.0 * width / max(w, 1.0)))


def draw_summary(
    painter: QPainter, rect: QRectF, title: str, summary: str, t: Theme, category: str
) -> None:
    """A zoomed-out card: its type and output size in large type (also the overview's)."""
    painter.setPen(t.text if t.dark else QColor(20, 20, 24))
    width = rect.width() - 12
    size = fitted_size(title, True, width, SUMMARY_TITLE_MAX)
    painter.setFont(theme.node_font(bold=True, size=size))
    half = rect.height() / 2 if summary else rect.height()
    top = QRectF(rect.left() + 6, rect.top(), width, half)
    painter.drawText(top, Qt.AlignmentFlag.AlignCenter, title)
    if summary:
        painter.setPen(t.muted_text)
        painter.setFont(theme.node_font(size=fitted_size(summary, False, width, SUMMARY_TEXT_MAX)))
        bottom = QRectF(rect.left() + 6, rect.top() + half, width, rect.height() - half)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter, summary)


PORT_COLS = 30.0  # room for port names when a side has several ports

_SHORT = {
    "out_channels": "out",
    "out_features": "out",
    "kernel_size": "k",
    "stride": "s",
    "padding": "p",
    "hidden_size": "hidden",
    "num_layers": "layers",
    "num_heads": "heads",
    "nhead": "heads",
    "dim_feedforward": "ff",
    "embedding_dim": "dim",
    "output_size": "size",
    "negative_slope": "slope",
    "approximate": "approx",
    "vocab_size": "vocab",
    "channels": "ch",
    "height": "h",
    "width": "w",
    "length": "len",
    "features": "feat",
}


def format_value(value: Any) -> str:
    if value is None:
        return QCoreApplication.translate("NodeItem", "auto")
    if isinstance(value, bool):
        return (
            QCoreApplication.translate("NodeItem", "yes")
            if value
            else QCoreApplication.translate("NodeItem", "no")
        )
    if isinstance(value, list | tuple):
        return "×".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def key_params_text(spec: BlockSpec, params: dict[str, Any]) -> str:
    """'out 16 · k 3 · s 1' — the settings that tell two blocks of one type apart."""
    parts = []
    for name in spec.key_params:
        if name in params and params[name] != "":  # an empty text says nothing
            parts.append(f"{_SHORT.get(name, name)} {format_value(params[name])}")
    return " · ".join(parts)


@cache
def _header_shape() -> QPainterPath:
    """The card's top band: rounded above, square below (the same for every card)."""
    header = QPainterPath()
    header.addRoundedRect(QRectF(0, 0, NODE_WIDTH, HEADER + 7), 7, 7)
    band = QPainterPath()
    band.addRect(QRectF(0, 0, NODE_WIDTH, HEADER))
    return header.intersected(band)


class PortItem(QGraphicsItem):
    """A typed input or output socket; wires attach to its centre."""

    def __init__(self, parent: NodeItem, name: str, is_output: bool) -> None:
        super().__init__(parent)
        self.node_item = parent
        self.name = name
        self.is_output = is_output
        self.highlighted = False
        self.wired = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        # nothing to paint until lit: the card draws resting ports (saves a paint call each)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self) -> QRectF:
        r = PORT_RADIUS + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, not on)
            self.update()

    def set_wired(self, on: bool) -> None:
        if on != self.wired:
            self.wired = on
            self.node_item.update()  # the card draws its ports (one cached pixmap)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        """Only a highlighted port draws itself; a resting one is part of the card's pixmap."""
        if self.highlighted:
            draw_port(painter, self.node_item.theme, QPointF(0, 0), self.wired, True)


def draw_port(painter: QPainter, t: Theme, centre: QPointF, wired: bool, lit: bool) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    r = PORT_RADIUS + (2 if lit else 0)
    painter.setPen(QPen(t.highlight if lit else t.wire, 1.5))
    painter.setBrush(t.highlight if lit else (t.wire if wired else t.node_fill))
    painter.drawEllipse(centre, r, r)


class NodeItem(QGraphicsItem):
    """One block card. ``refresh`` rebuilds its cached text; ``paint`` only draws it."""

    def __init__(self, node_id: str, spec: BlockSpec, theme_: Theme) -> None:
        super().__init__()
        self.node_id = node_id
        self.spec = spec
        self.theme = theme_
        self.title = spec.type
        self.subtitle = node_id
        self.detail = ""
        self.count = ""
        self.summary = ""  # the output size shown when zoomed out ("16×32×32")
        self.error = False
        self.warning = False
        self.inputs: dict[str, PortItem] = {}
        self.outputs: dict[str, PortItem] = {}
        self._height = HEADER + 3 * LINE + 8
        self._syncing = False
        self._texts: tuple[str, list[tuple[QRectF, str, bool]]] | None = None
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setZValue(1)
        self.setAcceptHoverEvents(True)

    # ------------------------------------------------------------------ content
    def set_content(
        self,
        subtitle: str,
        detail: str,
        in_ports: tuple[str, ...],
        out_ports: tuple[str, ...],
    ) -> bool:
        """Update what the model says about this block; True if its ports changed."""
        changed = (subtitle, detail) != (self.subtitle, self.detail)
        self.subtitle, self.detail = subtitle, detail
        ports = tuple(self.inputs) != in_ports or tuple(self.outputs) != out_ports
        if ports:
            self._rebuild_ports(in_ports, out_ports)
            changed = True
        if changed:
            self._texts = None
            self.update()
        return ports

    def set_analysis(
        self, count: str, error: bool, warning: bool, tooltip: str, summary: str = ""
    ) -> bool:
        """Update what the shape check says; returns True if anything visible changed."""
        state = (count, error, warning, summary)
        if state == (self.count, self.error, self.warning, self.summary) and (
            tooltip == self.toolTip()
        ):
            return False
        self.count, self.error, self.warning, self.summary = state
        self._texts = None
        self.setToolTip(tooltip)
        self.update()
        return True

    def _rebuild_ports(self, in_ports: tuple[str, ...], out_ports: tuple[str, ...]) -> None:
        for port in [*self.inputs.values(), *self.outputs.values()]:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        self.inputs = {name: PortItem(self, name, False) for name in in_ports}
        self.outputs = {name: PortItem(self, name, True) for name in out_ports}
        n_in, n_out = len(in_ports), len(out_ports)
        self.prepareGeometryChange()
        self._height = HEADER + card_body(n_in, n_out)  # core.geometry: the layout's size
        for ports, is_output in ((self.inputs, False), (self.outputs, True)):
            for i, port in enumerate(ports.values()):
                port.setPos(*port_offset(i, len(ports), is_output, n_in, n_out))

    def port(self, name: str, is_output: bool) -> PortItem | None:
        return (self.outputs if is_output else self.inputs).get(name)

    def set_theme(self, theme_: Theme) -> None:
        self.theme = theme_
        self.update()
        for port in [*self.inputs.values(), *self.outputs.values()]:
            port.update()

    # ------------------------------------------------------------------ geometry
    @property
    def height(self) -> float:
        return self._height

    def boundingRect(self) -> QRectF:
        r = PORT_RADIUS + 2
        return QRectF(-r, -3, NODE_WIDTH + 2 * r, self._height + 6)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, NODE_WIDTH, self._height), 7, 7)
        return path

    def set_pos_from_model(self, pos: tuple[float, float]) -> None:
        self._syncing = True
        try:
            self.setPos(pos[0], pos[1])
        finally:
            self._syncing = False

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and not self._syncing:
            scene = self.scene()
            if scene is not None and getattr(scene, "snap_to_grid", True):
                return QPointF(round(value.x() / GRID) * GRID, round(value.y() / GRID) * GRID)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            scene = self.scene()
            if scene is not None and hasattr(scene, "node_item_moved"):
                scene.node_item_moved(self)
        return super().itemChange(change, value)

    # ------------------------------------------------------------------ painting
    def _layout_texts(self) -> tuple[str, list[tuple[QRectF, str, bool]]]:
        """Elide and place the card's text once per content change, not once per paint."""
        title = theme.font_metrics(True, 9.0).elidedText(
            self.title, Qt.TextElideMode.ElideRight, NODE_WIDTH - 16
        )
        bfm = theme.font_metrics(False, 8.0)
        left = PORT_COLS if len(self.inputs) > 1 else 0.0
        right = PORT_COLS if len(self.outputs) > 1 else 0.0
        text_w = NODE_WIDTH - 16 - left - right
        lines = []
        y = HEADER + 4
        for text, muted in (
            (self.subtitle, False),
            (self.detail, True),
            (
                QCoreApplication.translate("NodeItem", "{count} params").format(count=self.count)
                if self.count
                else "",
                True,
            ),
        ):
            if text:
                shown = bfm.elidedText(text, Qt.TextElideMode.ElideRight, text_w)
                lines.append((QRectF(10 + left, y, text_w, LINE), shown, muted))
                y += LINE
        return title, lines

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        rect = QRectF(0, 0, NODE_WIDTH, self._height)
        border = t.error if self.error else (t.warning if self.warning else t.node_border)
        if self.isSelected():
            border = t.selected
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < FAR_LOD:  # far out: a coloured box, a handful of calls for 500 blocks
            painter.setPen(QPen(border, 0))
            painter.setBrush(t.node_fill)
            painter.drawRect(rect)
            painter.fillRect(QRectF(0, 0, NODE_WIDTH, HEADER), t.category_color(self.spec.category))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if lod < SUMMARY_LOD:
            self._paint_summary(painter, rect, border)
            return
        width = 2.4 if (self.isSelected() or self.error) else 1.2
        painter.setPen(QPen(border, width))
        painter.setBrush(t.node_fill)
        painter.drawRoundedRect(rect, 7, 7)
        # header band in the category colour
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(t.category_color(self.spec.category)))
        painter.drawPath(_header_shape())
        painter.setPen(QPen(border, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 7, 7)

        for port in [*self.inputs.values(), *self.outputs.values()]:
            draw_port(painter, t, port.pos(), port.wired, False)
        painter.setFont(theme.node_font(bold=True, size=9.0))
        painter.setPen(QColor(20, 20, 24) if not t.dark else t.text)
        if self._texts is None:
            self._texts = self._layout_texts()
        title, lines = self._texts
        painter.drawText(
            QRectF(8, 0, NODE_WIDTH - 16, HEADER), Qt.AlignmentFlag.AlignVCenter, title
        )
        painter.setFont(theme.node_font(size=8.0))
        for rect, text, muted in lines:
            painter.setPen(t.muted_text if muted else t.text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, text)
        left = len(self.inputs) > 1
        right = len(self.outputs) > 1
        port_cols = PORT_COLS
        if left or right:
            painter.setPen(t.muted_text)
            for ports, align, x in (
                (self.inputs, Qt.AlignmentFlag.AlignLeft, 9.0),
                (self.outputs, Qt.AlignmentFlag.AlignRight, NODE_WIDTH - 9.0 - port_cols),
            ):
                if len(ports) > 1:
                    for port in ports.values():
                        r = QRectF(x, port.pos().y() - LINE / 2, port_cols, LINE)
                        painter.drawText(r, align | Qt.AlignmentFlag.AlignVCenter, port.name)

    def _paint_summary(self, painter: QPainter, rect: QRectF, border: QColor) -> None:
        """Zoomed out: the card in its category colour, type and output size in large type."""
        t = self.theme
        painter.setPen(QPen(border, 3.0 if (self.isSelected() or self.error) else 1.5))
        fill = QColor(t.category_color(self.spec.category))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 7, 7)
        for port in [*self.inputs.values(), *self.outputs.values()]:
            draw_port(painter, t, port.pos(), port.wired, False)
        draw_summary(painter, rect, self.title, self.summary, t, self.spec.category)
