"""The data behind the training curves: one run's growing series and their smoothing.

``RunSeries`` holds every point of the live run in arrays grown geometrically, with the
debiased exponential moving average (``ema``) kept up to date batch by batch; the colours
of runs overlaid from the run list live here too, so the list and the plots agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from netbuilder.gui.docks.training_curve_lod import Envelope, GrowingSeries


def faint(rgb: tuple[int, int, int], share: float, background: QColor | None = None) -> QColor:
    """An *opaque* colour ``share`` of the way from the plot background to ``rgb``.

    Opaque rather than alpha-blended: blending every pixel of a long noisy curve was a
    measurable part of each frame in software rendering.
    """
    bg = background if background is not None else pg.mkColor(pg.getConfigOption("background"))
    r, g, b = (
        round(c * share + bc * (1 - share)) for c, bc in zip(rgb, bg.getRgb()[:3], strict=True)
    )
    return QColor(r, g, b)


RAW_RGB = (90, 140, 220)
EMA_PEN = pg.mkPen((40, 100, 220), width=1)
VAL_LOSS_PEN = pg.mkPen((230, 120, 30), width=1)
TRAIN_ACC_PEN = pg.mkPen((40, 100, 220), width=1)
VAL_ACC_PEN = pg.mkPen((230, 120, 30), width=1)
LR_PEN = pg.mkPen((60, 160, 90), width=1)
BEST_PEN = pg.mkPen((200, 40, 40), width=1, style=pg.QtCore.Qt.PenStyle.DashLine)


#: Default weight of the debiased exponential moving average drawn over the raw step loss
#: (TensorBoard's "smoothing" slider; the user changes it in the curves' top row).
EMA_ALPHA = 0.9

#: Colours of runs overlaid from the run list, by run number (TensorBoard's qualitative
#: palette without its blue and orange, which the live run's train/validation curves use).
RUN_COLOURS = [
    (0, 150, 136), (204, 51, 17), (238, 51, 119), (136, 34, 85),
    (51, 160, 44), (120, 120, 120), (153, 102, 51), (106, 61, 154),
]  # fmt: skip


def run_colour(number: int) -> tuple[int, int, int]:
    return RUN_COLOURS[(number - 1) % len(RUN_COLOURS)]


def ema(
    values: np.ndarray, alpha: float, start: float | None, count: int
) -> tuple[np.ndarray, float, int]:
    """Debiased exponential moving average continuing from state ``start`` after ``count`` points.

    Returns the smoothed values, the new raw (biased) state and the point count, so batches
    can be chained.
    Debiasing (as TensorBoard does) keeps the first points from being dragged towards 0.
    """
    out = np.empty_like(values, dtype=np.float64)
    state = 0.0 if start is None else start
    n = count
    for i, v in enumerate(values):
        if not np.isfinite(v):
            out[i] = np.nan
            continue
        state = alpha * state + (1.0 - alpha) * float(v)
        n += 1
        out[i] = state / (1.0 - alpha**n)
    return out, state, n


@dataclass
class RunSeries:
    """All points of one training run."""

    label: str
    step_loss: GrowingSeries = field(default_factory=GrowingSeries)
    smooth_loss: GrowingSeries = field(default_factory=GrowingSeries)
    lr: GrowingSeries = field(default_factory=GrowingSeries)
    val_loss: GrowingSeries = field(default_factory=lambda: GrowingSeries(64))
    train_acc: GrowingSeries = field(default_factory=lambda: GrowingSeries(64))
    val_acc: GrowingSeries = field(default_factory=lambda: GrowingSeries(64))
    best_epoch: float | None = None
    raw_envelope: Envelope = field(default_factory=Envelope)
    smooth_envelope: Envelope = field(default_factory=Envelope)
    lr_envelope: Envelope = field(default_factory=Envelope)
    _ema_state: float | None = None
    _ema_count: int = 0

    smoothing: float = EMA_ALPHA

    def add_steps(self, x: np.ndarray, loss: np.ndarray, lr: np.ndarray) -> None:
        self.step_loss.extend(x, loss)
        smooth, self._ema_state, self._ema_count = ema(
            loss, self.smoothing, self._ema_state, self._ema_count
        )
        self.smooth_loss.extend(x, smooth)
        self.lr.extend(x, lr)

    def resmooth(self, smoothing: float) -> None:
        """Recompute the smoothed curve from the raw steps with another weight."""
        self.smoothing = smoothing
        smooth, self._ema_state, self._ema_count = ema(self.step_loss.y, smoothing, None, 0)
        self.smooth_loss = GrowingSeries(max(256, len(self.step_loss)))
        self.smooth_loss.extend(self.step_loss.x, smooth)
        self.smooth_envelope = Envelope()


def make_curve(plot: pg.PlotItem, pen: pg.QtGui.QPen, name: str | None) -> pg.PlotDataItem:
    """A curve configured as DESIGN rule 8 asks: clip to view, peak downsampling, no symbols."""
    item = plot.plot(pen=pen, name=name)
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    item.setSymbol(None)
    return item
