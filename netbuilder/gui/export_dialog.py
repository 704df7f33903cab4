"""Export trained model…: pick a format and a path, export, verify, show the difference.

The work is ``netbuilder.export.export_model`` (Qt-free) run through ``BackgroundJobs`` (the
app's one mechanism for background work), so the window stays responsive during the few
seconds torch.export or ONNX take; the result comes back on the GUI thread.
``install_export_actions`` adds the menu entry to any window that has an ``export_menu``
and hands back the action, so a training panel can show the same command as a button.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.export import FORMATS, SUFFIXES, ExportError, ExportResult, default_output
from netbuilder.export.onnx_format import INSTALL_HINT, missing_onnx_packages
from netbuilder.gui.worker import BackgroundJobs, JobResult

ModelFactory = Callable[[], Any]  # () -> nn.Module with the trained weights loaded
READY_TEXT = QT_TRANSLATE_NOOP(
    "ExportDialog", "Each export is reloaded and compared with the model here."
)


def format_name(fmt: str, fallback: str = "") -> str:
    """An export format's name in the interface's language (``export.FORMATS`` in English)."""
    names = {
        "pt2": QCoreApplication.translate("ExportDialog", "torch.export program (.pt2)"),
        "onnx": QCoreApplication.translate("ExportDialog", "ONNX model (.onnx)"),
        "python": QCoreApplication.translate(
            "ExportDialog", "Python source + weights (model.py, model_weights.pt)"
        ),
    }
    return names.get(fmt) or fallback or FORMATS.get(fmt, fmt)


def trained_model_for(session: Any) -> Any:
    """Compile ``session.diagram`` and load ``session.state_dict`` strictly.

    Raises ``ExportError`` in the user's words when there are no weights or when the
    diagram was edited so that they no longer fit.
    """
    from netbuilder.core.compile import CompileError, compile_diagram
    from netbuilder.train.checkpoint import CheckpointError, apply_weights

    if getattr(session, "state_dict", None) is None:
        raise ExportError(
            QCoreApplication.translate(
                "ExportDialog", "there is no trained model yet: train the network or open a .pt"
            )
        )
    try:
        module = compile_diagram(session.diagram)
        return apply_weights(module, session.state_dict)
    except CompileError as exc:
        raise ExportError(str(exc)) from None
    except CheckpointError as exc:
        raise ExportError(
            QCoreApplication.translate(
                "ExportDialog",
                "the diagram changed since training and {problem}; "
                "train again (or undo the edits) before exporting",
            ).format(problem=exc.problem.removeprefix("the "))
        ) from None


class ExportDialog(QDialog):
    """Modal dialog; ``export_finished`` fires with the ``ExportResult`` or the exception."""

    export_finished = Signal(object)

    def __init__(
        self,
        diagram: Any,
        model_factory: ModelFactory,
        source_path: Path | None = None,
        classes: list[str] | None = None,
        parent: QWidget | None = None,
        checkpoint: Any = None,
    ) -> None:
        """``checkpoint`` (a train ``Checkpoint``) supplies the input pipeline that travels
        with the export and the training data that raw validation samples are read from."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export trained model"))
        self.setObjectName("export_dialog")
        self.diagram = diagram
        self.model_factory = model_factory
        self.classes = list(classes or [])
        self.source_path = source_path or Path.home() / "model.pt"
        self.checkpoint = checkpoint
        self.result: ExportResult | None = None
        self.error: Exception | None = None
        self._job: int | None = None  # the export running in BackgroundJobs
        BackgroundJobs.shared().finished.connect(self._on_job_finished)

        self.format_combo = QComboBox()
        missing = missing_onnx_packages()
        for key, label in FORMATS.items():
            self.format_combo.addItem(format_name(key, label), key)
        if missing:
            index = self.format_combo.findData("onnx")
            self.format_combo.setItemText(
                index,
                self.tr("{format} — needs {packages}").format(
                    format=format_name("onnx"), packages=", ".join(missing)
                ),
            )
            self.format_combo.setItemData(
                index,
                self.tr("Install with: {command}").format(command=INSTALL_HINT),
                Qt.ItemDataRole.ToolTipRole,
            )
        self.path_edit = QLineEdit()
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        self.bake_check = QCheckBox(self.tr("Bake the input normalisation into the graph"))
        self.bake_check.setObjectName("export_bake")
        self.bake_check.setChecked(True)
        self.bake_check.setToolTip(
            self.tr(
                "On: the exported graph takes raw inputs (0..1 pixels, raw column values) and "
                "normalises them itself. Off: it takes normalised inputs; the statistics are "
                "stored beside it. Python exports always get preprocess() and predict()."
            )
        )
        self.validate_check = QCheckBox(self.tr("Check the accuracy on raw validation samples"))
        self.validate_check.setObjectName("export_validate")
        self.validate_check.setChecked(True)
        self.validate_check.setToolTip(
            self.tr(
                "Reload the training data and require the export, given raw inputs as its "
                "documentation says, to score exactly like the model here"
            )
        )
        form = QFormLayout()
        form.addRow(self.tr("Format:"), self.format_combo)
        form.addRow(self.tr("Save to:"), path_row)
        form.addRow(self.tr("Inputs:"), self.bake_check)
        form.addRow("", self.validate_check)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.result_label = QLabel(self.tr(READY_TEXT))
        self.result_label.setObjectName("export_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            self.tr("Export"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._format_chosen)
        self._format_changed()
        self.resize(560, 0)

    # ------------------------------------------------------------------ choices
    @property
    def fmt(self) -> str:
        return str(self.format_combo.currentData())

    def set_format(self, fmt: str) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def _format_chosen(self) -> None:
        """Another format: the last outcome was about the old one, so it goes."""
        self._format_changed()
        if not self.busy:
            self.result, self.error = None, None
            self.result_label.setStyleSheet("")
            self.result_label.setText(self.tr(READY_TEXT))

    def _format_changed(self) -> None:
        self.path_edit.setText(str(default_output(self.source_path, self.fmt)))
        hints = {
            "pt2": self.tr("Load with torch.export.load(path).module(); batch size is free."),
            "onnx": self.tr("Runs in onnxruntime and other ONNX tools; batch size is free."),
            "python": self.tr(
                "Writes model.py and model_weights.pt: from model import load_model."
            ),
        }
        missing = missing_onnx_packages() if self.fmt == "onnx" else []
        self.hint_label.setText(
            self.tr("Needs {packages}: {command}").format(
                packages=", ".join(missing), command=INSTALL_HINT
            )
            if missing
            else hints[self.fmt]
        )
        self.bake_check.setEnabled(self.fmt != "python" and self.checkpoint is not None)
        self.validate_check.setEnabled(self.checkpoint is not None)
        self.export_button.setEnabled(not missing and not self.busy)

    def _browse(self) -> None:
        suffix = SUFFIXES[self.fmt]
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export to"),
            self.path_edit.text(),
            f"{format_name(self.fmt)} (*{suffix})",
        )
        if path:
            self.path_edit.setText(path if path.endswith(suffix) else f"{path}{suffix}")

    # ------------------------------------------------------------------ running
    @property
    def busy(self) -> bool:
        return self._job is not None

    def start_export(self) -> None:
        """Export on a worker thread; the outcome arrives in ``_finished``."""
        if self.busy:
            return
        text = self.path_edit.text().strip()
        if not text:
            self._show_error(ExportError(self.tr("choose where to save the export")))
            return
        out, fmt = Path(text).expanduser(), self.fmt
        bake, validate = self.bake_check.isChecked(), self.validate_check.isChecked()
        checkpoint = self.checkpoint
        self.result, self.error = None, None
        self.export_button.setEnabled(False)
        self.result_label.setStyleSheet("")
        self.result_label.setText(
            self.tr("Exporting and verifying {format}…").format(format=format_name(fmt))
        )

        diagram, factory, classes = self.diagram, self.model_factory, self.classes

        def work() -> Any:
            from netbuilder.export import export_model
            from netbuilder.export.raw_inputs import TrainingInputs, training_inputs

            try:
                # a private copy: the app may evaluate the same model while this runs
                model = copy.deepcopy(factory())
                found = (
                    training_inputs(checkpoint, validate)
                    if checkpoint is not None
                    else TrainingInputs(None, None)
                )
                outcome: Any = export_model(
                    diagram,
                    model,
                    fmt,
                    out,
                    classes=classes,
                    pipeline=found.pipeline,
                    bake_normalisation=bake,
                    validation=found.validation,
                )
                outcome.notes += [f"note: {w}" for w in found.warnings]
                return outcome
            except Exception as exc:  # kept whole: its type decides the message's title
                return exc

        self._job = BackgroundJobs.shared().submit(work, "export")

    def _on_job_finished(self, result: JobResult[Any]) -> None:
        if result.job != self._job:
            return  # another asker's job
        self._finished(result.value if result.ok else Exception(result.error))

    def _finished(self, outcome: object) -> None:
        self._job = None
        self._format_changed()
        if isinstance(outcome, ExportResult):
            self.result = outcome
            files = "\n".join(str(p) for p in outcome.paths)
            self.result_label.setStyleSheet("")
            notes = "".join(f"\n{n[:1].upper()}{n[1:]}." for n in outcome.notes)
            verified = self.tr(
                "Exported and verified.\nLargest difference from the model here: "
                "{difference} (tolerance {tolerance})."
            ).format(difference=f"{outcome.max_abs_diff:.2e}", tolerance=f"{outcome.tolerance:.0e}")
            self.result_label.setText(f"{verified}{notes}\n{files}")
        else:
            self._show_error(outcome if isinstance(outcome, Exception) else Exception(outcome))
        self.export_finished.emit(outcome)

    def _show_error(self, exc: Exception) -> None:
        from netbuilder.export import VerificationError

        self.error = exc
        title = (
            self.tr("Verification failed")
            if isinstance(exc, VerificationError)
            else self.tr("Cannot export")
        )
        self.result_label.setStyleSheet("color: #c0392b;")
        self.result_label.setText(f"{title}: {exc}")

    def wait(self, timeout: float = 120.0) -> None:
        """Block until a running export ends (closing the window, tests)."""
        if self._job is not None:
            BackgroundJobs.shared().wait(self._job, timeout)

    def done(self, code: int) -> None:  # closing while exporting: let the thread finish
        self.wait()
        super().done(code)


