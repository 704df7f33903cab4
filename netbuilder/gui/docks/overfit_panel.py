""" "Overfit One Batch" in the Training workspace (``train.overfit``): can the network
memorise a handful of samples? Off the GUI thread (``ProbeJob``), with Cancel; shows the
verdict, passed or the likely cause named, and a tiny loss curve (log scale).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from netbuilder.gui.docks.probe_job import ProbeJob
from netbuilder.gui.worker import JobResult
from netbuilder.train.overfit import OverfitResult, overfit_batch

_PASSED = "color: #1a7f37;"
_FAILED = "color: #b00020;"


class OverfitPanel(QWidget):
    """Run / Cancel, the verdict and the loss of each step on the one batch."""

    def __init__(self, workspace: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overfit_panel")
        self.workspace = workspace
        self.session = workspace.session
        self.result: OverfitResult | None = None
        self._generation = 0
        self._started_generation = 0
        self.job = ProbeJob(self)
        self.job.finished.connect(self._on_finished)

        self.run_button = QPushButton(self.tr("Overfit One Batch"))
        self.run_button.setObjectName("overfit_run")
        self.run_button.setToolTip(
            self.tr(
                "Train on one small batch with these settings: a network that can learn drives "
                "its loss close to zero; if it cannot, the likely cause is named"
            )
        )
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("overfit_cancel")
        self.cancel_button.clicked.connect(self.job.cancel)
        self.verdict = QLabel()
        self.verdict.setObjectName("overfit_verdict")
        self.verdict.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumHeight(60)
        self.plot.setLogMode(x=False, y=True)
        self.plot.setLabel("bottom", self.tr("step"))
        self.plot.setLabel("left", self.tr("loss"))
        self.plot.setTitle(self.tr("Loss on one batch"), size="9pt")
        self.curve = self.plot.plot([], [], pen=pg.mkPen((40, 110, 200), width=1))

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(buttons)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.verdict)
        self.session.document_replaced.connect(self.show_document)
        self._update_buttons()

    def start(self) -> bool:
        """Overfit one batch of the chosen dataset with the settings on screen."""
        if self.job.busy:
            return False
        if self.workspace.is_running():
            self._show(self.tr("Stop the training first: both would share the CPU."), None)
            return False
        try:
            config = self.session.training_config()
        except Exception as exc:  # ConfigError: names the bad setting
            self._show(str(exc), False)
            return False
        diagram = self.session.diagram.copy()
        data = self.workspace.picker.matching_bundle(config, diagram)

        def work(_report: Callable[[Any], None], stop: threading.Event) -> OverfitResult:
            return overfit_batch(diagram, config, data, stop=stop)

        self.result = None
        self.curve.setData([], [])
        self._show(self.tr("Training on one batch …"), None)
        self._started_generation = self._generation
        self.job.start(work, "overfit")
        self._update_buttons()
        return True

    def _on_finished(self, result: JobResult) -> None:
        self._update_buttons()
        if self._started_generation != self._generation:
            return
        if not result.ok:
            self._show(self.tr("Cannot run the check: {e}").format(e=result.error), False)
            return
        found: OverfitResult = result.value  # type: ignore[assignment]
        self.result = found
        finite = [(i, v) for i, v in enumerate(found.losses) if v > 0 and v == v]
        self.curve.setData([i for i, _ in finite], [v for _, v in finite])
        self._show(found.message(), found.passed)

    def _show(self, text: str, passed: bool | None) -> None:
        self.verdict.setStyleSheet("" if passed is None else _PASSED if passed else _FAILED)
        self.verdict.setText(text)

    def show_document(self) -> None:
        self._generation += 1
        self.job.cancel()
        self.result = None
        self.curve.setData([], [])
        self._show("", None)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.run_button.setEnabled(not self.job.busy)
        self.cancel_button.setEnabled(self.job.busy)
