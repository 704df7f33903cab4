"""The Training workspace: data, settings, Start / Pause / Stop, curves, evaluation, runs.

Layout (fits 1024×700 with nothing cut off or scrolling sideways): a fixed settings column
(``SettingsColumn``), then the run controls (``RunControls``) over ``ResultsArea``: tabs
Curves | Evaluation | Compare runs, and below them the run list beside the log.

Threading (DESIGN rule 8): ``TrainingRunner`` trains a *copy* of the diagram on a QThread and
delivers trainer events in batches from a ≤ 30 Hz timer; this widget turns each batch into
progress text and curve points and redraws once. Canvas edits during a run apply to the next.

State belongs to its document (``Session``): each run is recorded in ``session.runs``; a
finished run's weights go to ``session.set_weights`` with its ``RunRecord``; Export acts on
the session's weights and names their run. When another document replaces the session's
(``document_replaced``) a run still going is stopped and dropped, and the workspace shows
the new document's own runs. ``node_failed(node_id)`` names the block a failure blames.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QWidget,
)

from netbuilder.core.diagram import Diagram
from netbuilder.core.events import DiagramEvent
from netbuilder.gui.docks.curves import TrainingCurves
from netbuilder.gui.docks.evaluation import EvaluationView
from netbuilder.gui.docks.training_controls import ControlState, RunControls
from netbuilder.gui.docks.training_data import DatasetPicker
from netbuilder.gui.docks.training_engines import RunEngines
from netbuilder.gui.docks.training_evaluate import WeightsEvaluation
from netbuilder.gui.docks.training_feed import EventFeed
from netbuilder.gui.docks.training_insight import install_training_insight
from netbuilder.gui.docks.training_results import WindowCloseGuard, checkpoint_of, fill_record
from netbuilder.gui.docks.training_runs import ResultsArea, lay_out_page
from netbuilder.gui.docks.training_settings import SettingsColumn, SettingsForm
from netbuilder.gui.docks.training_start import start_point
from netbuilder.gui.docks.training_try_it import TryItFeed
from netbuilder.gui.i18n import run_name, status_text
from netbuilder.gui.process_run import ProcessRun
from netbuilder.gui.session import Session
from netbuilder.gui.widgets.try_it import TryItPanel
from netbuilder.gui.worker import RunOutcome
from netbuilder.train.config import ConfigError, TrainConfig
from netbuilder.train.runs import RunRecord

#: The settings column: four preview thumbnails and the form, unclipped, and no wider.
SETTINGS_WIDTH = 318


class TrainingWorkspace(QWidget):
    """Everything needed to train the diagram on screen: the Training workspace's page."""

    node_failed = Signal(str)  # the block a failure names: the window selects it
    run_finished = Signal(object)  # RunOutcome
    evaluation_finished = Signal(object)  # Evaluation or None (on-demand evaluation)

    def __init__(
        self,
        diagram: Diagram,
        undo_stack: QUndoStack | None = None,
        session: Session | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("training_workspace")
        self.diagram = diagram
        # without a window (tests, benchmarks) the workspace keeps its own document state
        self.session = session if session is not None else Session(self, diagram)
        self._record: RunRecord | None = None  # the run going on, in its document's history
        self.last_outcome: RunOutcome | None = None
        self.export_dialog: QWidget | None = None
        self._run_revision: int | None = None
        self._replaced_during_run = False
        self._earlier_metrics: dict[str, list[float]] | None = None  # a continued run's past
        self._evaluate_after_run = False
        self._close_guard = WindowCloseGuard(self, self.shutdown)  # closing stops the run

        self.engines = RunEngines(self)
        self.runner = self.engines.local  # a run in this process (tests and benchmarks read it)
        self.engines.events.connect(self._on_events)
        self.engines.finished.connect(self._on_finished)

        # ---- settings column (scrolls vertically only)
        self.picker = DatasetPicker(self.session, undo_stack)
        self.settings = SettingsForm(self.session, undo_stack)
        self.settings.edited.connect(self._on_setting_edited)
        self.settings_scroll = SettingsColumn(self.picker, self.settings, SETTINGS_WIDTH)

        # ---- results: controls, then curves / evaluation / comparison, then runs and log
        self.controls = c = RunControls()
        self.start_button, self.start_from = c.start_button, c.start_from
        self.pause_button, self.stop_button = c.pause_button, c.stop_button
        self.export_button, self.evaluate_button = c.export_button, c.evaluate_button
        self.progress, self.message, self.edit_note = c.progress, c.message, c.edit_note
        self.device_label, self.speed_label = c.device_label, c.speed_label
        self.start_button.clicked.connect(self.start)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.stop_button.clicked.connect(self.stop)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.evaluate_button.clicked.connect(self.evaluate_weights)
        self.curves = TrainingCurves()
        self.evaluation = EvaluationView()
        self.try_it = TryItPanel()
        self.results = ResultsArea(self.curves, self.evaluation, self.try_it)
        self.tabs, self.comparison = self.results.tabs, self.results.comparison
        self.run_list, self.log = self.results.run_list, self.results.log
        self.run_list.selection_changed.connect(self._on_runs_selected)
        self.weights_evaluation = WeightsEvaluation(
            self.session, self.picker, self.evaluation, self.tabs, self.controls, self._log, self
        )
        self.weights_evaluation.finished.connect(self._on_evaluated)
        self.background_evaluation = self.weights_evaluation.background
        self.feed = EventFeed(self.curves, self.controls, self._log, self.node_failed.emit)
        lay_out_page(self, self.settings_scroll, self.controls, self.results)

        diagram.changed.connect(self._on_diagram_changed)
        self.session.weights_changed.connect(self._update_buttons)
        self.session.document_replaced.connect(self.show_document)
        self.try_it_feed = TryItFeed(self.session, self.try_it)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._update_buttons()
        self._show_device()
        self.run_list.show_history(self.session.runs)
        self.insight = install_training_insight(self)  # gradient health, flow tab, memory fit

    @classmethod
    def for_session(cls, session: Session, parent: QWidget | None = None) -> TrainingWorkspace:
        """A workspace on ``session.diagram`` that pushes settings onto its undo stack."""
        return cls(session.diagram, session.undo_stack, session=session, parent=parent)

    @property
    def step_events_seen(self) -> int:
        """Step events of the run on screen (benchmarks and tests read it)."""
        return self.feed.steps_seen

    @step_events_seen.setter
    def step_events_seen(self, count: int) -> None:
        self.feed.steps_seen = count

    # ------------------------------------------------------------------ control
    def is_running(self) -> bool:
        return self.engines.is_running()

    def _config_or_error(self) -> TrainConfig | None:
        """The diagram's training settings, or None after showing why they are unusable."""
        try:
            config = self.session.training_config()
        except ConfigError as exc:
            self.controls.show_error(str(exc))
            return None
        self.controls.show_error("")
        return config

    def start(self) -> bool:
        """Validate the settings and start a run on a copy of the diagram."""
        if self.engines.is_running():
            return False
        config = self._config_or_error()
        if config is None:
            return False
        if config.processes > 1 and not ProcessRun.supported():
            self.controls.show_error(
                self.tr(
                    "Training on several processes from the app needs Linux or macOS here; "
                    "set Processes to 1."
                )
            )
            return False
        from netbuilder.train.checkpoint import CheckpointError

        try:
            start = start_point(self.start_from.value(), self.diagram, self.session, config.seed)
        except CheckpointError as exc:
            self.controls.show_error(
                self.tr("Cannot start from the current weights: {reason}").format(reason=exc)
            )
            return False
        checkpoint = self.session.checkpoint
        continuing = start is not None and start.continuing and checkpoint is not None
        self._earlier_metrics = checkpoint.metrics if continuing else None  # its history goes on
        initial_state = start.state if start is not None else None
        optimizer_state = start.optimizer_state if start is not None else None
        note = start.note if start is not None else ""
        self.controls.show_note(note)  # which blocks keep their training
        self.edit_note.setText("")
        self.step_events_seen = 0
        self._record = self.session.runs.begin(self.diagram, config.to_dict())
        self.curves.begin_run(run_name(self._record))
        self.controls.begin()
        self.controls.show_device(config.device)
        self._run_revision = self.diagram.revision
        self._replaced_during_run = False
        origin = self.tr(" from the current weights") if initial_state is not None else ""
        epochs = self.tr("%n epoch(s)", "", config.epochs)
        ranks = self.tr(" on {n} processes").format(n=config.processes)
        ranks = ranks if config.processes > 1 else ""
        self._log(f"— {run_name(self._record)}: {config.dataset}, {epochs}{origin}{ranks}")
        self.engines.start(
            self.diagram,
            config,
            data=self.picker.matching_bundle(config, self.diagram),
            initial_state=initial_state,
            initial_optimizer_state=optimizer_state,
            earlier_metrics=self._earlier_metrics,
        )
        self._update_buttons()
        self.run_list.show_history(self.session.runs)
        self.tabs.setCurrentWidget(self.curves)
        return True

    def pause(self) -> None:
        self.pause_button.setChecked(True)

    def resume(self) -> None:
        self.pause_button.setChecked(False)

    def stop(self) -> None:
        self.engines.stop()
        self.progress.setFormat(self.tr("stopping …"))

    def shutdown(self) -> None:
        """Stop and wait for the run: its thread or its processes (window or app closing)."""
        self.engines.shutdown()

    # ------------------------------------------------------------------ events from the run
    def _on_events(self, batch: list[Any]) -> None:
        """One coalesced batch (≤ 30 per second): update text once, append points, redraw once."""
        if self._replaced_during_run:  # the last events of another document's run
            return
        self.feed.show(batch, self.engines.paused)

    def _on_finished(self, outcome: RunOutcome) -> None:
        record, self._record = self._record, None
        if record is not None:
            fill_record(record, outcome)
        if self._replaced_during_run:  # the run was of a document no longer shown
            self._replaced_during_run = False
            self._run_revision = None
            self._reset_run_widgets()
            self._update_buttons()
            self.run_finished.emit(outcome)
            return
        self.last_outcome = outcome
        self.controls.end_pause()
        result = outcome.result
        if outcome.status == "failed":
            self.progress.setFormat(status_text("failed"))
            # the run's last word names the cause (for several processes: the rank that
            # failed first), where the first failure seen may only be a lost connection
            if outcome.error and outcome.error not in self.message.text():
                self.feed.show_failure(outcome.error, outcome.node_id)
        else:
            self.feed.show_end(result)
            if result.model is not None:
                self._attach_weights(outcome, record)
            if outcome.evaluation is not None:
                self.evaluation.show_evaluation(outcome.evaluation, outcome.data)
            elif outcome.checkpoint is not None:  # ranks do not evaluate: score it here
                self._evaluate_after_run = True
        self.curves.refresh(force=True)
        self._run_revision = None
        self.edit_note.setText("")
        self._update_buttons()
        self.run_list.show_history(self.session.runs)
        if self._evaluate_after_run:
            self._evaluate_after_run = False
            self._evaluate(switch_tab=False)
        self.run_finished.emit(outcome)

    # ------------------------------------------------------------------ widgets
    def _on_pause_toggled(self, paused: bool) -> None:
        if paused:
            self.engines.pause()
        else:
            self.engines.resume()

    def _on_runs_selected(self, records: list[RunRecord]) -> None:
        """Overlay the selected finished runs; two selected: compare them."""
        # the live curves already show the run going on or just finished
        live = self.curves.current.label if self.curves.current is not None else None
        self.curves.show_records([r for r in records if run_name(r) != live and r.metrics])
        self.comparison.compare(records)

    def _attach_weights(self, outcome: RunOutcome, record: RunRecord | None) -> None:
        """Give the session the trained weights, as a checkpoint of the diagram that was run."""
        checkpoint = checkpoint_of(outcome, self.diagram, self._earlier_metrics)
        self.session.set_weights(checkpoint.state_dict, checkpoint, record)
        self._log(self.tr("Keep this model with File › Save Trained Model… (Ctrl+Alt+S)."))

    def _on_export_clicked(self) -> None:
        """Export the weights of *this* document (the run named on the button)."""
        from netbuilder.gui.export_dialog import dialog_for_session

        dialog = dialog_for_session(self.session, self)
        if dialog is None:
            return
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog
        dialog.open()  # window-modal, does not block this thread

    def _on_setting_edited(self, _name: str, error: str) -> None:
        self.controls.show_error(error)

    def show_document(self) -> None:
        """Another document replaced the session's: show its own (empty or saved) state.

        A run still going belongs to the document it was started from: it is stopped, and
        its result never reaches the new document (``_on_finished``).
        """
        if self.engines.is_running():
            self._replaced_during_run = True
            self.engines.stop()
        self._earlier_metrics = None
        self.last_outcome = None
        self.weights_evaluation.forget()  # an evaluation still running was of the old one
        self._reset_run_widgets()
        self.log.clear()
        self.curves.clear_all()
        self.evaluation.clear()
        self.comparison.compare([])
        self.tabs.setCurrentWidget(self.curves)
        self._update_buttons()
        self.run_list.show_history(self.session.runs)  # its own runs (from its .pt) or none

    def _reset_run_widgets(self) -> None:
        self.controls.reset()
        self._show_device()

    def _on_diagram_changed(self, event: DiagramEvent) -> None:
        try:
            if event.kind == "reset":
                self.start_from.forget()  # an opened file's weights bring the default back
            if event.kind in ("training_changed", "reset"):
                self.settings.load()
                self.picker.load()
            if self._run_revision is not None and self.diagram.revision != self._run_revision:
                self.edit_note.setText(
                    self.tr(
                        "The diagram changed since this run started; the running training is "
                        "unaffected and your edits apply to the next run."
                    )
                )
        except RuntimeError:  # this widget was deleted; stop observing the model
            self.diagram.changed.disconnect(self._on_diagram_changed)

    def evaluate_weights(self) -> bool:
        """Evaluate ``session.state_dict`` on the current dataset (on demand, in background)."""
        return self._evaluate(switch_tab=True)

    def _evaluate(self, switch_tab: bool) -> bool:
        if self.engines.is_running() or self.weights_evaluation.busy:
            return False
        config = self._config_or_error()
        if config is None or not self.weights_evaluation.start(self.diagram, config, switch_tab):
            return False
        self._update_buttons()
        return True

    def _on_evaluated(self, evaluation: Any, current: bool) -> None:
        self._update_buttons()
        if current:
            self.evaluation_finished.emit(evaluation)

    def _has_weights(self) -> bool:
        return self.session.state_dict is not None

    def _update_buttons(self) -> None:
        self.controls.set_state(
            ControlState(
                running=self.engines.is_running(),
                has_weights=self._has_weights(),
                evaluating=self.background_evaluation.busy,
                model_name=self.session.model_name,
                named_run=self.session.model_run is not None,
                pausable=self.engines.is_pausable() or not self.engines.is_running(),
            )
        )

    def _show_device(self) -> None:
        """The device the settings ask for ("auto" while that setting is unusable)."""
        self.controls.show_device(self.session.training_settings()[0].device)

    def _log(self, line: str) -> None:
        self.log.appendPlainText(line)

    # ------------------------------------------------------------------ closing
    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        self._close_guard.watch()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
