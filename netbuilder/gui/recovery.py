"""Crash recovery: a killed process or a crash never loses more than ~30 s of drawing.

While a window's diagram has unsaved changes, its ``Autosaver`` writes it to
``<AppLocalDataLocation>/recovery/<key>.nbd`` (a normal diagram file, written atomically)
plus ``<key>.json`` (original path, display name, time, NetBuilder version), and holds
``<key>.lock`` — a ``QLockFile`` — for as long as the entry exists. Saving, undoing back to
the saved state, New/Open and a normal close remove the entry again.

At start-up (``offer_recovery``) every entry whose lock can be taken belongs to a process
that is gone (Qt writes the owner's pid into the lock and treats a dead pid as stale), so
it is offered once: Recover, Discard or Later. Entries of another running NetBuilder are
locked and left alone. Unreadable entries are moved to ``recovery/corrupt`` and named in
the status bar: start-up never fails because of them.

Writing runs on the GUI thread: serialising and writing a 500-block diagram takes about
10 ms (fsync included), well below what a user notices, and keeps the ordering of writes
and removals trivial. Failures (disk full, read-only folder) are shown once in the status
bar, never as a dialog and never as an exception into Qt.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from netbuilder import __version__
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import DiagramFileError, load, save, write_text_atomic
from netbuilder.gui.i18n import counted
from netbuilder.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

if TYPE_CHECKING:
    from netbuilder.gui.session import Session

log = logging.getLogger(__name__)


class MainWindow(Protocol):
    """What recovery needs of a window (``gui.main_window.MainWindow`` is one).

    A protocol rather than an import: the main window imports this module for its
    ``Autosaver``, and importing it back would make a cycle.
    """

    session: Session
    autosave: Autosaver

    def statusBar(self) -> QStatusBar: ...

    def after_load(self) -> None: ...


FIRST_DELAY_MS = 5_000  # a fresh drawing is covered soon after its first edit
INTERVAL_MS = 30_000  # then at most this much work is at risk
RECOVERED_SUFFIX = " (recovered)"
SIDECAR_FORMAT = "netbuilder-recovery"


def recovery_dir() -> Path:
    """Where entries live (tests replace this function to isolate themselves)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base) / "recovery"


def _lock(path: Path) -> QLockFile:
    """A lock that is stale only when its owner is dead, however long it has been held.

    Qt's default also calls a lock stale after 30 s, which would let a second NetBuilder
    take over the entries of one that is still running.
    """
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)
    return lock


