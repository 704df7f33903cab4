"""How a block looks on the canvas: a card with its type, name, key settings and size.

Items hold no truth (DESIGN rule 1): a ``NodeItem`` knows its node id and the strings it
draws, which the scene recomputes from the model and the shape check when they change.
Painting only draws those cached strings, so zooming and panning never call into the core.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.core.blocks import BlockSpec
from netbuilder.gui import theme
from netbuilder.gui.theme import GRID, NODE_WIDTH, Theme

HEADER = 22.0
LINE = 15.0
PORT_GAP = 18.0
PORT_RADIUS = 5.5

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
        return "auto"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "×".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def key_params_text(spec: BlockSpec, params: dict[str, Any]) -> str:
    """'out 16 · k 3 · s 1' — the settings that tell two blocks of one type apart."""
    parts = []
    for name in spec.key_params:
        if name in params:
            parts.append(f"{_SHORT.get(name, name)} {format_value(params[name])}")
    return " · ".join(parts)


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
            self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        t = self.node_item.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = PORT_RADIUS + (2 if self.highlighted else 0)
        fill = t.highlight if self.highlighted else (t.wire if self.wired else t.node_fill)
        painter.setPen(QPen(t.highlight if self.highlighted else t.wire, 1.5))
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(0, 0), r, r)


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
        self.error = False
        self.warning = False
        self.inputs: dict[str, PortItem] = {}
        self.outputs: dict[str, PortItem] = {}
        self._height = HEADER + 3 * LINE + 8
        self._syncing = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.setAcceptHoverEvents(True)

    # ------------------------------------------------------------------ content
    def set_content(
        self,
        subtitle: str,
        detail: str,
        in_ports: tuple[str, ...],
        out_ports: tuple[str, ...],
    ) -> None:
        """Update what the model says about this block (params, label, ports)."""
        changed = (subtitle, detail) != (self.subtitle, self.detail)
        self.subtitle, self.detail = subtitle, detail
        if tuple(self.inputs) != in_ports or tuple(self.outputs) != out_ports:
            self._rebuild_ports(in_ports, out_ports)
            changed = True
        if changed:
            self.update()

    def set_analysis(self, count: str, error: bool, warning: bool, tooltip: str) -> bool:
        """Update what the shape check says; returns True if anything visible changed."""
        state = (count, error, warning)
        if state == (self.count, self.error, self.warning) and tooltip == self.toolTip():
            return False
        self.count, self.error, self.warning = state
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
        rows = max(len(in_ports), len(out_ports), 1)
        body = max(3 * LINE + 8, rows * PORT_GAP + 10)
        self.prepareGeometryChange()
        self._height = HEADER + body
        for ports, x in ((self.inputs, 0.0), (self.outputs, NODE_WIDTH)):
            n = len(ports)
            for i, port in enumerate(ports.values()):
                y = HEADER + body / 2 + (i - (n - 1) / 2) * PORT_GAP
                port.setPos(x, y)

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
        return QRectF(-3, -3, NODE_WIDTH + 6, self._height + 6)

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
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = self.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(0, 0, NODE_WIDTH, self._height)
        border = t.error if self.error else (t.warning if self.warning else t.node_border)
        if self.isSelected():
            border = t.selected
        width = 2.4 if (self.isSelected() or self.error) else 1.2
        painter.setPen(QPen(border, width))
        painter.setBrush(t.node_fill)
        painter.drawRoundedRect(rect, 7, 7)
        # header band in the category colour
        header = QPainterPath()
        header.addRoundedRect(QRectF(0, 0, NODE_WIDTH, HEADER + 7), 7, 7)
        band = QPainterPath()
        band.addRect(QRectF(0, 0, NODE_WIDTH, HEADER))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(t.category_color(self.spec.category)))
        painter.drawPath(header.intersected(band))
        painter.setPen(QPen(border, width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 7, 7)

        title_font = theme.node_font(bold=True, size=9.0)
        painter.setFont(title_font)
        painter.setPen(QColor(20, 20, 24) if not t.dark else t.text)
        fm = QFontMetricsF(title_font)
        title = fm.elidedText(self.title, Qt.TextElideMode.ElideRight, NODE_WIDTH - 16)
        painter.drawText(
            QRectF(8, 0, NODE_WIDTH - 16, HEADER), Qt.AlignmentFlag.AlignVCenter, title
        )

        body_font = theme.node_font(size=8.0)
        painter.setFont(body_font)
        bfm = QFontMetricsF(body_font)
        port_cols = 30.0
        left = port_cols if len(self.inputs) > 1 else 0.0
        right = port_cols if len(self.outputs) > 1 else 0.0
        text_w = NODE_WIDTH - 16 - left - right
        lines = [
            (self.subtitle, t.text),
            (self.detail, t.muted_text),
            (f"{self.count} params" if self.count else "", t.muted_text),
        ]
        y = HEADER + 4
        for text, color in lines:
            if text:
                painter.setPen(color)
                shown = bfm.elidedText(text, Qt.TextElideMode.ElideRight, text_w)
                painter.drawText(
                    QRectF(10 + left, y, text_w, LINE), Qt.AlignmentFlag.AlignVCenter, shown
                )
                y += LINE
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
