"""Pictures of what one block computed (the "Inside" panel's views), drawn with pyqtgraph.

* ``FeatureGrid``: a conv block's feature maps, channels tiled into one mosaic image (one
  ``ImageItem``, so 64 tiles cost one texture upload), each tile scaled to its own range.
* ``AttentionMap``: an attention block's weights as a T×T heat map, per head or averaged.
* ``TraceView``: a recurrent block's hidden units over time.
* ``ValueStrip``: any other output (a vector, a T×F sequence) as a heat strip.
* ``HistogramPair``: histograms of the block's activations and of its weight gradients.

They only draw what they are given (tensors from ``train.capture.Capture``); nothing here
knows about runs or documents.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

#: At most this many feature maps are tiled (the rest are counted in the caption).
MAX_TILES = 64
#: Hidden units drawn in a trace.
MAX_TRACES = 8

_COLORMAP = pg.colormap.get("viridis")
_HISTOGRAM_COLOURS = {"activations": (80, 140, 220), "gradients": (220, 120, 60)}


def steady_label(lines: int = 2) -> QLabel:
    """A wrapped label whose height is fixed at ``lines`` lines: new text every capture
    then never changes a size hint, so it costs a repaint of the label, not a relayout of
    the window (with the training curves in it)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 4)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return label


def _plot(title: str = "") -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setMenuEnabled(False)
    plot.setMinimumHeight(90)
    for side in ("left", "bottom"):  # "500", not "0.5 (x0.001)"
        plot.getAxis(side).enableAutoSIPrefix(False)
    if title:
        plot.setTitle(title, size="9pt")
    return plot


def mosaic(maps: np.ndarray, limit: int = MAX_TILES) -> tuple[np.ndarray, int, int]:
    """Tile C×H×W maps (each scaled to 0..1 on its own) into one image; NaN gaps between.

    Returns (image, tiles, columns). The image is indexed [x, y] as ``ImageItem`` expects.
    """
    tiles = min(len(maps), limit)
    cols = max(1, math.ceil(math.sqrt(tiles)))
    rows = max(1, math.ceil(tiles / cols))
    h, w = maps.shape[1], maps.shape[2]
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan, dtype=np.float32)
    for i in range(tiles):
        m = maps[i].astype(np.float32)
        low, high = np.nanmin(m), np.nanmax(m)
        m = (m - low) / (high - low) if high > low else np.zeros_like(m)
        r, c = divmod(i, cols)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = m
    return out.T, tiles, cols  # ImageItem: first axis is x


