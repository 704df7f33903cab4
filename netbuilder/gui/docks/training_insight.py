"""What the Training workspace shows about the inside of a run: gradient health and fit.

``install_training_insight(workspace)`` adds, without the workspace knowing more than one
call: gradient-health hooks on every run and their per-run store (``HealthView``), the
"Gradient flow" tab (``GradientFlowChart``), and the memory verdict beside Start
(``FitVerdict``): the predicted peak training memory for the current settings against the
free memory of the device, and the largest batch that fits. A predicted out-of-memory is a
warning (in amber, and a line in the log when a run starts), never a reason to refuse Start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from netbuilder.gui.cost import CostView
from netbuilder.gui.docks.gradient_flow import GradientFlowChart
from netbuilder.gui.health_view import HealthView
from netbuilder.gui.session import Session
from netbuilder.train.memory import MemoryPrediction, format_bytes

_WARN_STYLE = "color: #b35c00;"


class FitVerdict(QLabel):
    """One line under the Start row: will a training step fit the device's memory?"""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitVerdict")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cost = CostView.of(session)
        self.cost.changed.connect(self.refresh)
        self.refresh()

    @property
    def memory(self) -> MemoryPrediction | None:
        return self.cost.memory

    def refresh(self) -> None:
        self.setText(self.verdict())
        self.setStyleSheet(_WARN_STYLE if self.warns() else "")
        self.setToolTip(self.cost.status_tip())

    def warns(self) -> bool:
        mem = self.memory
        return mem is not None and mem.fits is False

    def verdict(self) -> str:
        mem = self.memory
        if mem is None:
            return ""
        values = {
            "total": format_bytes(mem.total),
            "batch": mem.batch_size,
            "device": mem.device,
            "free": format_bytes(mem.available or 0),
            "largest": mem.max_batch,
        }
        if mem.available is None:
            return self.tr(
                "Memory: about {total} per training step at batch {batch} on {device} "
                "(free memory unknown)."
            ).format(**values)
        if mem.fits:
            text = self.tr(
                "Memory: about {total} per training step at batch {batch}, fits in {free} "
                "free on {device}."
            )
        else:
            text = self.tr(
                "⚠ Memory: about {total} per training step at batch {batch} may not fit in "
                "{free} free on {device}; training can still start."
            )
        text = text.format(**values)
        if mem.max_batch is not None:
            text += " " + self.tr("Largest batch that fits: {largest}.").format(**values)
        return text


@dataclass
class TrainingInsight:
    """What ``install_training_insight`` added to a workspace."""

    health: HealthView
    flow: GradientFlowChart
    verdict: FitVerdict


def install_training_insight(workspace: Any) -> TrainingInsight:
    """Gradient health on every run, the Gradient flow tab and the memory verdict."""
    health = HealthView(workspace)
    flow = GradientFlowChart(health)
    title = QCoreApplication.translate("TrainingInsight", "Gradient flow")
    workspace.tabs.insertTab(1, flow, title)
    verdict = FitVerdict(workspace.session)
    layout = workspace.controls.layout()
    layout.insertWidget(1, verdict)  # right under Start / Pause / Stop

    def warn_on_start(running: bool) -> None:
        if running and verdict.warns():
            workspace.log.appendPlainText(verdict.verdict())

    workspace.runner.running_changed.connect(warn_on_start)
    return TrainingInsight(health, flow, verdict)
