"""Finished runs of a document drawn under the live run, each in its run colour.

``RunOverlays`` draws the per-epoch metrics of the runs selected in the run list on the
training curves' plots: training loss (smoothed, solid) and validation loss (dashed),
validation accuracy and the learning rate, with the run's name in the legend.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication

from netbuilder.gui.docks.curve_series import make_curve, run_colour
from netbuilder.gui.i18n import run_name
from netbuilder.train.runs import RunRecord, debiased_ema


class RunOverlays:
    """The overlaid runs' curves on the loss, accuracy and learning-rate plots."""

    def __init__(self, loss_plot: pg.PlotItem, acc_plot: pg.PlotItem, lr_plot: pg.PlotItem) -> None:
        self.loss_plot, self.acc_plot, self.lr_plot = loss_plot, acc_plot, lr_plot
        self.records: list[RunRecord] = []
        self.items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []

    def show(self, records: list[RunRecord], smoothing: float) -> None:
        """Replace the overlaid runs by ``records`` (training loss smoothed by ``smoothing``)."""
        for plot, item in self.items:
            plot.removeItem(item)
        self.items.clear()
        self.records = list(records)
        train = QCoreApplication.translate("TrainingCurves", "train")
        val = QCoreApplication.translate("TrainingCurves", "val")
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
                    values = debiased_ema(values, smoothing)
                item = make_curve(plot, pen, name)
                # an epoch's mean training loss belongs mid-epoch; the rest at its end
                x = np.arange(1, len(values) + 1, dtype=np.float64) - (0.5 if smooth else 0.0)
                item.setData(x, np.array(values))
                item.setZValue(-5)
                self.items.append((plot, item))

    def fit_lr_axis(self) -> None:
        """0 … 1.15 × the overlaid runs' largest learning rate."""
        rates = [v for r in self.records for v in r.metrics.get("lr", []) if np.isfinite(v)]
        if rates and max(rates) > 0:
            self.lr_plot.setYRange(0.0, 1.15 * max(rates), padding=0)
