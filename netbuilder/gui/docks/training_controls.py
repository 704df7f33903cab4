"""The run controls of the Training workspace: buttons, progress, device and speed, notes.

A widget with no knowledge of sessions or threads: the workspace tells it what state to
show (``set_state``, ``show_step``, ``show_device``, ``show_error``) and connects to its
buttons. Labels are short so the row fits beside the settings column at 1024 px.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.docks.training_start import StartFromChoice
from netbuilder.gui.docks.training_status import NoteLabel, describe_device, format_eta
from netbuilder.gui.widgets.flow_layout import flow_row
from netbuilder.train.events import StepEvent

_ERROR_STYLE = "color: #b00020;"


@dataclass(frozen=True)
class ControlState:
    """Everything the buttons depend on."""

    running: bool
    has_weights: bool
    evaluating: bool
    model_name: str  # the run whose weights Export acts on ("" without weights)
    named_run: bool  # the weights come from a run of this document (not an old .pt)
    pausable: bool = True  # a run on several processes stops but does not pause


class RunControls(QWidget):
    """Start / Start from / Pause / Stop / Export / Evaluate, the progress bar and notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.setObjectName("training_start")
        self.start_button.setToolTip(
            self.tr("Train the diagram on screen with these settings (F5)")
        )
        self.start_from = StartFromChoice()
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setCheckable(True)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setObjectName("training_export")
        self.export_button.setVisible(False)
        self.evaluate_button = QPushButton(self.tr("Evaluate"))
        self.evaluate_button.setToolTip(
            self.tr(
                "Score this diagram's trained weights (e.g. from an opened .pt) on the "
                "validation part of the chosen dataset"
            )
        )
        self.pause_button.toggled.connect(self._on_pause_toggled)
        # the same commands as menu actions with shortcuts (the window's Train menu)
        self.act_start = QAction(self.tr("&Start Training"), self)
        self.act_start.setShortcut(QKeySequence("F5"))
        self.act_start.triggered.connect(self.start_button.click)
        self.act_pause = QAction(self.tr("&Pause/Resume Training"), self)
        self.act_pause.setShortcut(QKeySequence("F6"))
        self.act_pause.triggered.connect(self.pause_button.toggle)
        self.act_stop = QAction(self.tr("S&top Training"), self)
        self.act_stop.setShortcut(QKeySequence("Shift+F5"))
        self.act_stop.triggered.connect(self.stop_button.click)
        self.act_evaluate = QAction(self.tr("&Evaluate Trained Model"), self)
        self.act_evaluate.triggered.connect(self.evaluate_button.click)
        # one row on a wide window, wrapped beside a dock on a small screen (never wider)
        self.buttons = flow_row(
            [
                self.start_button,
                self.start_from,
                self.pause_button,
                self.stop_button,
                self.export_button,
                self.evaluate_button,
            ]
        )
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat(self.tr("idle"))
        self.progress.setValue(0)
        #: the step line without the paused note, while a run shows steps
        self._step_text = ""
        self.device_label = QLabel("")
        self.speed_label = QLabel("")
        self.speed_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        info = QHBoxLayout()
        info.setContentsMargins(0, 0, 0, 0)
        info.addWidget(self.device_label)
        info.addStretch(1)
        info.addWidget(self.speed_label, 1)
        self.message = NoteLabel()
        self.edit_note = NoteLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.buttons)
        layout.addWidget(self.progress)
        layout.addLayout(info)
        layout.addWidget(self.message)
        layout.addWidget(self.edit_note)

    # ------------------------------------------------------------------ state
    def set_state(self, state: ControlState) -> None:
        self.start_from.weights_available(state.has_weights)
        self.start_from.setEnabled(not state.running)
        self.start_button.setEnabled(not state.running)
        self.pause_button.setEnabled(state.running and state.pausable)
        self.stop_button.setEnabled(state.running)
        self.act_start.setEnabled(not state.running)
        self.act_pause.setEnabled(state.running and state.pausable)
        self.act_stop.setEnabled(state.running)
        self.act_evaluate.setEnabled(state.has_weights and not state.running)
        self.evaluate_button.setVisible(state.has_weights)
        self.evaluate_button.setEnabled(not state.running and not state.evaluating)
        # Export acts on this document's weights only, and says which run made them
        self.export_button.setVisible(state.has_weights)
        self.export_button.setEnabled(state.has_weights and not state.running)
        self.export_button.setText(
            self.tr("Export {model}…").format(model=state.model_name)
            if state.named_run
            else self.tr("Export…")
        )
        self.export_button.setToolTip(
            self.tr(
                "Export {model} as .pt2 (torch.export), ONNX or Python source, "
                "reloaded and checked against the model here"
            ).format(model=state.model_name)
            if state.has_weights
            else self.tr("No trained model of this diagram yet")
        )

    def reset(self) -> None:
        """Idle, nothing shown: a new document or a dropped run."""
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("idle"))
        self.speed_label.setText("")
        self.edit_note.setText("")
        self.show_error("")
        self._step_text = ""

    def begin(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("starting …"))
        self.speed_label.setText("")  # the last run's speed is not this one's
        self._step_text = ""

    def show_step(self, e: StepEvent, paused: bool) -> None:
        total = max(1, e.epochs * e.steps_per_epoch)
        if self.progress.maximum() != total:
            self.progress.setRange(0, total)
        self.progress.setValue(min(total, e.global_step))
        self._step_text = self.tr(
            "epoch {epoch}/{epochs} · step {step}/{steps} · ETA {eta}"
        ).format(
            epoch=e.epoch,
            epochs=e.epochs,
            step=e.step,
            steps=e.steps_per_epoch,
            eta=format_eta(e.eta_s),
        )
        self.progress.setFormat(self._step_text + (self._paused_note() if paused else ""))
        self.speed_label.setText(
            self.tr("{rate} samples/s · loss {loss}").format(
                rate=f"{e.samples_per_s:,.0f}", loss=f"{e.loss:.4g}"
            )
        )

    def _paused_note(self) -> str:
        return self.tr(" · paused")

    def show_device(self, name: str) -> None:
        """``name``: a setting ("auto", "cuda") or the device a run reported ("cpu")."""
        self.device_label.setText(self.tr("Device: {device}").format(device=describe_device(name)))

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(_ERROR_STYLE if text else "")
        self.message.setText(text)

    def show_note(self, text: str) -> None:
        """Plain information (which blocks keep their training), not an error."""
        self.message.setStyleSheet("")
        self.message.setText(text)

    def end_pause(self) -> None:
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(False)
        self.pause_button.setText(self.tr("Pause"))
        self.pause_button.blockSignals(False)

    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if self._step_text:
            self.progress.setFormat(self._step_text + (self._paused_note() if paused else ""))

    def menu_actions(self) -> list[QAction]:
        return [self.act_start, self.act_pause, self.act_stop, self.act_evaluate]
