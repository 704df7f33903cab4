"""A short diagnostic run (learning-rate finder, overfit one batch) off the GUI thread.

The run goes through the app's one mechanism for background work (``BackgroundJobs``).
Its progress callback runs on the worker thread and only appends to a ``deque``; a QTimer
on the GUI thread drains it at most ``MAX_UPDATES_PER_S`` times a second and emits one
``progress`` signal per tick, like the training runner. Cancel sets a ``threading.Event``
the run checks every step. ``finished`` brings the value, or the one-line error.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from netbuilder.gui.worker import DRAIN_INTERVAL_MS, BackgroundJobs, JobResult, gui_training_threads

#: work(report, stop) -> value; ``report(item)`` may be called from the worker thread.
Work = Callable[[Callable[[Any], None], threading.Event], Any]


class ProbeJob(QObject):
    """One diagnostic run at a time; ``progress(list)`` and ``finished(JobResult)``."""

    progress = Signal(list)
    finished = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job: int | None = None
        self.stop_event = threading.Event()
        self._buffer: deque[Any] = deque()
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self.drain)
        BackgroundJobs.shared().finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start(self, work: Work, name: str) -> bool:
        if self.job is not None:
            return False
        self.stop_event = stop = threading.Event()
        buffer = self._buffer = deque()
        threads = gui_training_threads()

        def run() -> Any:
            import torch

            before = torch.get_num_threads()
            torch.set_num_threads(threads)  # one core stays free for the window
            try:
                return work(buffer.append, stop)
            finally:
                torch.set_num_threads(before)

        self.job = BackgroundJobs.shared().submit(run, name)
        self._timer.start()
        return True

    def cancel(self) -> None:
        """Ask the run to stop after its current step; ``finished`` follows with what it has."""
        self.stop_event.set()

    def drain(self) -> None:
        batch: list[Any] = []
        while self._buffer:
            batch.append(self._buffer.popleft())
        if batch:
            self.progress.emit(batch)

    def _on_finished(self, result: JobResult) -> None:
        if result.job != self.job:
            return
        self._timer.stop()
        self.drain()
        self.job = None
        self.finished.emit(result)

    def wait(self, timeout: float = 120.0) -> bool:
        """Block until the run's thread ended (tests, closing)."""
        return BackgroundJobs.shared().wait(self.job, timeout) if self.job is not None else True
