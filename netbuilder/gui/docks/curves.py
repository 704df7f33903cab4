"""Live training curves (DESIGN rule 8: workers emit data, the GUI thread draws).

The training dock feeds batches of step and epoch values into ``TrainingCurves`` and calls
``refresh()`` from its ≤ 30 Hz timer; nothing here is ever called from the training thread.
Points live in numpy arrays grown geometrically (``GrowingSeries``) so a redraw hands
pyqtgraph array views instead of re-converting ever-longer Python lists each frame, and
every curve uses ``setClipToView`` plus peak downsampling so long runs stay cheap to draw.

X axis: epochs as a float. A step at global step ``g`` with ``n`` steps per epoch sits at
``g / n`` so per-step losses and per-epoch validation values share one axis.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.docks.curve_series import (
    BEST_PEN,
    EMA_ALPHA,
    EMA_PEN,
    LR_PEN,
    RAW_RGB,
    TRAIN_ACC_PEN,
    VAL_ACC_PEN,
    VAL_LOSS_PEN,
    RunSeries,
    faint,
    run_colour,
)
from netbuilder.gui.docks.training_curve_lod import (
    RAW_LIMIT,
    GrowingSeries,
    display_arrays,
)
from netbuilder.gui.i18n import run_name
from netbuilder.train.runs import RunRecord, debiased_ema

ArrayLike = np.ndarray | Sequence[float]

#: The learning-rate curve changes slowly; redrawing its plot twice a second is plenty and
#: keeps a third of the plot area out of most frames.
LR_REFRESH_S = 0.5


def _curve(plot: pg.PlotItem, pen: pg.QtGui.QPen, name: str | None) -> pg.PlotDataItem:
    """A curve configured as DESIGN rule 8 asks: clip to view, peak downsampling, no symbols."""
    item = plot.plot(pen=pen, name=name)
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
    item.setSymbol(None)
    return item


class TrainingCurves(QWidget):
    """Loss, accuracy and learning-rate plots of the live run, plus the runs of this
    document selected in the run list (``show_records``), each in its run colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.redraw_count = 0  # number of refresh() calls that pushed data (benchmarks read it)
        self._shown: dict[int, object] = {}  # id(curve item) -> key of the data it shows
        self._lr_pushed_at = -1e9
        self._lr_top = 0.0
        self._dirty = False
        self._run_counter = 0
        self.current: RunSeries | None = None
        self.smoothing = EMA_ALPHA
        self.records: list[RunRecord] = []  # runs of this document overlaid
        self._overlay_items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []

        self.log_y = QCheckBox(self.tr("Log-y"))
        self.log_y.setToolTip(self.tr("Logarithmic loss axis (useful once the loss spans decades)"))
        self.log_y.toggled.connect(self.set_log_y)
        self.smoothing_box = QDoubleSpinBox()
        self.smoothing_box.setObjectName("curves_smoothing")
        self.smoothing_box.setRange(0.0, 0.99)
        self.smoothing_box.setSingleStep(0.05)
        self.smoothing_box.setDecimals(2)
        self.smoothing_box.setValue(EMA_ALPHA)
        self.smoothing_box.setToolTip(
            self.tr(
                "Weight of the debiased exponential moving average over the training loss "
                "(0 = raw values; as TensorBoard's smoothing)"
            )
        )
        self.smoothing_box.valueChanged.connect(self.set_smoothing)
        self.best_label = QLabel("")
        top = QHBoxLayout()
        top.setContentsMargins(4, 0, 4, 0)
        top.addWidget(self.log_y)
        top.addWidget(QLabel(self.tr("Smoothing")))
        top.addWidget(self.smoothing_box)
        top.addStretch(1)
        top.addWidget(self.best_label)

        # loss and accuracy side by side, the slowly changing learning rate in a low row
        self.graphics = pg.GraphicsLayoutWidget()
        self.loss_plot = self.graphics.addPlot(row=0, col=0, title=self.tr("Loss"))
        self.acc_plot = self.graphics.addPlot(row=0, col=1, title=self.tr("Accuracy"))
        self.lr_plot = self.graphics.addPlot(
            row=1, col=0, colspan=2, title=self.tr("Learning rate")
        )
        self.graphics.ci.layout.setRowStretchFactor(0, 4)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.accuracy_shown = True
        self._set_column_stretch()
        self._background = self._apply_palette()
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            # no grid: full-height alpha-blended grid lines were most of the paint time (~2/3
            # of a frame in software rendering), and a frame must stay well under 16 ms
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            # accuracy rises to the top right: its legend sits bottom right, out of the way
            offset = (-5, -5) if plot is self.acc_plot else (-5, 5)
            legend_bg = QColor(self._background)
            legend_bg.setAlpha(200)
            plot.addLegend(
                offset=offset,
                labelTextSize="8pt",
                labelTextColor=self.palette().color(QPalette.ColorRole.WindowText),
                brush=pg.mkBrush(legend_bg),
            )
        # linked views align by screen position, and the learning rate spans both columns:
        # linked, it would show another epoch range; it gets the run's range instead
        self.acc_plot.setXLink(self.loss_plot)
        self.lr_plot.enableAutoRange(x=False)
        self.loss_plot.sigXRangeChanged.connect(self._on_x_range_changed)
        self._refreshing = False
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            plot.setLabel("bottom", self.tr("epoch"))  # the x range is fixed per run (set_epochs)
        self.lr_plot.enableAutoRange(y=False)  # see _fit_lr_axis

        raw_pen = pg.mkPen(faint(RAW_RGB, 0.4, self._background), width=1)
        self.raw_item = _curve(self.loss_plot, raw_pen, self.tr("train (per step)"))
        self.smooth_item = _curve(self.loss_plot, EMA_PEN, self.tr("train (smoothed)"))
        self.val_loss_item = _curve(self.loss_plot, VAL_LOSS_PEN, self.tr("validation"))
        self.train_acc_item = _curve(self.acc_plot, TRAIN_ACC_PEN, self.tr("train"))
        self.val_acc_item = _curve(self.acc_plot, VAL_ACC_PEN, self.tr("validation"))
        self.lr_item = _curve(self.lr_plot, LR_PEN, None)
        self.best_lines = [pg.InfiniteLine(angle=90, movable=False, pen=BEST_PEN) for _ in range(2)]
        for line, plot in zip(self.best_lines, (self.loss_plot, self.acc_plot), strict=True):
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)

    def _set_column_stretch(self) -> None:
        factors = (1, 1) if self.accuracy_shown else (1, 0)
        for column, factor in enumerate(factors):
            self.graphics.ci.layout.setColumnStretchFactor(column, factor)

    def show_accuracy(self, on: bool) -> None:
        """Show the accuracy plot for classification runs; a regression run has none, and an
        empty plot would only take the room the loss curve needs."""
        if on == self.accuracy_shown:
            return
        self.accuracy_shown = on
        self.graphics.ci.removeItem(self.loss_plot)
        if on:
            self.graphics.addItem(self.loss_plot, row=0, col=0)
            self.graphics.addItem(self.acc_plot, row=0, col=1)
        else:
            self.graphics.ci.removeItem(self.acc_plot)
            self.graphics.addItem(self.loss_plot, row=0, col=0, colspan=2)
        self._set_column_stretch()

    def _apply_palette(self) -> QColor:
        """Plot background and axes in the window's colours (light or dark), not black."""
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.WindowText)
        self.graphics.setBackground(background)
        for plot in (self.loss_plot, self.acc_plot, self.lr_plot):
            plot.setTitle(plot.titleLabel.text, color=text.name(), size="9pt")
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(text, width=1))
                axis.setTextPen(pg.mkPen(text))
        return background

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "lr_plot"):
            self._background = self._apply_palette()
        super().changeEvent(event)

    @property
    def run_count(self) -> int:
        """Runs started in this session (the current one included)."""
        return self._run_counter

    # ------------------------------------------------------------------ feeding
    def begin_run(self, label: str | None = None) -> RunSeries:
        """Start drawing a new live run (earlier runs show through ``show_records``)."""
        self._run_counter += 1
        self.current = RunSeries(
            label or self.tr("run {number}").format(number=self._run_counter),
            smoothing=self.smoothing,
        )
        for item in (
            self.raw_item,
            self.smooth_item,
            self.val_loss_item,
            self.train_acc_item,
            self.val_acc_item,
            self.lr_item,
        ):
            item.setData([], [])
        self._shown.clear()
        self._lr_top = 0.0
        for line in self.best_lines:
            line.setVisible(False)
        self.best_label.setText("")
        self._dirty = False
        self.loss_plot.enableAutoRange(x=True, y=True)
        return self.current

    def set_epochs(self, epochs: int) -> None:
        """Fix the x range to the whole run, so axes are not re-laid out on every frame.

        With an auto-ranging x axis each new step changed the range and every axis was
        regenerated per redraw; a fixed range leaves only the y axes to follow the data.
        """
        self.loss_plot.enableAutoRange(x=False)
        self.loss_plot.setXRange(0.0, float(max(1, epochs)), padding=0.02)
        self.lr_plot.setXRange(0.0, float(max(1, epochs)), padding=0.02)

    def add_steps(
        self,
        x: np.ndarray | Sequence[float],
        loss: np.ndarray | Sequence[float],
        lr: np.ndarray | Sequence[float],
    ) -> None:
        """Append a batch of per-step values (x in fractional epochs)."""
        if self.current is None:
            self.begin_run()
        assert self.current is not None
        x_arr = np.asarray(x, dtype=np.float64)
        if x_arr.size == 0:
            return
        self.current.add_steps(
            x_arr, np.asarray(loss, dtype=np.float64), np.asarray(lr, dtype=np.float64)
        )
        self._dirty = True

    def add_epoch(
        self,
        epoch: float,
        val_loss: float | None,
        train_accuracy: float | None,
        val_accuracy: float | None,
        is_best: bool,
    ) -> None:
        """Append one epoch's validation values; ``is_best`` moves the best-epoch marker."""
        if self.current is None:
            self.begin_run()
        run = self.current
        assert run is not None
        if val_loss is not None and np.isfinite(val_loss):
            run.val_loss.append(epoch, val_loss)
        if train_accuracy is not None:
            run.train_acc.append(epoch, train_accuracy)
        if val_accuracy is not None:
            run.val_acc.append(epoch, val_accuracy)
        if is_best:
            run.best_epoch = epoch
        self._dirty = True

    def refresh(self, force: bool = False) -> bool:
        """Push new points to pyqtgraph if anything changed; returns whether it redrew.

        ``force`` also pushes the throttled learning-rate curve (end of a run).
        """
        run = self.current
        if run is None or not (self._dirty or force):
            return False
        now = time.monotonic()
        lr_due = force or now - self._lr_pushed_at >= LR_REFRESH_S
        vb = self.loss_plot.vb
        view = None if vb.autoRangeEnabled()[0] else tuple(vb.viewRange()[0])
        # per-step curves: raw points, or a bounded min/max envelope for long runs
        for item, series, envelope in (
            (self.raw_item, run.step_loss, run.raw_envelope),
            (self.smooth_item, run.smooth_loss, run.smooth_envelope),
            (self.lr_item, run.lr, run.lr_envelope),
        ):
            if item is self.lr_item and not lr_due:
                continue
            (xs, ys), key = display_arrays(series, envelope, view)
            if self._shown.get(id(item)) != key:
                item.setData(xs, ys)
                self._shown[id(item)] = key
                if item is self.lr_item:
                    self._lr_pushed_at = now
                    self._fit_lr_axis(series)
        # per-epoch curves change once an epoch; an untouched curve leaves its plot
        # unrepainted (pyqtgraph's minimal viewport updates)
        for item, series in (
            (self.val_loss_item, run.val_loss),
            (self.train_acc_item, run.train_acc),
            (self.val_acc_item, run.val_acc),
        ):
            if self._shown.get(id(item)) != len(series):
                item.setData(series.x, series.y)
                self._shown[id(item)] = len(series)
        if run.best_epoch is not None and self.best_lines[0].value() != run.best_epoch:
            for line in self.best_lines:
                line.setValue(run.best_epoch)
        if run.best_epoch is not None and not self.best_lines[0].isVisible():
            for line in self.best_lines:
                line.setVisible(True)
        if run.best_epoch is not None:
            self.best_label.setText(
                self.tr("best epoch: {epoch}").format(epoch=f"{run.best_epoch:g}")
            )
        self._dirty = False
        self.redraw_count += 1
        return True

    def _on_x_range_changed(self, *_args: object) -> None:
        """Zoom or pan over a long run: swap between the envelope and the raw points."""
        run = self.current
        if run is None or self._refreshing or len(run.step_loss) <= RAW_LIMIT:
            return
        self._refreshing = True
        try:
            self.refresh(force=True)
        finally:
            self._refreshing = False

    def _fit_lr_axis(self, series: GrowingSeries) -> None:
        """0 … 1.15 × the largest rate: a constant rate would otherwise be auto-ranged to
        ±0.5 around itself and drawn as a line at "0"."""
        finite = series.y[np.isfinite(series.y)]
        top = float(finite.max()) if finite.size else 0.0
        if top > 0 and top != self._lr_top:
            self._lr_top = top
            self.lr_plot.setYRange(0.0, 1.15 * top, padding=0)

    # ------------------------------------------------------------------ options
    def set_log_y(self, on: bool) -> None:
        """Log-scale the loss axis (useful once the loss spans decades)."""
        if self.log_y.isChecked() != on:
            self.log_y.setChecked(on)  # re-enters through toggled
            return
        self.loss_plot.setLogMode(x=False, y=on)

    def set_smoothing(self, weight: float) -> None:
        """Re-smooth the live run's loss and the overlaid runs with another EMA weight."""
        if self.smoothing_box.value() != weight:
            self.smoothing_box.setValue(weight)  # re-enters through valueChanged
            return
        self.smoothing = float(weight)
        if self.current is not None:
            self.current.resmooth(self.smoothing)
            self._shown.pop(id(self.smooth_item), None)
            self._dirty = True
            self.refresh()
        self.show_records(self.records)

    # ------------------------------------------------------------------ runs overlaid
    def show_records(self, records: list[RunRecord]) -> None:
        """Overlay finished runs of this document from their per-epoch metrics: training
        loss (smoothed, solid) and validation loss (dashed), validation accuracy and the
        learning rate, each in its run's colour with the run's name in the legend."""
        for plot, item in self._overlay_items:
            plot.removeItem(item)
        self._overlay_items.clear()
        self.records = list(records)
        train, val = self.tr("train"), self.tr("val")
        for record in self.records:
            colour = run_colour(record.number)
            solid = pg.mkPen(colour, width=1)
            dashed = pg.mkPen(colour, width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
            m = record.metrics
            for plot, key, pen, name, smooth in (
                (self.loss_plot, "train_loss", solid, f"{run_name(record)} {train}", True),
                (self.loss_plot, "val_loss", dashed, f"{run_name(record)} {val}", False),
                (self.acc_plot, "val_accuracy", solid, f"{run_name(record)} {val}", False),
                (self.lr_plot, "lr", solid, None, False),
            ):
                values = [float(v) for v in m.get(key, [])]
                if not values or all(not np.isfinite(v) for v in values):
                    continue
                if smooth:
                    values = debiased_ema(values, self.smoothing)
                item = _curve(plot, pen, name)
                # an epoch's mean training loss belongs mid-epoch; the rest at its end
                x = np.arange(1, len(values) + 1, dtype=np.float64) - (0.5 if smooth else 0.0)
                item.setData(x, np.array(values))
                item.setZValue(-5)
                self._overlay_items.append((plot, item))
        if self.records and (self.current is None or not len(self.current.step_loss)):
            epochs = max(max((len(v) for v in r.metrics.values()), default=1) for r in records)
            self.set_epochs(epochs)
            self._fit_lr_axis_to_records()

    def _fit_lr_axis_to_records(self) -> None:
        rates = [v for r in self.records for v in r.metrics.get("lr", []) if np.isfinite(v)]
        if rates and max(rates) > 0:
            self.lr_plot.setYRange(0.0, 1.15 * max(rates), padding=0)

    def clear_all(self) -> None:
        """Show no run at all (another document came up: these curves were not its runs)."""
        self.show_records([])
        self.begin_run()
        self.current = None
        self._run_counter = 0
