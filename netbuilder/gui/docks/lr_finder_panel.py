"""The learning-rate finder of the Training workspace (``train.lr_finder``, the range test).

Runs on a copy of the diagram with its current settings, off the GUI thread (``ProbeJob``),
with progress and Cancel; draws the smoothed loss against the learning rate on a log axis
with the suggestion marked; **Apply** writes the suggestion into the diagram's training
settings as one ``SetTrainingCommand`` on the document's undo stack (Ctrl+Z restores the
old value). A result belongs to the document it was computed for: it is dropped when
another document replaces it, and Apply refuses once the settings changed under it.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.docks.probe_job import ProbeJob
from netbuilder.gui.docks.training_settings import SetTrainingCommand
from netbuilder.gui.worker import JobResult
from netbuilder.train.lr_finder import DEFAULT_STEPS, LRFinderResult, find_lr

#: The tested range (``find_lr``'s defaults, named here for the plot's axis).
START_LR, END_LR = 1e-7, 10.0


class LRFinderPanel(QWidget):
    """Find / Cancel / Apply over a log-x plot of smoothed loss against learning rate."""

    applied = Signal(float)

    def __init__(self, workspace: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lr_finder_panel")
        self.workspace = workspace
        self.session = workspace.session
        self.steps = DEFAULT_STEPS
        self.result: LRFinderResult | None = None
        self._generation = 0
        self._started_generation = 0
        self._lrs: list[float] = []
        self._smoothed: list[float] = []

        self.job = ProbeJob(self)
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)

        self.run_button = QPushButton(self.tr("Find Learning Rate"))
        self.run_button.setObjectName("lr_find")
        self.run_button.setToolTip(
            self.tr(
                "Train a fresh copy for a few hundred steps while the learning rate grows "
                "from 1e-7 to 10, and suggest where the loss falls fastest"
            )
        )
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("lr_cancel")
        self.cancel_button.clicked.connect(self.job.cancel)
        self.apply_button = QPushButton(self.tr("Apply"))
        self.apply_button.setObjectName("lr_apply")
        self.apply_button.clicked.connect(self.apply)
        self.progress = QProgressBar()
        self.progress.setRange(0, self.steps)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("idle"))
        self.message = QLabel()
        self.message.setObjectName("lr_message")
        self.message.setWordWrap(True)

        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumHeight(70)
        self.plot.setLogMode(x=True, y=False)
        self.plot.setLabel("bottom", self.tr("learning rate"))
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # "1e-4", not "0.1 (x0.001)"
        self.plot.setLabel("left", self.tr("smoothed loss"))
        self.plot.setTitle(self.tr("Learning-rate finder"), size="9pt")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        # the whole tested range from the start: the curve grows across it, and the axis
        # labels stay whole decades (a range under a decade labels minor ticks, unreadably)
        self.plot.setXRange(math.log10(START_LR), math.log10(END_LR), padding=0.02)
        self.plot.enableAutoRange(x=False)
        self.curve = self.plot.plot([], [], pen=pg.mkPen((40, 110, 200), width=1))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen((220, 60, 40), width=1))
        self.marker.setVisible(False)
        self.plot.addItem(self.marker, ignoreBounds=True)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (self.run_button, self.cancel_button, self.apply_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.message)
        self.session.document_replaced.connect(self.show_document)
        self.session.diagram.changed.connect(self._on_diagram_changed)
        self._applied: float | None = None
        self._update_buttons()

    # ------------------------------------------------------------------ run
    def start(self) -> bool:
        """Run the range test on the diagram and settings on screen (in the background)."""
        if self.job.busy:
            return False
        if self.workspace.is_running():
            self.message.setText(self.tr("Stop the training first: both would share the CPU."))
            return False
        try:
            config = self.session.training_config()
        except Exception as exc:  # ConfigError: names the bad setting
            self.message.setText(str(exc))
            return False
        diagram = self.session.diagram.copy()
        data = self.workspace.picker.matching_bundle(config, diagram)
        steps = self.steps

        def work(report: Callable[[Any], None], stop: threading.Event) -> LRFinderResult:
            return find_lr(
                diagram,
                config,
                data,
                start_lr=START_LR,
                end_lr=END_LR,
                steps=steps,
                on_step=lambda i, lr, loss: report((i, lr, loss)),
                stop=stop,
            )

        self.result = None
        self._lrs, self._smoothed = [], []
        self.curve.setData([], [])
        self.marker.setVisible(False)
        self.progress.setRange(0, steps)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("starting …"))
        self.message.setText("")
        self._started_generation = self._generation
        self.job.start(work, "lr-finder")
        self._update_buttons()
        return True

    def _on_progress(self, items: list[tuple[int, float, float]]) -> None:
        if self._started_generation != self._generation:
            return
        for _i, lr, loss in items:
            self._lrs.append(lr)
            self._smoothed.append(loss)
        step, lr, loss = items[-1]
        self.progress.setValue(step)
        self.progress.setFormat(
            self.tr("step {step}/{total} · lr {lr} · loss {loss}").format(
                step=step, total=self.steps, lr=f"{lr:.1e}", loss=f"{loss:.4g}"
            )
        )
        self.curve.setData(self._lrs, self._smoothed)

    def _on_finished(self, result: JobResult) -> None:
        self._update_buttons()
        if self._started_generation != self._generation:
            return  # computed for a document no longer shown
        if not result.ok:
            self.progress.setFormat(self.tr("failed"))
            self.message.setText(self.tr("Cannot find a learning rate: {e}").format(e=result.error))
            return
        found: LRFinderResult = result.value  # type: ignore[assignment]
        self.result = found
        self.curve.setData(found.lrs, found.smoothed)
        self.progress.setValue(len(found.lrs))
        self.progress.setFormat(self.tr("done") if not found.stopped else found.stopped)
        if found.suggestion is not None:
            self.marker.setValue(math.log10(found.suggestion))
            self.marker.setVisible(True)
        self.message.setText(found.message())
        self._update_buttons()

    # ------------------------------------------------------------------ apply
    def apply(self) -> bool:
        """Set the suggested learning rate in the diagram's settings: one undoable step."""
        if self.result is None or self.result.suggestion is None or self.job.busy:
            return False
        diagram = self.session.diagram
        training = copy.deepcopy(diagram.training)
        old = training.get("lr")
        training["lr"] = float(f"{self.result.suggestion:.3g}")
        if training == diagram.training:
            return False
        command = SetTrainingCommand(diagram, training, key="")
        command.setText(
            self.tr("Apply suggested learning rate {lr} (was {old})").format(
                lr=f"{training['lr']:g}", old=old
            )
        )
        stack = self.session.undo_stack
        if stack is not None:
            stack.push(command)
        else:
            command.redo()
        self._applied = training["lr"]
        self.applied.emit(training["lr"])
        self.message.setText(
            self.tr("Learning rate set to {lr} (Ctrl+Z restores {old}).").format(
                lr=f"{training['lr']:g}", old=old
            )
        )
        return True

    def _on_diagram_changed(self, event: Any) -> None:
        """After Ctrl+Z (or an edit) the note about the applied value no longer holds."""
        try:
            lr = self.session.diagram.training.get("lr")
            applied = self._applied
            if event.kind == "training_changed" and applied is not None and lr != applied:
                self._applied = None
                self.message.setText(self.result.message() if self.result is not None else "")
        except RuntimeError:  # this widget was deleted; stop observing the model
            self.session.diagram.changed.disconnect(self._on_diagram_changed)

    # ------------------------------------------------------------------ document
    def show_document(self) -> None:
        """Another document: a run going on is cancelled and its result never shown."""
        self._generation += 1
        self.job.cancel()
        self.result = None
        self._lrs, self._smoothed = [], []
        self.curve.setData([], [])
        self.marker.setVisible(False)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("idle"))
        self.message.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.job.busy
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        has = self.result is not None and self.result.suggestion is not None
        self.apply_button.setEnabled(has and not busy)
        self.apply_button.setText(
            self.tr("Apply {lr}").format(lr=f"{self.result.suggestion:.3g}")  # type: ignore[union-attr]
            if has
            else self.tr("Apply")
        )
