"""Scoring the document's trained weights on demand: Evaluate, an opened ``.pt``, a run on
several processes (its ranks do not evaluate).

``WeightsEvaluation`` runs ``BackgroundEvaluation`` (the app's background jobs) on a copy of
the diagram with the session's weights and shows the result in the evaluation view; an
answer about a document that is no longer shown (``forget``) is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QTabWidget

from netbuilder.core.diagram import Diagram
from netbuilder.gui.docks.evaluation import BackgroundEvaluation, EvaluationView
from netbuilder.gui.docks.training_controls import RunControls
from netbuilder.gui.docks.training_data import DatasetPicker
from netbuilder.gui.session import Session
from netbuilder.train.config import TrainConfig


class WeightsEvaluation(QObject):
    """Evaluate ``session.state_dict`` in the background and show it; one at a time."""

    #: (Evaluation or None, whether it is of the document still shown)
    finished = Signal(object, bool)

    def __init__(
        self,
        session: Session,
        picker: DatasetPicker,
        view: EvaluationView,
        tabs: QTabWidget,
        controls: RunControls,
        log: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.picker, self.view, self.tabs = session, picker, view, tabs
        self.controls, self._log = controls, log
        self.background = BackgroundEvaluation(self)
        self.background.done.connect(self._on_done)
        self._generation = 0

    @property
    def busy(self) -> bool:
        return self.background.busy

    def forget(self) -> None:
        """Another document came up: an evaluation still running was of the old one."""
        self._generation += 1

    def start(self, diagram: Diagram, config: TrainConfig, switch_tab: bool = True) -> bool:
        """Evaluate on ``config``'s data; ``switch_tab`` brings the Evaluation tab forward."""
        state = self.session.state_dict
        if state is None or self.background.busy:
            return False
        frozen = diagram.copy()
        data = self.picker.matching_bundle(config, frozen)
        self._log(
            QCoreApplication.translate("TrainingWorkspace", "evaluating the trained weights …")
        )
        asked = (self._generation, switch_tab)
        self.background.start(frozen, state, config, data, tag=asked)
        return True

    def _on_done(self, payload: tuple[Any, Any, str, tuple[int, bool]]) -> None:
        evaluation, data, error, (generation, switch_tab) = payload
        self.background.busy = False
        current = generation == self._generation
        if not current:  # weights of a document no longer shown: drop it
            self.finished.emit(None, False)
            return
        if evaluation is None:
            self.controls.show_error(
                QCoreApplication.translate(
                    "TrainingWorkspace", "Evaluation failed: {reason}"
                ).format(reason=error)
            )
        else:
            self.view.show_evaluation(evaluation, data)
            if switch_tab:
                self.tabs.setCurrentWidget(self.view)
            self._log(QCoreApplication.translate("TrainingWorkspace", "evaluation done"))
        self.finished.emit(evaluation, True)
