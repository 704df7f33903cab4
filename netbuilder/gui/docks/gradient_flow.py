"""The gradient-flow chart: per block, gradient norm and update/weight ratio, across the net.

Blocks (those with weights) lie on the x axis in the order data flows through them, the
figures on a log y axis. The latest sample is the bold line; the earlier samples of the
run are faint lines behind it, so a researcher sees at a glance where gradients shrink
towards the input (vanishing), where one block's norm stands far above the others
(exploding), and whether each block's update/weight ratio sits near the usual 1e-3 (the
dashed line): much lower learns slowly, much higher is unstable. Blocks with a health
problem are drawn in red, and the line under the chart names them.

It shows one run at a time, the one ``HealthView`` shows (the run going on, or the run
selected in the run list), so switching runs or documents shows that run's own figures.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netbuilder.gui.health_view import HealthView, RunHealth

#: Earlier samples drawn behind the latest one (the newest of them).
FAINT_SAMPLES = 24
HEALTHY_RATIO = 1e-3
LATEST_RGB = (31, 119, 180)
PROBLEM_RGB = (214, 39, 40)
MAX_LABELS = 14  # block names on the x axis before only every k-th is written
REDRAW_S = 0.5  # new samples of the run on screen are drawn at most this often


def positive(values: list[float]) -> np.ndarray:
    """Values a log axis can show; zeros, negatives and NaN/Inf become gaps."""
    a = np.asarray(values, dtype=float)
    a[~np.isfinite(a) | (a <= 0)] = np.nan
    return a


class GradientFlowChart(QWidget):
    """Two log plots (gradient norm, update/weight ratio) over the blocks of one run."""

    def __init__(self, health: HealthView | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradientFlow")
        self.run: RunHealth | None = None
        self.redraw_count = 0
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.footer = QLabel()
        self.footer.setWordWrap(True)
        self.footer.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(None)
        self.norm_plot = self.graphics.addPlot(row=0, col=0)
        self.ratio_plot = self.graphics.addPlot(row=1, col=0)
        self.ratio_plot.setXLink(self.norm_plot)
        self.items: dict[str, dict[str, pg.PlotDataItem]] = {}
        for key, plot, title in (
            (
                "grad_norm",
                self.norm_plot,
                QCoreApplication.translate("GradientFlowChart", "gradient norm"),
            ),
            (
                "update_ratio",
                self.ratio_plot,
                QCoreApplication.translate("GradientFlowChart", "update / weight"),
            ),
        ):
            plot.setLogMode(x=False, y=True)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("left", title)
            plot.setMenuEnabled(False)
            left = plot.getAxis("left")
            left.enableAutoSIPrefix(False)
            left.setStyle(maxTextLevel=0)  # decades only: minor labels overlap on a log axis
            plot.getViewBox().setMouseEnabled(x=False, y=True)
            faint_pen = pg.mkPen(QColor(*LATEST_RGB, 45), width=1)
            self.items[key] = {
                "history": plot.plot(pen=faint_pen, connect="finite"),
                "latest": plot.plot(
                    pen=pg.mkPen(QColor(*LATEST_RGB), width=2),
                    symbol="o",
                    symbolSize=7,
                    symbolBrush=pg.mkBrush(*LATEST_RGB),
                    connect="finite",
                ),
                # blocks with a health problem, drawn over the latest line in red (one
                # brush per item: per-point brushes re-render every symbol each redraw)
                "problems": plot.plot(
                    pen=None,
                    symbol="o",
                    symbolSize=9,
                    symbolBrush=pg.mkBrush(*PROBLEM_RGB),
                    symbolPen=pg.mkPen(*PROBLEM_RGB),
                ),
            }
        reference = pg.InfiniteLine(
            pos=math.log10(HEALTHY_RATIO),
            angle=0,
            pen=pg.mkPen(QColor(120, 120, 120), width=1, style=Qt.PenStyle.DashLine),
            label=QCoreApplication.translate("GradientFlowChart", "≈1e-3 healthy"),
            labelOpts={"position": 0.08, "color": (120, 120, 120), "anchors": [(0, 1), (0, 1)]},
        )
        self.ratio_plot.addItem(reference)
        self.norm_plot.getAxis("bottom").setStyle(showValues=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.footer)
        self.show_run(None)
        self._pending: RunHealth | None = None
        self._drawn_at = -1e9
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._draw_pending)
        if health is not None:
            self.health = health
            health.shown_changed.connect(lambda: self.update_run(health.shown))

    def update_run(self, run: RunHealth | None) -> None:
        """Show ``run`` now if it is another run; new samples of the run on screen are drawn
        at most ``REDRAW_S`` apart, and only while the chart is visible (a 100-block chart
        costs ~20 ms to redraw: at the drain rate that would be most of the GUI thread)."""
        if run is not self.run:
            self._timer.stop()
            self.show_run(run)
            return
        self._pending = run
        if not self.isVisible():
            return  # drawn when shown
        wait = REDRAW_S - (time.monotonic() - self._drawn_at)
        if wait <= 0:
            self._draw_pending()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def _draw_pending(self) -> None:
        if self._pending is not None:
            run, self._pending = self._pending, None
            self.show_run(run)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._draw_pending()

    # ------------------------------------------------------------------ data
    def show_run(self, run: RunHealth | None) -> None:
        """Draw ``run``'s figures (None or no samples: say where they come from)."""
        self.run = run
        self._pending = None
        self._drawn_at = time.monotonic()
        blocks = run.order if run is not None else []
        if run is None or not blocks:
            self.header.setText(
                QCoreApplication.translate(
                    "GradientFlowChart",
                    "Gradient health appears here while a run trains: per block, the gradient "
                    "norm and the update/weight ratio.",
                )
                if run is None
                else QCoreApplication.translate(
                    "GradientFlowChart", "{run}: no gradient figures recorded."
                ).format(run=run.name)
            )
            for parts in self.items.values():
                for item in parts.values():
                    item.setData([], [])
            self.footer.setText("")
            self._label_blocks([])
            self.redraw_count += 1
            return
        if run.per_epoch:
            where = QCoreApplication.translate(
                "GradientFlowChart", "per-epoch means (epoch {n})"
            ).format(n=run.last_step)
        else:
            where = QCoreApplication.translate("GradientFlowChart", "step {n}").format(
                n=run.last_step
            )
        finite = any(
            math.isfinite(v) and v > 0
            for n in blocks
            for v in run.grad_norm[n] + run.update_ratio[n]
        )
        if finite:
            text = QCoreApplication.translate(
                "GradientFlowChart", "{run}, {where}: bold is the latest, faint the earlier samples"
            )
        else:
            text = QCoreApplication.translate(
                "GradientFlowChart", "{run}, {where}: every figure is NaN/Inf, nothing to plot"
            )
        self.header.setText(text.format(run=run.name, where=where))
        problems = run.problems()
        for key, series in (("grad_norm", run.grad_norm), ("update_ratio", run.update_ratio)):
            latest = [series[nid][-1] if series[nid] else math.nan for nid in blocks]
            x = np.arange(len(blocks), dtype=float)
            y = positive(latest)
            bad = np.array([nid in problems for nid in blocks])
            if np.isnan(y).all():  # nothing a log axis can show (e.g. all NaN)
                self.items[key]["latest"].setData([], [])
            else:
                self.items[key]["latest"].setData(x, y)
            shown = bad & np.isfinite(y)
            self.items[key]["problems"].setData(x[shown], y[shown])
            hx, hy = self._history(blocks, series)
            if hy.size and np.isnan(hy).all():
                hx, hy = np.array([]), np.array([])
            self.items[key]["history"].setData(hx, hy)
            self._fit_decades(key, np.concatenate([y, hy]))
        self._label_blocks(blocks)
        self.footer.setText(
            "  ".join(
                QCoreApplication.translate(
                    "GradientFlowChart", "⚠ {block}: {kind} from step {step}"
                ).format(block=nid, kind=_kind_name(kind), step=step)
                for nid, (kind, step) in problems.items()
            )
        )
        self.redraw_count += 1

    @staticmethod
    def _history(
        blocks: list[str], series: dict[str, list[float]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The earlier samples as polylines across the blocks, gaps between samples."""
        depth = min(FAINT_SAMPLES, max((len(series[n]) for n in blocks), default=0) - 1)
        if depth <= 0:
            return np.array([]), np.array([])
        xs, ys = [], []
        for back in range(depth + 1, 1, -1):
            for i, nid in enumerate(blocks):
                values = series[nid]
                xs.append(float(i))
                ys.append(values[-back] if len(values) >= back else math.nan)
            xs.append(math.nan)
            ys.append(math.nan)
        return np.asarray(xs), positive(ys)

    def _fit_decades(self, key: str, values: np.ndarray) -> None:
        """Whole decades around the figures (at least three: with fewer, the minor ticks
        get labels that overlap); the ratio plot always includes the healthy 1e-3 line."""
        logs = np.log10(values[np.isfinite(values)])
        if key == "update_ratio":
            logs = np.append(logs, [math.log10(HEALTHY_RATIO) - 0.3, math.log10(HEALTHY_RATIO)])
        if not logs.size:
            return
        low, high = math.floor(logs.min()), math.ceil(logs.max())
        while high - low < 3:  # under three decades pyqtgraph labels the minor ticks too
            low, high = (low - 1, high) if (high - low) % 2 else (low, high + 1)
        plot = self.norm_plot if key == "grad_norm" else self.ratio_plot
        plot.setYRange(low, high, padding=0.02)

    def _label_blocks(self, blocks: list[str]) -> None:
        every = max(1, math.ceil(len(blocks) / MAX_LABELS))
        ticks = [(float(i), nid) for i, nid in enumerate(blocks) if i % every == 0]
        self.ratio_plot.getAxis("bottom").setTicks([ticks, []])
        self.norm_plot.getAxis("bottom").setTicks([ticks, []])
        if blocks:
            self.norm_plot.setXRange(-0.5, len(blocks) - 0.5, padding=0.02)

    def latest(self, key: str) -> dict[str, float]:
        """Block → the latest figure drawn for ``key`` ("grad_norm" or "update_ratio")."""
        if self.run is None:
            return {}
        series = getattr(self.run, key)
        return {nid: series[nid][-1] for nid in self.run.order if series[nid]}


def _kind_name(kind: str) -> str:
    return {
        "vanishing": QCoreApplication.translate("GradientFlowChart", "gradients vanished"),
        "exploding": QCoreApplication.translate("GradientFlowChart", "gradients exploded"),
        "non-finite": QCoreApplication.translate("GradientFlowChart", "output became NaN/Inf"),
        "nan-gradient": QCoreApplication.translate("GradientFlowChart", "gradients became NaN/Inf"),
    }.get(kind, kind)
