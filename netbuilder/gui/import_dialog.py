"""File > Import… and File > Export > Mermaid…: bring networks in, write them as charts.

Importing a ``.py`` runs the user's code, so that choice goes through a dialog that says
so (and asks for the class, its arguments and the input size) before anything runs. The
import itself is ``netbuilder.importers.import_path`` (Qt-free); it runs on a worker thread
of the app's ``BackgroundJobs`` while a progress dialog (with Cancel) keeps the window
responsive. Only a complete, verified result replaces the canvas (after the usual save
question), as an unsaved diagram whose weights the window asks about on close. A failed
import shows every problem with its node or line and leaves the current diagram untouched;
a cancelled one is dropped when its thread ends (Python cannot stop the thread itself).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEventLoop,
    QObject,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.files import FileActions, FileHost
from netbuilder.gui.i18n import counted
from netbuilder.gui.worker import BackgroundJobs, JobResult

if TYPE_CHECKING:
    from netbuilder.importers import ImportResult


class ImportHost(FileHost, Protocol):
    """What the import verbs need of their window (``gui.main_window.MainWindow`` is one).

    A protocol, not an import of the main window, which imports this module: no cycle.
    """

    files: FileActions


IMPORT_FILTER = QT_TRANSLATE_NOOP(
    "ImportActions",
    "Networks (*.py *.pt2 *.onnx *.mmd *.mermaid *.md);;PyTorch module (*.py);;"
    "torch.export program (*.pt2);;ONNX model (*.onnx);;Mermaid flowchart (*.mmd *.mermaid *.md);;"
    "All files (*)",
)
RUNS_CODE = QT_TRANSLATE_NOOP(
    "ModuleImportDialog",
    "Importing a Python file <b>runs its code</b> (the file, the class's constructor and "
    "its forward pass) with your permissions. Only import code you trust.",
)


class ModuleImportDialog(QDialog):
    """Class name, constructor arguments and input size for ``model.py``; warns first."""

    def __init__(self, path: Path, parent: QWidget | None = None, subblocks: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import {file}").format(file=path.name))
        layout = QVBoxLayout(self)
        warning = QLabel(self.tr(RUNS_CODE), self)
        warning.setObjectName("runs_code_warning")
        warning.setWordWrap(True)
        layout.addWidget(warning)
        form = QFormLayout()
        # the file's nn.Module classes, read without running it; the last one defined is
        # usually the whole model. Any other name can still be typed.
        from netbuilder.importers.user_code import module_classes

        self.class_choice = QComboBox(self)
        self.class_choice.setObjectName("import_class")
        self.class_choice.setEditable(True)
        self.class_choice.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        classes = module_classes(path)
        self.class_choice.addItems(classes)
        self.class_choice.setCurrentIndex(len(classes) - 1)
        self.class_name = self.class_choice.lineEdit()
        self.class_name.setPlaceholderText("Net")
        self.args = QLineEdit(self)
        self.args.setPlaceholderText(self.tr('[] or {"num_classes": 10}  (JSON, optional)'))
        self.input_shape = QLineEdit(self)
        self.input_shape.setPlaceholderText(
            self.tr("1x3x224x224  (batch first; 1x32:long for tokens)")
        )
        form.addRow(self.tr("Class:"), self.class_choice)
        form.addRow(self.tr("Arguments:"), self.args)
        form.addRow(self.tr("Input shape:"), self.input_shape)
        layout.addLayout(form)
        self.allow_opaque = QCheckBox(
            self.tr("Keep operations without a block as marked Python ops (they need this file)"),
            self,
        )
        layout.addWidget(self.allow_opaque)
        self.subblocks = QCheckBox(
            self.tr("Make sub-blocks of repeated modules (one definition per class wired alike)"),
            self,
        )
        self.subblocks.setObjectName("import_subblocks")
        self.subblocks.setChecked(subblocks)
        layout.addWidget(self.subblocks)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Run and Import"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if not self.class_name.text().strip().isidentifier():
            QMessageBox.warning(
                self, self.tr("Import"), self.tr("Give the name of the nn.Module class to import.")
            )
            return
        self.accept()


def run_import(
    spec: str,
    args_json: str | None = None,
    input_shape: str | None = None,
    allow_opaque: bool = False,
    subblocks: bool = True,
) -> ImportResult:
    from netbuilder.importers import import_path

    return import_path(
        spec,
        args_json=args_json or None,
        input_shape=input_shape or None,
        allow_opaque=allow_opaque,
        subblocks=subblocks,
    )


SHOW_PROGRESS_AFTER_MS = 300


class _Waiter(QObject):
    """Lives on the GUI thread: receives the job's end (queued) and ends the local loop."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = QEventLoop(self)
        self.job = -1
        self.value: Any = None
        self.ended = False
        self.cancelled = False

    @Slot(object)
    def finished(self, result: JobResult[Any]) -> None:
        if result.job != self.job or self.ended:
            return
        self.value = result.value if result.ok else RuntimeError(result.error)
        self.ended = True
        self.loop.quit()

    @Slot()
    def cancel(self) -> None:
        if not self.ended:
            self.cancelled = self.ended = True
            self.loop.quit()

    def show_later(self, progress: QProgressDialog) -> Any:
        def show() -> None:
            if not self.ended:
                progress.show()

        return show


