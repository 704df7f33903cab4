"""The evaluation view: how good the trained model is on the validation set, and where it errs.

Classification: accuracy, a per-class precision/recall table, a confusion-matrix heatmap
(a QTableWidget with coloured cells: exact counts stay readable and selectable) and a grid
of misclassified image samples with true and predicted labels. Regression: MSE, MAE and a
predicted-vs-true scatter. The numbers come from ``train.evaluate.evaluate`` — computed on
the worker thread after training (or by ``evaluate_in_background`` for a loaded checkpoint);
this widget only displays them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.docks.evaluation_samples import misclassified_cells
from netbuilder.gui.worker import BackgroundJobs, JobResult

MAX_MISCLASSIFIED_SHOWN = 32
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "EvaluationView", "Train a model to see how it does on the validation set."
)


def as_matrix(confusion: Any) -> np.ndarray:
    """Confusion counts as an int array whatever container the evaluator used."""
    if hasattr(confusion, "detach"):
        confusion = confusion.detach().cpu().numpy()
    return np.asarray(confusion, dtype=np.int64)


def cell_colour(count: int, row_total: int, diagonal: bool) -> QColor:
    """Blue for correct, red for confusions; intensity is the share of the true class."""
    share = count / row_total if row_total else 0.0
    alpha = int(30 + 200 * share) if count else 0
    return QColor(40, 110, 220, alpha) if diagonal else QColor(220, 60, 40, alpha)


class EvaluationView(QWidget):
    """Shows one ``Evaluation``; ``show_evaluation`` replaces whatever was shown before."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.evaluation: Any = None
        self.summary = QLabel(self.tr(EMPTY_TEXT))
        self.summary.setWordWrap(True)
        self.summary.setObjectName("evaluation_summary")
        self.per_class = QTableWidget(0, 3)
        self.per_class.setHorizontalHeaderLabels(
            [self.tr("class"), self.tr("precision"), self.tr("recall")]
        )
        self.per_class.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.per_class.verticalHeader().setVisible(False)
        self.per_class.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.confusion = QTableWidget(0, 0)
        self.confusion.setObjectName("confusion_matrix")
        # columns share the width (headers elide) so all classes show without scrolling
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.horizontalHeader().setMinimumSectionSize(24)
        self.confusion.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideRight)
        self.confusion.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.confusion.setToolTip(self.tr("rows: true class · columns: predicted class"))
        self.scatter_plot = pg.PlotWidget(title=self.tr("predicted vs true"))
        self.scatter_plot.setLabel("bottom", self.tr("true"))
        self.scatter_plot.setLabel("left", self.tr("predicted"))
        self.scatter = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(40, 100, 220, 120))
        self.scatter_plot.addItem(self.scatter)
        self.diagonal = pg.PlotDataItem(pen=pg.mkPen((150, 150, 150), width=1))
        self.scatter_plot.addItem(self.diagonal)
        self.samples_label = QLabel(self.tr("Misclassified samples"))
        self.samples = QWidget()
        self.samples_grid = QGridLayout(self.samples)
        self.samples_grid.setSpacing(2)
        self._cells: list[QWidget] = []
        self._columns = 0
        samples_scroll = _WidthWatchingScroll(self._reflow_samples)
        samples_scroll.setWidget(self.samples)
        samples_scroll.setWidgetResizable(True)
        samples_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(self.per_class)
        tables.addWidget(self.confusion)
        tables.setStretchFactor(1, 2)
        self.tables = tables
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(tables, 2)
        layout.addWidget(self.scatter_plot, 2)
        layout.addWidget(self.samples_label)
        layout.addWidget(samples_scroll, 1)
        self.samples_scroll = samples_scroll
        self._set_mode(None)

    # ------------------------------------------------------------------ display
    def _set_mode(self, task: str | None) -> None:
        classification = task == "classification"
        self.tables.setVisible(classification)
        self.scatter_plot.setVisible(task == "regression")
        self.samples_label.setVisible(classification)
        self.samples_scroll.setVisible(classification)

    def clear(self) -> None:
        """Show nothing (another document came up: this evaluation was not of its model)."""
        self.evaluation = None
        self.summary.setText(self.tr(EMPTY_TEXT))
        self.per_class.setRowCount(0)
        self.confusion.clear()
        self.confusion.setRowCount(0)
        self.confusion.setColumnCount(0)
        self.scatter.setData([], [])
        self.diagonal.setData([], [])
        self._cells = []
        while self.samples_grid.count():
            item = self.samples_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._set_mode(None)

    def show_evaluation(self, evaluation: Any, data: Any = None) -> None:
        """Display ``evaluation``; ``data`` (the DataBundle) supplies samples and class names."""
        self.evaluation = evaluation
        classes: list[str] = list(getattr(evaluation, "classes", None) or [])
        if not classes and data is not None:
            classes = list(data.classes)
        # the evaluator marks regression by accuracy None (it was given no classes)
        task = "regression" if evaluation.accuracy is None else "classification"
        self._set_mode(task)
        if task == "regression":
            self._show_regression(evaluation)
            return
        self._show_classification(evaluation, classes, data)

    def _show_classification(self, ev: Any, classes: list[str], data: Any) -> None:
        matrix = as_matrix(ev.confusion)
        n = matrix.shape[0]
        if len(classes) < n:
            classes = classes + [str(i) for i in range(len(classes), n)]
        total = int(matrix.sum())
        loss = "" if ev.loss is None else self.tr(" · loss {loss}").format(loss=f"{ev.loss:.4g}")
        self.summary.setText(
            self.tr("Validation accuracy {accuracy} ({correct} of {total} correct)").format(
                accuracy=f"{ev.accuracy:.1%}", correct=int(np.trace(matrix)), total=total
            )
            + loss
        )
        self._fill_per_class(classes[:n], ev.precision, ev.recall)
        self._fill_confusion(matrix, classes[:n])
        self._fill_misclassified(ev, classes, data)

    def _fill_per_class(
        self, classes: Sequence[str], precision: Sequence[float], recall: Sequence[float]
    ) -> None:
        self.per_class.setRowCount(len(classes))
        for row, name in enumerate(classes):
            values = (name, _pct(precision, row), _pct(recall, row))
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.per_class.setItem(row, col, item)

    def _fill_confusion(self, matrix: np.ndarray, classes: Sequence[str]) -> None:
        n = matrix.shape[0]
        self.confusion.clear()
        self.confusion.setRowCount(n)
        self.confusion.setColumnCount(n)
        self.confusion.setHorizontalHeaderLabels(list(classes))
        for j, name in enumerate(classes):
            self.confusion.horizontalHeaderItem(j).setToolTip(
                self.tr("predicted {name}").format(name=name)
            )
        self.confusion.setVerticalHeaderLabels(list(classes))
        rows = matrix.sum(axis=1)
        for i in range(n):
            for j in range(n):
                count = int(matrix[i, j])
                item = QTableWidgetItem(str(count))
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(cell_colour(count, int(rows[i]), i == j)))
                item.setToolTip(
                    self.tr("true {true}, predicted {predicted}: {count}").format(
                        true=classes[i], predicted=classes[j], count=count
                    )
                )
                self.confusion.setItem(i, j, item)

    def _fill_misclassified(self, ev: Any, classes: list[str], data: Any) -> None:
        while self.samples_grid.count():
            item = self.samples_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        cells = misclassified_cells(ev, classes, data, MAX_MISCLASSIFIED_SHOWN)
        wrong = len(getattr(ev, "misclassified", []) or [])
        self._cells = cells
        self._columns = 0
        self._reflow_samples()
        shown = (
            self.tr(" (first {count})").format(count=len(cells))
            if wrong > len(cells) and cells
            else ""
        )
        if not cells and wrong:
            self.samples_label.setText(
                self.tr("%n misclassified sample(s) (no pictures to show)", "", wrong)
            )
        else:
            self.samples_label.setText(self.tr("%n misclassified sample(s)", "", wrong) + shown)

    def _reflow_samples(self) -> None:
        """As many sample columns as the width holds (never a sideways scroll bar), rows as
        tall as the pictures (the area scrolls vertically instead of squeezing them)."""
        if not self._cells:
            return
        spacing = self.samples_grid.spacing()
        cell_w = max(c.sizeHint().width() for c in self._cells) + spacing
        cell_h = max(c.sizeHint().height() for c in self._cells) + spacing
        margins = self.samples_grid.contentsMargins()
        width = self.samples_scroll.viewport().width() - margins.left() - margins.right()
        columns = max(1, min(8, width // max(1, cell_w)))
        rows = -(-len(self._cells) // columns)
        self.samples.setMinimumHeight(rows * cell_h + margins.top() + margins.bottom())
        if columns == self._columns:
            return
        self._columns = columns
        # a fresh grid: a reused one keeps the width of columns it no longer needs
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setSpacing(self.samples_grid.spacing())
        for k, cell in enumerate(self._cells):
            grid.addWidget(cell, k // columns, k % columns)
        inner.setMinimumHeight(rows * cell_h + margins.top() + margins.bottom())
        old = self.samples_scroll.takeWidget()
        self.samples_scroll.setWidget(inner)
        self.samples, self.samples_grid = inner, grid
        if old is not None:
            old.deleteLater()

    def _show_regression(self, ev: Any) -> None:
        pred, true = _regression_pairs(ev)
        if pred.size:
            mse = float(np.mean((pred - true) ** 2))
            mae = float(np.mean(np.abs(pred - true)))
            self.summary.setText(
                self.tr("Validation MSE {mse} · MAE {mae} · {count} values").format(
                    mse=f"{mse:.4g}", mae=f"{mae:.4g}", count=pred.size
                )
            )
            self.scatter.setData(true, pred)
            lo, hi = float(min(true.min(), pred.min())), float(max(true.max(), pred.max()))
            self.diagonal.setData([lo, hi], [lo, hi])
        else:
            loss = getattr(ev, "loss", None)
            self.summary.setText(
                self.tr("Validation loss {loss}").format(loss=f"{loss:.4g}")
                if loss is not None
                else ""
            )
            self.scatter.setData([], [])

    def confusion_counts(self) -> np.ndarray:
        """The matrix as shown (tests and scripts read it)."""
        n = self.confusion.rowCount()
        return np.array(
            [[int(self.confusion.item(i, j).text()) for j in range(n)] for i in range(n)],
            dtype=np.int64,
        ).reshape(n, n)


class _WidthWatchingScroll(QScrollArea):
    """A scroll area that calls ``on_width`` when its width changes."""

    def __init__(self, on_width: Any) -> None:
        super().__init__()
        self._on_width = on_width

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._on_width()

    def showEvent(self, event: Any) -> None:  # a resize while hidden arrives late or never
        super().showEvent(event)
        self._on_width()


def _pct(values: Sequence[float] | Any, i: int) -> str:
    try:
        v = float(values[i])
    except (IndexError, TypeError):
        return "–"
    return "–" if not np.isfinite(v) else f"{v:.1%}"


def _regression_pairs(ev: Any) -> tuple[np.ndarray, np.ndarray]:
    """(predicted, true) flat arrays from the evaluator's ``predictions`` and ``targets``."""
    pred = np.asarray(getattr(ev, "predictions", np.zeros(0)), dtype=float).ravel()
    true = np.asarray(getattr(ev, "targets", np.zeros(0)), dtype=float).ravel()
    if pred.shape != true.shape:
        return np.empty(0), np.empty(0)
    return pred, true


class BackgroundEvaluation(QObject):
    """Evaluate saved weights off the GUI thread (a loaded ``.pt``, or weights kept from an
    earlier run) through ``BackgroundJobs``; ``done`` arrives on the GUI thread with one
    tuple ``(Evaluation | None, DataBundle | None, error text, tag)``, ``tag`` being what the
    asker passed to ``start`` (to recognise an answer it no longer wants)."""

    done = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.busy = False
        self._job: int | None = None
        self._bundle: Any = None
        self._tag: Any = None
        BackgroundJobs.shared().finished.connect(self._on_finished)

    def start(
        self,
        diagram: Any,
        state_dict: dict[str, Any],
        config: Any,
        data: Any = None,
        tag: Any = None,
    ) -> None:
        """Compile ``diagram`` (a copy), load ``state_dict`` strictly, load the data if not
        given, and evaluate on its validation set — all on a worker thread."""
        self.busy = True
        self._bundle, self._tag = data, tag

        def work() -> tuple[Any, Any]:
            from netbuilder.core.compile import compile_diagram
            from netbuilder.train.checkpoint import apply_weights
            from netbuilder.train.evaluate import evaluate
            from netbuilder.train.sources import load_data

            bundle = data if data is not None else load_data(config, diagram)
            model = apply_weights(compile_diagram(diagram), state_dict)
            classes = list(bundle.classes) if bundle.task == "classification" else []
            return evaluate(model, bundle.val, classes), bundle

        self._job = BackgroundJobs.shared().submit(work, "evaluate")

    def _on_finished(self, result: JobResult[tuple[Any, Any]]) -> None:
        if result.job != self._job:
            return  # another asker's job
        self._job = None
        if result.value is None:
            self.done.emit((None, self._bundle, result.error, self._tag))
        else:
            self.done.emit((result.value[0], result.value[1], "", self._tag))