# ---------------------------------------------------------------------- writing
class Autosaver(QObject):
    """Keeps one window's recovery entry in step with its session's unsaved changes."""

    def __init__(self, session: Session, report: Callable[[str], None], parent: QObject) -> None:
        super().__init__(parent)
        self.session = session
        self._report = report
        self._key: str | None = None  # the entry of the current unsaved period
        self._lock: QLockFile | None = None
        self._pending = False  # changed since the last write
        self._weights_pending = False  # trained weights changed since the last write
        self._failure_shown = False
        self._closed = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.write_if_due)
        session.diagram.changed.connect(self._on_change)
        session.undo_stack.cleanChanged.connect(self._on_clean_changed)
        session.file_changed.connect(self._schedule)
        session.weights_changed.connect(self._on_weights_changed)

    # ------------------------------------------------------------------ paths
    @property
    def key(self) -> str | None:
        return self._key

    def paths(self) -> tuple[Path, Path, Path] | None:
        """The entry's diagram, sidecar and lock files, or None while there is no entry."""
        return _entry_paths(recovery_dir(), self._key) if self._key else None

    # ------------------------------------------------------------------ scheduling
    def _needs_entry(self) -> bool:
        """Unsaved work: diagram changes, or weights trained here and not yet in a .pt."""
        s = self.session
        return s.modified or (s.weights_unsaved and s.state_dict is not None)

    def _on_weights_changed(self) -> None:
        # a finished run is minutes or hours of work: written soon, like a first edit
        self._weights_pending = True
        self._pending = True
        self._schedule()

    def _on_change(self, _event: object = None) -> None:
        self._pending = True
        self._schedule()

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self._schedule()
        else:
            self._on_change()

    def _schedule(self) -> None:
        """Clean: no entry. Unsaved and changed since the last write: a write is due."""
        if self._closed:
            return
        if not self._needs_entry():
            self.timer.stop()
            self._pending = False
            self._weights_pending = False
            self.discard()
        elif self._pending and not self.timer.isActive():
            self.timer.start(FIRST_DELAY_MS if self._key is None else INTERVAL_MS)

    def write_if_due(self) -> None:
        """The timer's slot: write if there is something new, then plan the next write."""
        try:
            if self._needs_entry() and self._pending:
                self.write_now()
        except Exception:  # never into Qt's event loop
            log.exception("autosave failed")
        self._schedule()  # a failed write is retried later

    # ------------------------------------------------------------------ files
    def write_now(self) -> bool:
        """Write the entry now; False (reported once in the status bar) if that failed."""
        folder = recovery_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if self._lock is None:
                key = uuid.uuid4().hex
                lock = _lock(folder / f"{key}.lock")
                if not lock.tryLock(0):
                    raise OSError(f"cannot lock {folder} ({lock.error().name})")
                self._key, self._lock = key, lock
            nbd, meta, _ = _entry_paths(folder, self._key)
            save(self.session.diagram, nbd)
            if self._weights_pending:  # only when they changed: a .pt can be large
                self._write_weights(folder / f"{self._key}.pt")
            write_text_atomic(meta, json.dumps(self._sidecar(), indent=2) + "\n")
        except (OSError, DiagramFileError, CheckpointError) as exc:
            self._failed(self.tr("Autosave for crash recovery failed: {reason}").format(reason=exc))
            return False
        self._pending = False
        self._failure_shown = False
        return True

    def _write_weights(self, path: Path) -> None:
        """The unsaved trained weights as a checkpoint beside the diagram, or no file."""
        s = self.session
        if s.weights_unsaved and s.state_dict is not None:
            ckpt = s.checkpoint
            save_checkpoint(
                path,
                getattr(ckpt, "diagram", None) or s.diagram,
                s.state_dict,
                getattr(ckpt, "training", None) or s.diagram.training,
                getattr(ckpt, "metrics", None),
                getattr(ckpt, "classes", None),
                getattr(ckpt, "optimizer_state", None),
                getattr(ckpt, "best_epoch", None),
                pipeline=getattr(ckpt, "pipeline", None),
                runs=s.runs.to_list(),
            )
        else:
            path.unlink(missing_ok=True)
        self._weights_pending = False

    def _sidecar(self) -> dict[str, Any]:
        s = self.session
        original = s.path or s.suggested_path
        return {
            "format": SIDECAR_FORMAT,
            "original_path": str(original) if original else None,
            "display_name": s.display_name,
            "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "netbuilder_version": __version__,
        }

    def _failed(self, text: str) -> None:
        log.warning(text)
        if not self._failure_shown:
            self._failure_shown = True
            self._report(text)

    def discard(self) -> None:
        """Remove the entry (files first, then the lock) and start afresh next time."""
        if self._key is None:
            return
        nbd, meta, _ = _entry_paths(recovery_dir(), self._key)
        for path in (nbd, nbd.with_suffix(".pt"), meta):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("cannot remove %s: %s", path, exc)
        if self._lock is not None:
            self._lock.unlock()
        self._key, self._lock = None, None

    def close(self) -> None:
        """The window closed normally: remove the entry and never write again."""
        self.timer.stop()
        self.discard()
        self._closed = True
        self.session.diagram.changed.disconnect(self._on_change)


def _entry_paths(folder: Path, key: str) -> tuple[Path, Path, Path]:
    return folder / f"{key}.nbd", folder / f"{key}.json", folder / f"{key}.lock"