#: the Problems rows of an import's notes (``ProblemsList.set_extra`` source)
IMPORT_NOTES = "import"


class ImportActions:
    """The import and Mermaid-export verbs of one window."""

    def __init__(self, window: ImportHost) -> None:
        self.window = window
        session = getattr(window, "session", None)
        if session is not None:  # an import's notes belong to its document
            session.document_replaced.connect(lambda: self._show_notes([], ""))
        self.progress: QProgressDialog | None = None  # while an import runs
        self.act_import = QAction(QCoreApplication.translate("ImportActions", "&Import…"), window)
        self.act_import.setShortcut("Ctrl+I")
        self.act_import.setStatusTip(
            QCoreApplication.translate(
                "ImportActions",
                "Bring in a PyTorch module (runs its code), a .pt2, an ONNX model or a Mermaid "
                "chart",
            )
        )
        self.act_import.triggered.connect(lambda _c=False: self.import_dialog())
        # one choice for every import of this window (the .py dialog shows it too)
        self.act_subblocks = QAction(
            QCoreApplication.translate("ImportActions", "Import Repeated Modules as Sub-&blocks"),
            window,
        )
        self.act_subblocks.setCheckable(True)
        self.act_subblocks.setChecked(True)
        self.act_subblocks.setStatusTip(
            QCoreApplication.translate(
                "ImportActions",
                "When importing, make one sub-block definition of the calls of a module class "
                "that are wired alike (ResNet's BasicBlock); off: plain blocks only",
            )
        )
        self.act_mermaid = QAction(
            QCoreApplication.translate("ImportActions", "&Mermaid Flowchart…"), window
        )
        self.act_mermaid.setStatusTip(
            QCoreApplication.translate(
                "ImportActions", "Write the diagram as a Mermaid flowchart (graph LR)"
            )
        )
        self.act_mermaid.triggered.connect(lambda _c=False: self.export_mermaid())

    # ------------------------------------------------------------------ import
    def import_dialog(self) -> bool:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            QCoreApplication.translate("ImportActions", "Import a network"),
            self.window.files._start_dir(),
            QCoreApplication.translate("ImportActions", IMPORT_FILTER),
        )
        return bool(path) and self.import_file(Path(path))

    def import_file(self, path: Path, module: tuple[str, str, str, bool] | None = None) -> bool:
        """Import ``path``; for a ``.py``, ``module`` is (class, args JSON, input shape,
        allow Python ops) or asked for in the dialog that warns that the file's code runs.
        Sub-blocks are made as ``act_subblocks`` says (the dialog's checkbox sets it)."""
        from netbuilder.importers import ModelImportError

        spec, args_json, shape, opaque = str(path), None, None, False
        if path.suffix.lower() == ".py":
            if module is None:
                dialog = ModuleImportDialog(path, self.window, self.act_subblocks.isChecked())
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return False
                self.act_subblocks.setChecked(dialog.subblocks.isChecked())
                module = (
                    dialog.class_name.text().strip(),
                    dialog.args.text().strip(),
                    dialog.input_shape.text().strip(),
                    dialog.allow_opaque.isChecked(),
                )
            spec, args_json, shape, opaque = f"{path}:{module[0]}", *module[1:]
        grouped = self.act_subblocks.isChecked()
        result = self._in_background(
            path, lambda: run_import(spec, args_json, shape, opaque, grouped)
        )
        if result is None:
            self.window.statusBar().showMessage(
                QCoreApplication.translate("ImportActions", "Import of {file} cancelled").format(
                    file=path.name
                ),
                6000,
            )
            return False
        if isinstance(result, ModelImportError):
            self._show_problems(path, result)
            return False
        if isinstance(result, BaseException):  # an importer bug: say so, keep the window
            self._error(
                QCoreApplication.translate(
                    "ImportActions", "The import failed unexpectedly ({reason})."
                ).format(reason=f"{type(result).__name__}: {result}")
            )
            return False
        files = self.window.files
        if not files.maybe_save():
            return False
        session = self.window.session
        session.replace(result.diagram, None, f"{path.stem}.nbd")
        if result.state_dict is not None:
            session.set_weights(result.state_dict)  # unsaved until Save Trained Model
        self.window.after_load()
        text = counted().imported_blocks(len(result.diagram.nodes)).format(file=path.name)
        if result.max_abs_diff is not None:
            text += QCoreApplication.translate(
                "ImportActions", "; outputs match the original (largest difference {difference})"
            ).format(difference=f"{result.max_abs_diff:.1e}")
        if result.definitions:
            text += QCoreApplication.translate(
                "ImportActions",
                "; {definitions} sub-block definition(s) made from repeated modules, "
                "{uses} use(s): {which}",
            ).format(
                definitions=result.definitions,
                uses=result.uses,
                which=result.subblock_summary(),
            )
        if result.notes:
            text += ". " + " ".join(result.notes)
        self.window.statusBar().showMessage(text, 12000)
        # what the import could not do stays in view in Problems (the status line is
        # short and goes), until another document replaces this one
        self._show_notes(result.notes, path.name)
        return True

    def _show_notes(self, notes: list[str], file: str) -> None:
        problems = getattr(self.window, "problems", None)
        if problems is None:
            return
        tip = QCoreApplication.translate("ImportActions", "From the import of {file}").format(
            file=file
        )
        problems.set_extra(IMPORT_NOTES, [("", note, tip) for note in notes])

    def _in_background(self, path: Path, work: Any) -> Any:
        """Run ``work`` on a worker thread behind a progress dialog; its result, the
        exception it raised, or None when the user cancelled (the late result is dropped).

        A local event loop waits, so the window keeps painting and the caller still gets
        the outcome in order; the dialog shows only after a moment, so quick imports of a
        chart do not flash it.
        """

        def guarded() -> Any:
            try:
                return work()
            except Exception as exc:  # kept whole: ModelImportError carries the node list
                return exc

        waiter = _Waiter()
        self.progress = QProgressDialog(
            QCoreApplication.translate(
                "ImportActions",
                "Importing {file}: reading it, mapping each node to a block and checking "
                "the outputs against the original…",
            ).format(file=path.name),
            QCoreApplication.translate("ImportActions", "Cancel"),
            0,
            0,
            self.window,
        )
        progress = self.progress
        progress.setObjectName("import_progress")
        progress.setWindowTitle(QCoreApplication.translate("ImportActions", "Import"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setMinimumDuration(0)
        progress.hide()
        progress.canceled.connect(waiter.cancel)
        jobs = BackgroundJobs.shared()
        jobs.finished.connect(waiter.finished)
        waiter.job = jobs.submit(guarded, "import")
        QTimer.singleShot(SHOW_PROGRESS_AFTER_MS, waiter.show_later(progress))
        if not waiter.ended:
            waiter.loop.exec()
        jobs.finished.disconnect(waiter.finished)
        progress.close()
        progress.deleteLater()
        self.progress = None
        return waiter.value if not waiter.cancelled else None

    def _show_problems(self, path: Path, exc: object) -> None:
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(QCoreApplication.translate("ImportActions", "Cannot import"))
        summary = getattr(exc, "summary", str(exc))
        problems = getattr(exc, "problems", [])
        box.setText(
            QCoreApplication.translate(
                "ImportActions", "{file} cannot be imported: {reason}"
            ).format(file=path.name, reason=summary)
        )
        if problems:
            shown = "\n".join(f"• {p}" for p in problems[:5])
            extra = len(problems) - 5
            more = (
                "\n"
                + QCoreApplication.translate(
                    "ImportActions", "… and {count} more (see the details)"
                ).format(count=extra)
                if extra > 0
                else ""
            )
            box.setInformativeText(shown + more)
            box.setDetailedText("\n".join(str(p) for p in problems))
        box.setObjectName("import_problems")
        box.exec()

    def _error(self, text: str) -> None:
        QMessageBox.warning(
            self.window, QCoreApplication.translate("ImportActions", "Cannot import"), text
        )

    # ------------------------------------------------------------------ export
    def export_mermaid(self, path: Path | None = None) -> bool:
        from netbuilder.core.io import DiagramFileError, write_text_atomic
        from netbuilder.importers.mermaid import to_mermaid

        session = self.window.session
        if path is None:
            stem = Path(session.display_name).stem or "diagram"
            start = str(Path(self.window.files._start_dir()) / f"{stem}.mmd")
            chosen, _ = QFileDialog.getSaveFileName(
                self.window,
                QCoreApplication.translate("ImportActions", "Export Mermaid flowchart"),
                start,
                "Mermaid (*.mmd *.md)",
            )
            if not chosen:
                return False
            path = Path(chosen if Path(chosen).suffix else f"{chosen}.mmd")
        session.recheck_if_stale()
        text = to_mermaid(session.diagram, "LR", session.analysis)
        if path.suffix.lower() == ".md":
            text = f"```mermaid\n{text}```\n"
        try:
            write_text_atomic(path, text)
        except DiagramFileError as exc:
            QMessageBox.warning(
                self.window, QCoreApplication.translate("ImportActions", "Cannot export"), str(exc)
            )
            return False
        self.window.statusBar().showMessage(
            QCoreApplication.translate("ImportActions", "Exported {path}").format(path=path), 4000
        )
        return True
