"""The training dock: pick data, set options, Start / Pause / Stop, watch curves, evaluate.

Threading (DESIGN rule 8): ``TrainingRunner`` trains a *copy* of the diagram on a QThread
and delivers trainer events in batches from a ≤ 30 Hz timer; this widget only turns those
batches into progress text and curve points, then redraws once per batch. Editing the
canvas during a run changes nothing in that run; a note says the edits apply to the next.

Hooks for the main window (all optional):
  ``select_node(node_id)``  — called when a failure names the block to blame;
  ``export_model(outcome)`` — replaces the default of "Export trained model…", which opens
                              ``gui.export_dialog.ExportDialog`` on the trained copy;
  ``session.set_weights``   — given a ``Session``, trained weights (and a ``Checkpoint`` with
                              diagram, settings, metrics and classes) are attached to it;
                              with weights there, "Start from" offers to continue training
                              them (see ``training_start``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.diagram import Diagram
from netbuilder.core.events import DiagramEvent
from netbuilder.gui.docks.curves import TrainingCurves
from netbuilder.gui.docks.evaluation import BackgroundEvaluation, EvaluationView
from netbuilder.gui.docks.training_data import DatasetPicker
from netbuilder.gui.docks.training_settings import SettingsForm
from netbuilder.gui.docks.training_start import CURRENT, StartFromChoice, weights_to_start_from
from netbuilder.gui.docks.training_status import NoteLabel, describe_device, format_eta
from netbuilder.gui.worker import RunOutcome, TrainingRunner
from netbuilder.train.config import ConfigError, TrainConfig
from netbuilder.train.events import EpochEvent, FailedEvent, StatusEvent, StepEvent

_ERROR_STYLE = "color: #b00020;"
MAX_LOG_LINES = 200


class TrainingDock(QWidget):
    """Everything needed to train the current diagram, in one dockable widget."""

    node_failed = Signal(str)  # node id named by a FailedEvent
    run_finished = Signal(object)  # RunOutcome
    export_requested = Signal(object)  # RunOutcome
    evaluation_finished = Signal(object)  # Evaluation or None (on-demand evaluation)

    def __init__(
        self,
        diagram: Diagram,
        undo_stack: QUndoStack | None = None,
        session: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("training_dock")
        self.diagram = diagram
        self.session = session
        self.select_node: Callable[[str], None] | None = None
        self.export_model: Callable[[RunOutcome], None] | None = None
        self.last_outcome: RunOutcome | None = None
        self.export_dialog: QWidget | None = None
        self.step_events_seen = 0
        self._run_revision: int | None = None
        self._replaced_during_run = False
        self._earlier_metrics: dict[str, list[float]] | None = None  # a continued run's past
        self._watched_window: QWidget | None = None

        self.runner = TrainingRunner(self)
        self.runner.events.connect(self._on_events)
        self.runner.finished.connect(self._on_finished)

        # ---- setup column
        self.picker = DatasetPicker(diagram, undo_stack)
        self.settings = SettingsForm(diagram, undo_stack)
        self.settings.edited.connect(self._on_setting_edited)
        setup = QWidget()
        setup_layout = QVBoxLayout(setup)
        setup_layout.addWidget(self.picker)
        setup_layout.addWidget(self.settings)
        setup_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(setup)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)  # four preview thumbnails and the form, unclipped

        # ---- run column
        self.start_button = QPushButton("Start")
        self.start_from = StartFromChoice()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.stop_button = QPushButton("Stop")
        # short labels: the row must fit beside the settings column on a laptop screen
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip(
            "Export the trained model as .pt2 (torch.export), ONNX or Python source, "
            "reloaded and checked against the model here"
        )
        self.export_button.setVisible(False)
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip(
            "Score the session's trained weights (e.g. from an opened .pt) on the validation "
            "part of the chosen dataset"
        )
        self.evaluate_button.clicked.connect(self.evaluate_weights)
        self.background_evaluation = BackgroundEvaluation(self)
        self.background_evaluation.done.connect(self._on_evaluated)
        self.start_button.clicked.connect(self.start)
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.stop_button.clicked.connect(self.stop)
        self.export_button.clicked.connect(self._on_export_clicked)
        buttons = QHBoxLayout()
        for b in (
            self.start_button,
            self.start_from,
            self.pause_button,
            self.stop_button,
            self.export_button,
            self.evaluate_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("idle")
        self.progress.setValue(0)
        self.device_label = QLabel("")
        self.speed_label = QLabel("")
        info = QHBoxLayout()
        info.addWidget(self.device_label)
        info.addStretch(1)
        info.addWidget(self.speed_label)
        self.edit_note = NoteLabel()
        self.message = NoteLabel()
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(MAX_LOG_LINES)
        self.log.setMaximumHeight(70)
        self.curves = TrainingCurves()
        self.evaluation = EvaluationView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.curves, "Curves")
        self.tabs.addTab(self.evaluation, "Evaluation")
        run = QWidget()
        run_layout = QVBoxLayout(run)
        run_layout.addLayout(buttons)
        run_layout.addWidget(self.progress)
        run_layout.addLayout(info)
        run_layout.addWidget(self.message)
        run_layout.addWidget(self.edit_note)
        run_layout.addWidget(self.tabs, 1)
        run_layout.addWidget(self.log)

        # scrolls rather than forcing its height on the whole bottom dock area (the Problems
        # list shares it and is best slim)
        run_scroll = QScrollArea()
        run_scroll.setWidget(run)
        run_scroll.setWidgetResizable(True)
        run_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(run_scroll)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        diagram.changed.connect(self._on_diagram_changed)
        if session is not None and hasattr(session, "weights_changed"):
            session.weights_changed.connect(self._update_buttons)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._update_buttons()
        self._show_device()

    @classmethod
    def for_session(cls, session: Any, parent: QWidget | None = None) -> TrainingDock:
        """A dock on ``session.diagram`` that pushes settings onto ``session.undo_stack``."""
        return cls(session.diagram, session.undo_stack, session=session, parent=parent)

    # ------------------------------------------------------------------ control
    def is_running(self) -> bool:
        return self.runner.is_running()

    def _config_or_error(self) -> TrainConfig | None:
        """The diagram's training settings, or None after showing why they are unusable."""
        try:
            config = TrainConfig.from_dict(self.diagram.training)
        except ConfigError as exc:
            self._show_error(str(exc))
            return None
        self._show_error("")
        return config

    def start(self) -> bool:
        """Validate the settings and start a run on a copy of the diagram."""
        if self.runner.is_running():
            return False
        config = self._config_or_error()
        if config is None:
            return False
        initial_state, optimizer_state, note = None, None, ""
        self._earlier_metrics = None
        if self.start_from.value() == CURRENT and self._has_weights():
            from netbuilder.train.checkpoint import CheckpointError

            try:
                start = weights_to_start_from(self.diagram, self.session, config.seed)
                initial_state, optimizer_state, note = (
                    start.state,
                    start.optimizer_state,
                    start.note,
                )
                if start.continuing:  # the same network trained further: its history goes on
                    self._earlier_metrics = getattr(self.session.checkpoint, "metrics", None)
            except CheckpointError as exc:
                self._show_error(f"Cannot start from the current weights: {exc}")
                return False
        self.message.setText(note)  # which blocks keep their training (plain text, no error)
        self.edit_note.setText("")
        self.export_button.setVisible(False)
        self.step_events_seen = 0
        self.curves.begin_run()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("starting …")
        self._show_device(config.device)
        self._run_revision = self.diagram.revision
        self._replaced_during_run = False
        origin = " from the current weights" if initial_state is not None else ""
        self._log(
            f"— run {self.curves.run_count}: {config.dataset}, {config.epochs} epochs{origin}"
        )
        self.runner.start(
            self.diagram,
            config,
            data=self.picker.matching_bundle(config, self.diagram),
            initial_state=initial_state,
            initial_optimizer_state=optimizer_state,
        )
        self._update_buttons()
        return True

    def pause(self) -> None:
        self.pause_button.setChecked(True)

    def resume(self) -> None:
        self.pause_button.setChecked(False)

    def stop(self) -> None:
        self.runner.stop()
        self.progress.setFormat("stopping …")

    def shutdown(self) -> None:
        """Stop and join the training thread (window or application closing)."""
        self.runner.shutdown()

    # ------------------------------------------------------------------ events from the run
    def _on_events(self, batch: list[Any]) -> None:
        """One coalesced batch (≤ 30 per second): update text once, append points, redraw once."""
        steps = [e for e in batch if isinstance(e, StepEvent)]
        if steps:
            if not self.step_events_seen:
                self.curves.set_epochs(steps[0].epochs)
            self.step_events_seen += len(steps)
            self.curves.add_steps(
                [e.global_step / max(1, e.steps_per_epoch) for e in steps],
                [e.loss for e in steps],
                [e.lr for e in steps],
            )
            self._show_progress(steps[-1])
        for event in batch:
            if isinstance(event, EpochEvent):
                self.curves.show_accuracy(event.val_accuracy is not None)
                self.curves.add_epoch(
                    float(event.epoch),
                    event.val_loss,
                    event.train_accuracy,
                    event.val_accuracy,
                    event.is_best,
                )
                acc = "" if event.val_accuracy is None else f", accuracy {event.val_accuracy:.1%}"
                best = " (best)" if event.is_best else ""
                self._log(
                    f"epoch {event.epoch}/{event.epochs}: validation loss "
                    f"{event.val_loss:.4g}{acc}{best}"
                )
            elif isinstance(event, StatusEvent):
                self._log(event.message)
                if event.message.startswith("training on "):
                    self.device_label.setText(f"Device: {event.message.split()[2].rstrip(':')}")
            elif isinstance(event, FailedEvent):
                self._show_failure(event.message, event.node_id)
        self.curves.refresh()

    def _show_progress(self, e: StepEvent) -> None:
        total = max(1, e.epochs * e.steps_per_epoch)
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(min(total, e.global_step))
        paused = " · paused" if self.runner.paused else ""
        self.progress.setFormat(
            f"epoch {e.epoch}/{e.epochs} · step {e.step}/{e.steps_per_epoch} · "
            f"ETA {format_eta(e.eta_s)}{paused}"
        )
        self.speed_label.setText(f"{e.samples_per_s:,.0f} samples/s · loss {e.loss:.4g}")

    def _on_finished(self, outcome: RunOutcome) -> None:
        self.last_outcome = outcome
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(False)
        self.pause_button.setText("Pause")
        self.pause_button.blockSignals(False)
        result = outcome.result
        if outcome.status == "failed":
            self.progress.setFormat("failed")
            if outcome.error and not self.message.text():
                self._show_failure(outcome.error, outcome.node_id)
        else:
            best = f", best epoch {result.best_epoch}" if result.best_epoch else ""
            self.progress.setFormat(f"{result.status.replace('_', ' ')}{best}")
            self.device_label.setText(f"Device: {result.device}")
            self._log(f"{result.status.replace('_', ' ')} in {result.elapsed_s:.1f} s{best}")
            if result.model is not None:
                self.export_button.setVisible(True)
                self._attach_weights(outcome)
            if outcome.evaluation is not None:
                self.evaluation.show_evaluation(outcome.evaluation, outcome.data)
        self.curves.refresh(force=True)
        self._run_revision = None
        self.edit_note.setText("")
        self._update_buttons()
        self.run_finished.emit(outcome)

    # ------------------------------------------------------------------ widgets
    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        if paused:
            self.runner.pause()
        else:
            self.runner.resume()
        if self.runner.is_running():
            fmt = self.progress.format().removesuffix(" · paused")
            self.progress.setFormat(fmt + (" · paused" if paused else ""))

    def _attach_weights(self, outcome: RunOutcome) -> None:
        """Give the session the trained weights, as a checkpoint of the diagram that was run."""
        if self.session is None or not hasattr(self.session, "set_weights"):
            return
        if self._replaced_during_run:  # another file was opened: these weights are not its
            self._log("another diagram was opened during the run; its weights are unchanged")
            return
        from netbuilder.train.checkpoint import (
            Checkpoint,
            continued_best_epoch,
            continued_metrics,
        )

        result = outcome.result
        state = {k: v.detach().clone() for k, v in result.model.state_dict().items()}
        checkpoint = Checkpoint(
            diagram=outcome.diagram or self.diagram.copy(),
            state_dict=state,
            training=result.config.to_dict(),
            metrics=continued_metrics(self._earlier_metrics, result.metrics),
            classes=list(result.classes),
            optimizer_state=result.optimizer_state,
            best_epoch=continued_best_epoch(self._earlier_metrics, result.best_epoch),
        )
        self.session.set_weights(state, checkpoint)
        self._log("Keep this model with File › Save Trained Model… (Ctrl+Alt+S).")

    def _on_export_clicked(self) -> None:
        outcome = self.last_outcome
        if outcome is None or outcome.result is None or outcome.result.model is None:
            return
        self.export_requested.emit(outcome)
        if self.export_model is not None:
            self.export_model(outcome)
            return
        from netbuilder.gui.export_dialog import ExportDialog

        model = outcome.result.model
        diagram = outcome.diagram or self.diagram.copy()
        path = getattr(self.session, "path", None)
        dialog = ExportDialog(diagram, lambda: model, path, list(outcome.result.classes), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog
        dialog.open()  # window-modal, does not block this thread

    def _on_setting_edited(self, _name: str, error: str) -> None:
        self._show_error(error)

    def _on_diagram_changed(self, event: DiagramEvent) -> None:
        try:
            if event.kind == "reset" and self.runner.is_running():
                self._replaced_during_run = True
            if event.kind == "reset":
                self.start_from.forget()  # an opened file's weights bring the default back
            if event.kind in ("training_changed", "reset"):
                self.settings.load()
                self.picker.load()
            if self._run_revision is not None and self.diagram.revision != self._run_revision:
                self.edit_note.setText(
                    "The diagram changed since this run started; the running training is "
                    "unaffected and your edits apply to the next run."
                )
        except RuntimeError:  # this widget was deleted; stop observing the model
            self.diagram.changed.disconnect(self._on_diagram_changed)

    def evaluate_weights(self) -> bool:
        """Evaluate ``session.state_dict`` on the current dataset (on demand, in background)."""
        state = getattr(self.session, "state_dict", None)
        if state is None or self.runner.is_running() or self.background_evaluation.busy:
            return False
        config = self._config_or_error()
        if config is None:
            return False
        diagram = self.diagram.copy()
        data = self.picker.matching_bundle(config, diagram)
        self._log("evaluating the trained weights …")
        self.background_evaluation.start(diagram, state, config, data)
        self._update_buttons()
        return True

    def _on_evaluated(self, payload: tuple[Any, Any, str]) -> None:
        evaluation, data, error = payload
        self.background_evaluation.busy = False
        if evaluation is None:
            self._show_error(f"Evaluation failed: {error}")
        else:
            self.evaluation.show_evaluation(evaluation, data)
            self.tabs.setCurrentWidget(self.evaluation)
            self._log("evaluation done")
        self._update_buttons()
        self.evaluation_finished.emit(evaluation)

    def _has_weights(self) -> bool:
        return getattr(self.session, "state_dict", None) is not None

    def _update_buttons(self) -> None:
        running = self.runner.is_running()
        has_weights = self._has_weights()
        self.start_from.weights_available(has_weights)
        self.start_from.setEnabled(not running)
        self.evaluate_button.setVisible(has_weights)
        self.evaluate_button.setEnabled(not running and not self.background_evaluation.busy)
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)

    def _show_device(self, name: str | None = None) -> None:
        if name is None:
            try:
                name = TrainConfig.from_dict(self.diagram.training).device
            except ConfigError:
                name = "auto"
        self.device_label.setText(f"Device: {describe_device(name)}")

    def _show_error(self, text: str) -> None:
        self.message.setStyleSheet(_ERROR_STYLE if text else "")
        self.message.setText(text)

    def _show_failure(self, message: str, node_id: str | None) -> None:
        where = f" (block '{node_id}')" if node_id else ""
        self._show_error(f"Training failed{where}: {message}")
        self._log(f"failed: {message}")
        if node_id:
            self.node_failed.emit(node_id)
            if self.select_node is not None:
                self.select_node(node_id)

    def _log(self, line: str) -> None:
        self.log.appendPlainText(line)

    # ------------------------------------------------------------------ closing
    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._watched_window:
            window.installEventFilter(self)
            self._watched_window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Window closing: once it is really hidden (not cancelled), stop the run."""
        if watched is self._watched_window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self, self._after_window_close)  # dropped if we are deleted
        return False

    def _after_window_close(self) -> None:
        window = self._watched_window
        try:
            closed = window is not None and not window.isVisible()
        except RuntimeError:  # the window is already deleted
            closed = True
        if closed:
            self.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