# ---------------------------------------------------------------------- finding
@dataclass
class Orphan:
    """An entry whose owner is gone; we hold its lock while deciding what to do with it."""

    key: str
    folder: Path
    lock: QLockFile
    meta: dict[str, Any] = field(default_factory=dict)
    diagram: Diagram | None = None

    @property
    def nbd(self) -> Path:
        return self.folder / f"{self.key}.nbd"

    @property
    def sidecar(self) -> Path:
        return self.folder / f"{self.key}.json"

    @property
    def weights(self) -> Path:
        """Trained weights that were not saved yet, as a checkpoint (may not exist)."""
        return self.folder / f"{self.key}.pt"

    @property
    def name(self) -> str:
        """What the user called it: the file name, or Untitled."""
        name = self.meta.get("display_name")
        if not isinstance(name, str) or not name:
            name = QCoreApplication.translate("Session", "Untitled")
        suffixes = {RECOVERED_SUFFIX, recovered_suffix()}  # named in any language
        while suffix := next((s for s in suffixes if name.endswith(s)), ""):
            name = name[: -len(suffix)]  # a recovered diagram that crashed again
        return name

    @property
    def original_path(self) -> Path | None:
        value = self.meta.get("original_path")
        return Path(value) if isinstance(value, str) and value else None

    def remove(self) -> None:
        """Delete the entry's files, then give up its lock (which deletes the lock file)."""
        for path in (self.nbd, self.weights, self.sidecar):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("cannot remove %s: %s", path, exc)
        self.release()

    def release(self) -> None:
        """Keep the files for another time; another process may now take them."""
        self.lock.unlock()

    def move_aside(self) -> Path:
        """Move unreadable files to ``recovery/corrupt`` for a human to look at."""
        target = self.folder / "corrupt"
        target.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for path in (self.nbd, self.weights, self.sidecar):
            if path.exists():
                shutil.move(str(path), str(target / f"{stamp}-{path.name}"))
        self.release()
        return target


def find_orphans(folder: Path | None = None) -> list[Orphan]:
    """Entries of dead owners (lock stale or missing), now locked by us, oldest first."""
    folder = folder or recovery_dir()
    if not folder.is_dir():
        return []
    keys = sorted({p.stem for p in folder.iterdir() if p.suffix in (".nbd", ".json")})
    orphans = []
    for key in keys:
        lock = _lock(folder / f"{key}.lock")
        if lock.tryLock(0):  # stale (owner dead) or absent: ours now
            orphans.append(Orphan(key, folder, lock))
    orphans.sort(key=lambda o: _mtime(o.nbd))
    return orphans


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def read_orphans(orphans: list[Orphan]) -> tuple[list[Orphan], list[str]]:
    """Load each orphan; returns the readable ones and the names of those moved aside.

    An entry with a sidecar but no diagram is what an interrupted clean-up leaves: it holds
    nothing to recover and is simply removed.
    """
    good: list[Orphan] = []
    bad: list[str] = []
    for orphan in orphans:
        orphan.meta = _read_sidecar(orphan.sidecar)
        if not orphan.nbd.exists():
            orphan.remove()
            continue
        try:
            orphan.diagram = load(orphan.nbd)
        except (DiagramFileError, OSError) as exc:
            log.warning("unreadable recovery entry %s: %s", orphan.nbd, exc)
            bad.append(f"{orphan.name} ({orphan.nbd.name})")
            try:
                orphan.move_aside()
            except OSError as move_exc:
                log.warning("cannot move %s aside: %s", orphan.nbd, move_exc)
                orphan.release()
            continue
        good.append(orphan)
    return good, bad


def _read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar's fields, or none: the diagram alone is enough to recover."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


# ---------------------------------------------------------------------- offering
def recovered_suffix() -> str:
    """`` (recovered)`` in the interface's language, after a recovered diagram's name."""
    return QCoreApplication.translate("Recovery", " (recovered)")


RECOVER, DISCARD, LATER = "recover", "discard", "later"