class FeatureGrid(QWidget):
    """Feature maps (C×H×W) as a grid of tiles."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot()
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.image = pg.ImageItem()
        self.image.setColorMap(_COLORMAP)
        self.plot.addItem(self.image)
        self.caption = steady_label()
        self.tiles = 0
        self._extent: tuple[int, ...] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)

    def show_maps(self, maps: torch.Tensor, channels: int) -> None:
        """``maps``: the kept channels (C'×H×W); ``channels``: how many the block has."""
        image, self.tiles, _cols = mosaic(maps.numpy(), MAX_TILES)
        self.image.setImage(image, levels=(0.0, 1.0), autoLevels=False)
        if image.shape != self._extent:  # the same mosaic size keeps its view
            self._extent = image.shape
            self.plot.autoRange(padding=0.02)
        self.caption.setText(
            QCoreApplication.translate(
                "InsideViews", "{shown} of {total} channels, {h}×{w}, each scaled to its own range"
            ).format(shown=self.tiles, total=channels, h=maps.shape[1], w=maps.shape[2])
        )

    def clear(self) -> None:
        self.image.clear()
        self.tiles = 0
        self._extent = None
        self.caption.setText("")


class AttentionMap(QWidget):
    """Attention weights (query rows × key columns), one head or their mean."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.head = QComboBox()
        self.head.setObjectName("inside_head")
        self.head.setToolTip(
            QCoreApplication.translate("InsideViews", "Which attention head to show")
        )
        self.head.currentIndexChanged.connect(self._draw)
        self.plot = _plot()
        self.plot.setAspectLocked(True)
        self.plot.invertY(True)
        self.plot.setLabel("left", QCoreApplication.translate("InsideViews", "query position"))
        self.plot.setLabel("bottom", QCoreApplication.translate("InsideViews", "key position"))
        self.image = pg.ImageItem()
        self.image.setColorMap(_COLORMAP)
        self.plot.addItem(self.image)
        self.weights: torch.Tensor | None = None  # heads×T×T (or 1×T×T: only the mean)
        row = QHBoxLayout()
        row.addWidget(QLabel(QCoreApplication.translate("InsideViews", "Head:")))
        row.addWidget(self.head, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)

    def show_weights(self, heads: torch.Tensor | None, mean: torch.Tensor) -> None:
        self.weights = heads if heads is not None else mean[None]
        keep = self.head.currentIndex()
        self.head.blockSignals(True)
        self.head.clear()
        self.head.addItem(QCoreApplication.translate("InsideViews", "Mean of all heads"))
        if heads is not None:
            for i in range(len(heads)):
                self.head.addItem(
                    QCoreApplication.translate("InsideViews", "Head {n}").format(n=i + 1)
                )
        self.head.setCurrentIndex(keep if 0 <= keep < self.head.count() else 0)
        self.head.blockSignals(False)
        self._draw()

    def shown(self) -> np.ndarray | None:
        """The T×T map on screen (query rows), for tests and export."""
        if self.weights is None:
            return None
        i = self.head.currentIndex()
        m = self.weights.mean(0) if i <= 0 else self.weights[i - 1]
        return m.numpy()

    def _draw(self) -> None:
        m = self.shown()
        if m is None:
            return
        self.image.setImage(m.T, levels=(0.0, float(max(m.max(), 1e-6))), autoLevels=False)
        self.plot.autoRange(padding=0.02)

    def clear(self) -> None:
        self.weights = None
        self.head.clear()
        self.image.clear()


class TraceView(QWidget):
    """Hidden units of a recurrent block over the time steps of the sample."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot()
        self.plot.setLabel("bottom", QCoreApplication.translate("InsideViews", "time step"))
        self.plot.setLabel("left", QCoreApplication.translate("InsideViews", "hidden state"))
        self.lines: list[pg.PlotDataItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_trace(self, trace: torch.Tensor) -> None:
        """``trace``: T×units."""
        self.clear()
        values = trace.numpy()
        steps = np.arange(values.shape[0])
        for unit in range(min(MAX_TRACES, values.shape[1])):
            pen = pg.mkPen(pg.intColor(unit, MAX_TRACES), width=1)
            self.lines.append(self.plot.plot(steps, values[:, unit], pen=pen))
        self.plot.setTitle(
            QCoreApplication.translate("InsideViews", "{n} of the hidden units").format(
                n=len(self.lines)
            ),
            size="9pt",
        )

    def clear(self) -> None:
        self.plot.clear()
        self.lines = []


class ValueStrip(QWidget):
    """Any other output: a vector as one row, a T×F sequence as rows, as a heat map."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = _plot()
        self.plot.invertY(True)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("CET-D1"))
        self.plot.addItem(self.image)
        self.caption = steady_label(1)
        self._labels: tuple[str, str] | None = None
        self._extent: tuple[int, ...] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.caption)

    def show_values(self, values: torch.Tensor) -> None:
        v = values.numpy().astype(np.float32)
        grid = v.reshape(1, -1) if v.ndim <= 1 else v.reshape(v.shape[0], -1)
        finite = np.abs(grid[np.isfinite(grid)])
        bound = float(finite.max()) if finite.size else 1.0  # a NaN run has none at all
        bound = bound if bound > 0 else 1.0
        self.image.setImage(grid.T, levels=(-bound, bound), autoLevels=False)
        labels = (
            QCoreApplication.translate("InsideViews", "feature"),
            QCoreApplication.translate("InsideViews", "position") if grid.shape[0] > 1 else "",
        )
        if labels != self._labels:  # a new label re-lays the plot out: only when it changes
            self._labels = labels
            self.plot.setLabel("bottom", labels[0])
            self.plot.setLabel("left", labels[1])
        if grid.shape != self._extent:  # the same extent needs no new range (nor new ticks)
            self._extent = grid.shape
            self.plot.autoRange(padding=0.02)
        text = QCoreApplication.translate(
            "InsideViews", "{rows}×{cols} values, from −{b} (blue) to +{b} (red)"
        ).format(rows=grid.shape[0], cols=grid.shape[1], b=f"{bound:.3g}")
        if finite.size < grid.size:
            text += QCoreApplication.translate(
                "InsideViews", "; {n} not finite (NaN or ±Inf), left blank"
            ).format(n=grid.size - finite.size)
        self.caption.setText(text)

    def clear(self) -> None:
        self.image.clear()
        self.caption.setText("")
        self._extent = None


class HistogramPair(QWidget):
    """Histograms of activations (top) and weight gradients (bottom).

    The curves are made once and only get new data (a redraw during training must stay a
    few milliseconds); their mean and standard deviation go in a text item in the top left
    corner, which changes no layout.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.activations = _plot(QCoreApplication.translate("InsideViews", "Activations"))
        self.gradients = _plot(QCoreApplication.translate("InsideViews", "Weight gradients"))
        self.plots = {"activations": self.activations, "gradients": self.gradients}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.stats: dict[str, pg.TextItem] = {}
        for key, plot in self.plots.items():
            plot.setMinimumHeight(70)
            plot.setMaximumHeight(130)
            plot.hideAxis("left")  # the counts' scale says little; one axis less to paint
            plot.setMouseEnabled(x=False, y=False)
            colour = _HISTOGRAM_COLOURS[key]
            self.curves[key] = plot.plot(
                [0.0, 1.0], [0.0], stepMode="center", fillLevel=0, brush=(*colour, 120), pen=colour
            )
            text = pg.TextItem(anchor=(0, 0), color=(200, 200, 200))  # top left, fixed
            text.setParentItem(plot.getPlotItem().getViewBox())
            self.stats[key] = text
        self.counts: dict[str, int] = {"activations": 0, "gradients": 0}
        layout = QVBoxLayout(self)  # one above the other: the panel is a narrow dock
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.activations)
        layout.addWidget(self.gradients)

    def show_histograms(self, activations: object | None, gradients: object | None) -> None:
        self._draw("activations", activations)
        self._draw("gradients", gradients)

    def show_one(self, key: str, capture: object | None) -> None:
        """Only the ``"activations"`` or ``"gradients"`` histogram (a staged redraw)."""
        self._draw(key, capture)

    def _draw(self, key: str, capture: object | None) -> None:
        curve, text = self.curves[key], self.stats[key]
        if capture is None:
            curve.setData([0.0, 1.0], [0.0])
            curve.setVisible(False)
            self.counts[key] = 0
            text.setText(
                QCoreApplication.translate("InsideViews", "none") if key == "gradients" else ""
            )
        else:
            hist = capture.histogram.numpy()  # type: ignore[attr-defined]
            low, high = capture.low, capture.high  # type: ignore[attr-defined]
            curve.setData(np.linspace(low, high, len(hist) + 1), hist)
            curve.setVisible(True)
            self.counts[key] = int(hist.sum())
            text.setText(
                QCoreApplication.translate("InsideViews", "mean {mean}\nstd {std}").format(
                    mean=f"{capture.mean:.2g}",  # type: ignore[attr-defined]
                    std=f"{capture.std:.2g}",  # type: ignore[attr-defined]
                )
            )

    def clear(self) -> None:
        self._draw("activations", None)
        self._draw("gradients", None)
