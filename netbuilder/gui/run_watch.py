"""File > Watch Run…: follow a run's ``events.jsonl`` and feed its curves to the training panel.

A watched run — a ``netbuilder train`` in a terminal, a torchrun job on a cluster whose disk
is mounted here, a run that finished yesterday — reaches the training workspace through the
same door as a local run: ``RunWatcher.events`` carries lists of the trainer's own event
records (``StepEvent``, ``EpochEvent``, ``StatusEvent``, ``FailedEvent``), at most
``MAX_UPDATES_PER_S`` times a second, exactly like ``TrainingRunner.events``. Whatever draws a
local run's curves draws a watched one's; nothing here knows how the curves are drawn.

How it plugs into the workspace (``watch_in_panel``): the panel starts a fresh run in its
curves (``panel.curves.begin_run()``), logs where the run comes from, and connects
``watcher.events`` to ``panel._on_events`` — the slot ``TrainingRunner.events`` feeds. When
the run's last record arrives (``RunWatcher.ended``) and it saved a checkpoint, the window
offers to open it (``FileActions.open``). Reading happens on the GUI thread in small pieces
(``READ_BYTES_PER_TICK``), never blocking it for a long parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from netbuilder.gui.i18n import counted, status_text
from netbuilder.gui.worker import DRAIN_INTERVAL_MS
from netbuilder.train.runlog import EVENTS_FILE, EventFollower, RunEnded, RunStarted

#: Bytes read per timer tick: ~2000 step lines, parsed in a few milliseconds.
READ_BYTES_PER_TICK = 256 * 1024


class RunWatcher(QObject):
    """Polls a run folder's events file on a timer; emits what a ``TrainingRunner`` emits.

    Signals (GUI thread): ``started(RunStarted)`` for each run that begins in the file
    (again if a new run replaces it), ``events(list)`` with trainer events, ``ended(RunEnded)``
    once the run's last line is in. A torn or corrupt line is skipped, never raised.
    """

    started = Signal(object)
    events = Signal(list)
    ended = Signal(object)

    def __init__(self, path: str | Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.follower = EventFollower(path)
        self.path = self.follower.path
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        self._timer.start()
        self.poll()

    def stop(self) -> None:
        self._timer.stop()

    def is_watching(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def poll(self) -> list[Any]:
        """Read what was added since the last tick and emit it; returns the records."""
        records = self.follower.poll(READ_BYTES_PER_TICK)
        batch: list[Any] = []
        for record in records:
            if isinstance(record, RunStarted):
                self._flush(batch)
                self.started.emit(record)
            elif isinstance(record, RunEnded):
                self._flush(batch)
                self.ended.emit(record)
            else:
                batch.append(record)
        self._flush(batch)
        return records

    def _flush(self, batch: list[Any]) -> None:
        if batch:
            self.events.emit(list(batch))
            batch.clear()


def watch_in_panel(panel: Any, path: str | Path, on_checkpoint: Any = None) -> RunWatcher:
    """Stream the run at ``path`` into ``panel`` (a ``TrainingWorkspace``) like a local run.

    ``on_checkpoint(path)`` is called when the run ends having saved a checkpoint. The
    watcher is a child of the panel: it ends with it, or when a new watch replaces it.
    """
    previous = getattr(panel, "run_watcher", None)
    if previous is not None:
        previous.stop()
        previous.deleteLater()
    watcher = RunWatcher(path, panel)
    panel.run_watcher = watcher

    def begin(start: RunStarted) -> None:
        panel.curves.begin_run()
        panel.step_events_seen = 0
        ranks = counted().on_processes(start.world_size) if start.world_size > 1 else ""
        watching = QCoreApplication.translate("RunWatch", "watching {folder}: {diagram}").format(
            folder=watcher.path.parent, diagram=Path(start.diagram).name
        )
        panel._log(f"— {watching}{ranks}")

    def end(ended: RunEnded) -> None:
        watcher.stop()
        saved = (
            QCoreApplication.translate("RunWatch", "saved {path}").format(path=ended.checkpoint)
            if ended.checkpoint
            else QCoreApplication.translate("RunWatch", "nothing saved")
        )
        status = QCoreApplication.translate("RunWatch", "watched run {status}").format(
            status=status_text(ended.status)
        )
        panel._log(f"{status}; {saved}")
        if ended.error:
            panel._log(ended.error)
        if ended.checkpoint and on_checkpoint is not None:
            on_checkpoint(Path(ended.checkpoint))

    watcher.started.connect(begin)
    watcher.events.connect(panel._on_events)
    watcher.ended.connect(end)
    watcher.start()
    return watcher


def install_watch_action(window: Any, menu: Any) -> QAction:
    """Add "Watch Run…" to ``menu``; the watched run's curves go to ``window.training_panel``."""
    action = QAction(QCoreApplication.translate("RunWatch", "&Watch Run…"), window)
    action.setObjectName("act_watch_run")
    action.setStatusTip(
        QCoreApplication.translate(
            "RunWatch",
            "Follow the curves of a run started elsewhere (a terminal, torchrun, a cluster): "
            "choose its MODEL.pt.run folder",
        )
    )

    def choose() -> None:
        folder = QFileDialog.getExistingDirectory(
            window, QCoreApplication.translate("RunWatch", "Watch a run folder (MODEL.pt.run)")
        )
        if folder:
            watch_folder(window, Path(folder))

    action.triggered.connect(choose)
    menu.addAction(action)
    return action


def watch_folder(window: Any, folder: Path) -> RunWatcher | None:
    """Watch ``folder`` in ``window``'s training panel; None (after saying why) if it can't."""
    panel = window.training_panel
    if panel.is_running():
        QMessageBox.information(
            window,
            QCoreApplication.translate("RunWatch", "Watch Run"),
            QCoreApplication.translate(
                "RunWatch", "A training run is in progress here; stop it first."
            ),
        )
        return None
    if not (folder / EVENTS_FILE).exists() and not folder.name.endswith(".jsonl"):
        QMessageBox.information(
            window,
            QCoreApplication.translate("RunWatch", "Watch Run"),
            QCoreApplication.translate(
                "RunWatch",
                "{folder} holds no {events} yet; choose the MODEL.pt.run folder that "
                "'netbuilder train' writes beside its checkpoint. Watching it anyway: the "
                "curves appear when the run starts.",
            ).format(folder=folder, events=EVENTS_FILE),
        )
    window.show_workspace("training")  # the curves are in the Training workspace
    return watch_in_panel(panel, folder, lambda path: offer_checkpoint(window, path))


def offer_checkpoint(window: QWidget, path: Path) -> bool:
    """Ask whether to open the finished run's checkpoint; open it if yes."""
    if not path.exists():
        return False
    answer = QMessageBox.question(
        window,
        QCoreApplication.translate("RunWatch", "Run finished"),
        QCoreApplication.translate("RunWatch", "The watched run saved {file}. Open it?").format(
            file=path.name
        ),
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
    )
    if answer != QMessageBox.StandardButton.Open:
        return False
    return bool(window.files.open(path))  # type: ignore[attr-defined]
