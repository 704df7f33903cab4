"""The run list of the Training workspace and the comparison of two runs.

``RunList`` shows the runs of the document on screen (``Session.runs``), newest first, one
row each: colour, name, status, best epoch and score, parameters. Selecting rows overlays
those runs on the curves (``selection_changed``); selecting two shows their diff in
``RunComparison`` (settings changed, blocks added, removed or changed) — what users ask
TensorBoard and Netron for. The rows are rebuilt from the history, never edited here.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.docks.curve_series import run_colour
from netbuilder.gui.i18n import run_line, run_name, run_score, run_summary, status_text
from netbuilder.gui.theme import format_count
from netbuilder.train.runs import RunHistory, RunRecord, diff_runs

_COLUMNS = (
    QT_TRANSLATE_NOOP("RunList", "run"),
    QT_TRANSLATE_NOOP("RunList", "status"),
    QT_TRANSLATE_NOOP("RunList", "best"),
    QT_TRANSLATE_NOOP("RunList", "params"),
)
MAX_LOG_LINES = 200


class RunList(QTableWidget):
    """The document's runs; ``selection_changed(list[RunRecord])`` when the user picks."""

    selection_changed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_COLUMNS), parent)
        self.setObjectName("run_list")
        self.setHorizontalHeaderLabels([self.tr(c) for c in _COLUMNS])
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip(
            self.tr("Runs of this diagram: select to overlay their curves, two to compare")
        )
        self._records: list[RunRecord] = []
        self.itemSelectionChanged.connect(self._emit_selection)

    def show_history(self, history: RunHistory, select_latest: bool = True) -> None:
        """Rebuild from ``history`` (newest first), keeping the selection where possible."""
        selected = {r.number for r in self.selected_records()}
        self.blockSignals(True)
        self._records = sorted(history, key=lambda r: -r.number)
        self.setRowCount(len(self._records))
        for row, record in enumerate(self._records):
            best = run_score(record)
            cells = (
                run_name(record),
                status_text(record.status),
                self.tr("ep {epoch} · {score}").format(epoch=record.best_epoch, score=best)
                if record.best_epoch
                else "–",
                format_count(record.summary.param_count),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(_tooltip(record))
                if col == 0:
                    item.setForeground(QBrush(QColor(*run_colour(record.number))))
                self.setItem(row, col, item)
        self.clearSelection()
        wanted = selected or (
            {self._records[0].number} if select_latest and self._records else set()
        )
        model = self.selectionModel()
        for row, record in enumerate(self._records):
            if record.number in wanted:
                flags = QItemSelectionModel.SelectionFlag.Select
                flags |= QItemSelectionModel.SelectionFlag.Rows
                model.select(self.model().index(row, 0), flags)
        self.blockSignals(False)
        self._emit_selection()

    def selected_records(self) -> list[RunRecord]:
        rows = sorted({i.row() for i in self.selectedIndexes()})
        return [self._records[r] for r in rows if r < len(self._records)]

    def select_numbers(self, numbers: list[int]) -> None:
        """Select the runs with these numbers (tests, scripts)."""
        self.clearSelection()
        model = self.selectionModel()
        for row, record in enumerate(self._records):
            if record.number in numbers:
                flags = QItemSelectionModel.SelectionFlag.Select
                flags |= QItemSelectionModel.SelectionFlag.Rows
                model.select(self.model().index(row, 0), flags)

    def _emit_selection(self) -> None:
        self.selection_changed.emit(self.selected_records())


def _tooltip(record: RunRecord) -> str:
    t = record.training
    lines = [
        f"{run_name(record)}: {status_text(record.status)}",
        QCoreApplication.translate(
            "RunList", "{dataset} · {optimizer} lr {lr} · batch {batch} · {epochs} epochs"
        ).format(
            dataset=t.get("dataset", "?"),
            optimizer=t.get("optimizer", "?"),
            lr=t.get("lr", "?"),
            batch=t.get("batch_size", "?"),
            epochs=t.get("epochs", "?"),
        ),
        run_summary(record),
    ]
    if record.device:
        lines.append(
            QCoreApplication.translate("RunList", "on {device} in {seconds} s").format(
                device=record.device, seconds=f"{record.elapsed_s:.1f}"
            )
        )
    if record.error:
        lines.append(
            QCoreApplication.translate("RunList", "error: {reason}").format(reason=record.error)
        )
    return "\n".join(lines)


class RunComparison(QPlainTextEdit):
    """What changed between two selected runs, in words (``RunDiff.lines``)."""

    HINT = QT_TRANSLATE_NOOP(
        "RunComparison", "Select two runs in the run list to see what changed between them."
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run_comparison")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setPlainText(self.tr(self.HINT))

    def compare(self, records: list[RunRecord]) -> None:
        if len(records) != 2:
            self.setPlainText(self.tr(self.HINT))
            return
        older, newer = sorted(records, key=lambda r: r.number)
        diff = diff_runs(older, newer)
        head = [
            f"{run_name(older)} → {run_name(newer)}",
            f"  {run_line(older)}",
            f"  {run_line(newer)}",
            "",
        ]
        self.setPlainText("\n".join(head + diff.lines()))


class ResultsArea(QSplitter):
    """Tabs (Curves | Evaluation | Compare runs | Try it) over the run list and the log.

    The tabs get most of the height; the run list and the log share a low strip below.
    """

    def __init__(
        self,
        curves: QWidget,
        evaluation: QWidget,
        try_it: QWidget,
        parent: QWidget | None = None,
    ):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.comparison = RunComparison()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("training_tabs")
        self.tabs.addTab(curves, self.tr("Curves"))
        self.tabs.addTab(evaluation, self.tr("Evaluation"))
        self.tabs.addTab(self.comparison, self.tr("Compare runs"))
        self.tabs.addTab(try_it, self.tr("Try it"))
        self.run_list = RunList()
        self.log = QPlainTextEdit()
        self.log.setObjectName("training_log")
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(MAX_LOG_LINES)
        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(self.run_list)
        below.addWidget(self.log)
        self.addWidget(self.tabs)
        self.addWidget(below)
        self.setStretchFactor(0, 4)
        self.setStretchFactor(1, 1)
        self.setChildrenCollapsible(False)
        self.setSizes([520, 110])


def lay_out_page(page: QWidget, column: QWidget, controls: QWidget, results: QWidget) -> None:
    """The Training workspace's page: the settings column, then the run controls over the
    results (curves / evaluation / comparison, the run list and the log) taking the rest."""
    right = QWidget()
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(4, 4, 4, 4)
    right_layout.addWidget(controls)
    right_layout.addWidget(results, 1)
    layout = QHBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(column)
    layout.addWidget(right, 1)
