"""New, Open, Save, Save As, recent files and examples: never lose the user's work.

Opening reads the whole file first; only a file that loads completely replaces the current
diagram, so a broken file leaves the window as it was and shows the reason. Saving goes
through QSaveFile (write to a temporary file, then rename), so a failed save never damages
the previous version.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QSaveFile, QSettings
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStatusBar

from netbuilder.core.diagram import Diagram
from netbuilder.core.io import DiagramFileError, dumps, load
from netbuilder.gui.session import Session

MAX_RECENT = 10


def file_filter() -> str:
    """The Open dialog's filter, in the interface's language."""
    return QCoreApplication.translate(
        "FileActions", "NetBuilder diagrams (*.nbd);;Trained models (*.pt);;All files (*)"
    )


class OpenError(Exception):
    """A file that cannot be opened; the message is shown as is."""


def read_any(path: Path) -> tuple[Diagram, dict | None, object]:
    """Load a ``.nbd`` diagram or a NetBuilder ``.pt`` checkpoint (diagram + weights)."""
    if path.suffix.lower() == ".pt":
        from netbuilder.train.checkpoint import CheckpointError, load_checkpoint

        try:
            ckpt = load_checkpoint(path)
        except CheckpointError as exc:
            raise OpenError(str(exc)) from None
        return ckpt.diagram, ckpt.state_dict, ckpt
    try:
        return load(path), None, None
    except DiagramFileError as exc:
        raise OpenError(str(exc)) from None


def write_diagram(diagram: Diagram, path: Path) -> None:
    """Atomic save through QSaveFile; raises OSError with the reason."""
    data = dumps(diagram).encode("utf-8")
    f = QSaveFile(str(path))
    if not f.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise OSError(f.errorString())
    if f.write(data) != len(data):
        f.cancelWriting()
        raise OSError(f.errorString())
    if not f.commit():
        raise OSError(f.errorString())


class FileHost(Protocol):
    """What the file verbs need of their window (``gui.main_window.MainWindow`` is one).

    A protocol, not an import of the main window, which imports this module: no cycle.
    """

    session: Session

    def statusBar(self) -> QStatusBar: ...

    def after_load(self) -> None: ...

    def rebuild_recent_menu(self) -> None: ...

    def stop_training_first(self, verb: str) -> bool: ...


class FileActions:
    """The file verbs of one window (a ``QWidget`` that is a ``FileHost``)."""

    def __init__(self, window: FileHost) -> None:
        self.window = window
        self.session = window.session

    # ------------------------------------------------------------------ asking
    def maybe_save(self) -> bool:
        """Ask before discarding unsaved changes or trained weights; False: the user cancelled."""
        return self._maybe_save_diagram() and self._maybe_save_weights()

    def _maybe_save_weights(self) -> bool:
        if not self.session.weights_unsaved or self.session.state_dict is None:
            return True
        return self._ask_save_discard_cancel(
            QCoreApplication.translate("FileActions", "Unsaved trained model"),
            QCoreApplication.translate(
                "FileActions",
                "The network trained in this window is not saved yet. Save it as a .pt "
                "checkpoint first (weights, optimizer state and metrics)?",
            ),
            self.save_trained_model,
        )

    def _maybe_save_diagram(self) -> bool:
        if not self.session.modified:
            return True
        return self._ask_save_discard_cancel(
            QCoreApplication.translate("FileActions", "Unsaved changes"),
            QCoreApplication.translate("FileActions", "Save the changes to {name} first?").format(
                name=self.session.display_name
            ),
            self.save,
        )

    def _ask_save_discard_cancel(self, title: str, text: str, save: Callable[[], bool]) -> bool:
        """Save (then ``save()`` decides), Discard (True) or Cancel (False)."""
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window, title, text, buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save
        )
        if answer == buttons.Save:
            return save()
        return answer == buttons.Discard

    def _error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    # ------------------------------------------------------------------ verbs
    def new(self) -> bool:
        if not self.window.stop_training_first("start a new diagram") or not self.maybe_save():
            return False
        self.session.replace(Diagram(), None)
        self.window.after_load()
        return True

    def open_dialog(self, folder: str | None = None) -> bool:
        start = folder or self._start_dir()
        path, _ = QFileDialog.getOpenFileName(
            self.window, QCoreApplication.translate("FileActions", "Open"), start, file_filter()
        )
        return bool(path) and self.open(Path(path))

    def open(self, path: Path, ask: bool = True, as_template: bool = False) -> bool:
        """Open ``path``; on failure show why and keep the current diagram untouched."""
        try:
            diagram, state_dict, ckpt = read_any(Path(path))
        except OpenError as exc:
            self._error(QCoreApplication.translate("FileActions", "Cannot open"), str(exc))
            return False
        if ask and not (
            self.window.stop_training_first("open another diagram") and self.maybe_save()
        ):
            return False
        path = Path(path)
        if as_template or path.suffix.lower() == ".pt":
            # examples are templates and checkpoints are not diagrams: Save asks for a name
            self.session.replace(diagram, None, path.name, state_dict, ckpt)
        else:
            self.session.replace(diagram, path.resolve())
        if not as_template:
            self.add_recent(path.resolve())
        self.window.after_load()
        return True

    def save(self) -> bool:
        if self.session.path is None:
            return self.save_as()
        return self.save_to(self.session.path)

    def save_as(self) -> bool:
        name = self.session.display_name
        start = str(Path(self._start_dir()) / (Path(name).stem + ".nbd"))
        if self.session.path is None and self.session.suggested_path is not None:
            start = str(self.session.suggested_path)  # a recovered diagram's old file
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            QCoreApplication.translate("FileActions", "Save As"),
            start,
            QCoreApplication.translate("FileActions", "NetBuilder diagrams (*.nbd)"),
        )
        if not path:
            return False
        if not path.lower().endswith(".nbd"):
            path += ".nbd"
        return self.save_to(Path(path))

    def save_trained_model(self, path: Path | None = None) -> bool:
        """Write the session's trained weights as a NetBuilder ``.pt`` (asks where if no path).

        The checkpoint embeds the diagram the weights were trained for, which may differ from
        the one on the canvas if it was edited since: the file must stay loadable.
        """
        from netbuilder.train.checkpoint import CheckpointError, save_checkpoint

        state = self.session.state_dict
        if state is None:
            return False
        if path is None:
            stem = Path(self.session.path or self.session.display_name).stem or "model"
            start = str(Path(self._start_dir()) / f"{stem}.pt")
            title = QCoreApplication.translate("FileActions", "Save Trained Model ({name})").format(
                name=self.session.model_name
            )
            chosen, _ = QFileDialog.getSaveFileName(
                self.window,
                title,
                start,
                QCoreApplication.translate("FileActions", "Trained models (*.pt)"),
            )
            if not chosen:
                return False
            path = Path(chosen if chosen.lower().endswith(".pt") else f"{chosen}.pt")
        ckpt = self.session.checkpoint
        try:
            save_checkpoint(
                path,
                getattr(ckpt, "diagram", None) or self.session.diagram,
                state,
                getattr(ckpt, "training", None) or self.session.diagram.training,
                getattr(ckpt, "metrics", None),
                getattr(ckpt, "classes", None),
                getattr(ckpt, "optimizer_state", None),
                getattr(ckpt, "best_epoch", None),
                pipeline=getattr(ckpt, "pipeline", None),
                runs=self.session.runs.to_list(),
            )
        except CheckpointError as exc:
            self._error(
                QCoreApplication.translate("FileActions", "Cannot save the trained model"), str(exc)
            )
            return False
        self.session.mark_weights_saved()
        self.add_recent(path.resolve())
        self.window.statusBar().showMessage(
            QCoreApplication.translate(
                "FileActions", "Saved the trained model ({name}) to {path}"
            ).format(name=self.session.model_name, path=path),
            6000,
        )
        return True

    def save_to(self, path: Path) -> bool:
        try:
            write_diagram(self.session.diagram, path)
        except OSError as exc:
            self._error(QCoreApplication.translate("FileActions", "Cannot save"), f"{path}: {exc}")
            return False
        self.session.mark_saved(path.resolve())
        self.add_recent(path.resolve())
        self.window.statusBar().showMessage(
            QCoreApplication.translate("FileActions", "Saved {path}").format(path=path), 4000
        )
        return True

    # ------------------------------------------------------------------ recent
    def recent(self) -> list[str]:
        value = QSettings().value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent(self, path: Path) -> None:
        files = [str(path), *[p for p in self.recent() if p != str(path)]][:MAX_RECENT]
        QSettings().setValue("recent_files", files)
        self.window.rebuild_recent_menu()

    def clear_recent(self) -> None:
        QSettings().setValue("recent_files", [])
        self.window.rebuild_recent_menu()

    def _start_dir(self) -> str:
        if self.session.path is not None:
            return str(self.session.path.parent)
        recent = self.recent()
        return str(Path(recent[0]).parent) if recent else str(Path.home())