def ask_to_recover(parent: QWidget, orphans: list[Orphan]) -> str:
    """Ask once: RECOVER, DISCARD or LATER (Escape and closing the box mean Later)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(QCoreApplication.translate("Recovery", "Recover unsaved work"))
    box.setText(counted().recover_diagrams(len(orphans)))
    box.setInformativeText("\n".join(_describe(o) for o in orphans))
    recover = box.addButton(
        QCoreApplication.translate("Recovery", "Recover"), QMessageBox.ButtonRole.AcceptRole
    )
    discard = box.addButton(
        QCoreApplication.translate("Recovery", "Discard"), QMessageBox.ButtonRole.DestructiveRole
    )
    later = box.addButton(
        QCoreApplication.translate("Recovery", "Later"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(recover)
    box.setEscapeButton(later)
    box.exec()
    clicked = box.clickedButton()
    return RECOVER if clicked is recover else DISCARD if clicked is discard else LATER


def _describe(orphan: Orphan) -> str:
    when = orphan.meta.get("saved_at")
    if not isinstance(when, str):
        return orphan.name
    return QCoreApplication.translate("Recovery", "{name} (autosaved {when})").format(
        name=orphan.name, when=when
    )


def offer_recovery(window: MainWindow) -> list[MainWindow]:
    """Offer the entries of crashed NetBuilders; returns the extra windows it opened.

    Called once when the app starts. Nothing here may stop start-up: every error is logged
    and at worst the entries stay on disk for next time.
    """
    try:
        orphans, bad = read_orphans(find_orphans())
    except Exception:
        log.exception("looking for recovery entries failed")
        return []
    if bad:
        window.statusBar().showMessage(
            QCoreApplication.translate(
                "Recovery", "Could not read autosaved {names}: moved to {folder}"
            ).format(names=", ".join(bad), folder=recovery_dir() / "corrupt"),
            15000,
        )
    if not orphans:
        return []
    choice = ask_to_recover(window, orphans)
    if choice == DISCARD:
        for orphan in orphans:
            orphan.remove()
        return []
    if choice != RECOVER:
        for orphan in orphans:
            orphan.release()
        return []
    return recover(window, orphans)


def recover(window: MainWindow, orphans: list[Orphan]) -> list[MainWindow]:
    """Open each orphan as an unsaved diagram: in ``window`` if it is empty, else in new ones."""
    extra: list[MainWindow] = []
    for orphan in orphans:
        try:
            target = window if _is_empty(window) else _new_window(window, len(extra) + 1)
            if target is not window:
                extra.append(target)
            _open_in(target, orphan)
        except Exception:  # keep the files for next time rather than stop start-up
            log.exception("cannot open recovered %s", orphan.nbd)
            orphan.release()
    return extra


def _open_in(target: MainWindow, orphan: Orphan) -> None:
    assert orphan.diagram is not None
    target.session.replace(orphan.diagram, None, orphan.name + recovered_suffix())
    target.session.mark_recovered(orphan.original_path)
    if orphan.weights.exists():
        try:
            ckpt = load_checkpoint(orphan.weights)
            target.session.recover_weights(ckpt)  # unsaved again, offered on close
        except CheckpointError as exc:  # the diagram alone is still worth having
            log.warning("unreadable recovered weights %s: %s", orphan.weights, exc)
            target.statusBar().showMessage(
                QCoreApplication.translate(
                    "Recovery", "The autosaved trained weights were unreadable: {reason}"
                ).format(reason=exc)
            )
    target.after_load()
    # the copy is safe in this window's own entry before the old one goes
    if target.autosave.write_now():
        orphan.remove()
    else:
        orphan.release()


def _is_empty(window: MainWindow) -> bool:
    s = window.session
    return not s.diagram.nodes and not s.modified and s.path is None


#: Windows opened for recovered diagrams, kept alive here until they close.
_windows: list[MainWindow] = []


def _new_window(beside: MainWindow, offset: int) -> MainWindow:
    """A top-level window like the first one, cascaded so that both can be seen."""
    win: Any = type(beside)()
    win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    pos = beside.pos()  # type: ignore[attr-defined]
    win.move(pos.x() + 40 * offset, pos.y() + 40 * offset)
    _windows.append(win)
    win.destroyed.connect(lambda _obj=None, w=win: _forget(w))
    win.show()
    return win


def _forget(window: MainWindow) -> None:
    if window in _windows:
        _windows.remove(window)