def install_export_actions(
    window: Any, get_session: Callable[[], Any], menu: Any = None
) -> QAction:
    """Add "Trained Model…" to ``window.export_menu`` (or ``menu``) and return the action.

    The action is enabled while the session holds trained weights; ``get_session`` is called
    each time so the window may swap sessions. Nothing here imports the main window.
    """
    target_menu = menu if menu is not None else window.export_menu
    action = QAction(
        QCoreApplication.translate("MainWindow", "Trained Model (.pt2, ONNX, Python)…"), window
    )
    action.setObjectName("act_export_trained")
    action.setStatusTip(
        QCoreApplication.translate(
            "ExportDialog", "Export the trained network for use without NetBuilder"
        )
    )

    def refresh() -> None:
        session = get_session()
        action.setEnabled(getattr(session, "state_dict", None) is not None)

    def open_dialog() -> None:
        dialog = dialog_for_session(get_session(), window)
        if dialog is not None:
            dialog.exec()
            dialog.deleteLater()

    target_menu.addSeparator()
    target_menu.addAction(action)
    target_menu.aboutToShow.connect(refresh)
    session = get_session()
    if hasattr(session, "weights_changed"):
        session.weights_changed.connect(refresh)
    action.triggered.connect(lambda _checked=False: open_dialog())
    refresh()
    return action


def dialog_for_session(session: Any, parent: QWidget | None = None) -> ExportDialog | None:
    """An ``ExportDialog`` for the session's diagram and weights (None without weights)."""
    if getattr(session, "state_dict", None) is None:
        return None
    checkpoint = getattr(session, "checkpoint", None)
    diagram = session.diagram.copy()  # edits made while exporting do not reach the worker
    return ExportDialog(
        diagram,
        lambda: trained_model_for(_Frozen(diagram, session.state_dict)),
        getattr(session, "path", None),
        list(getattr(checkpoint, "classes", None) or []),
        parent,
        checkpoint=_usable_checkpoint(checkpoint),
    )


def _usable_checkpoint(checkpoint: Any) -> Any:
    """The session's checkpoint, or None when it lacks what reloading its data needs."""
    if checkpoint is None or not hasattr(checkpoint, "training"):
        return None
    if getattr(checkpoint, "diagram", None) is None:
        return None
    return checkpoint


class _Frozen:
    """The session's diagram and weights as they were when the dialog opened."""

    def __init__(self, diagram: Any, state_dict: Any) -> None:
        self.diagram = diagram
        self.state_dict = state_dict
