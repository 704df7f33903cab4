"""Training in a background QThread, reported to the GUI thread in coalesced batches.

DESIGN rule 8: the trainer never touches a widget. Its ``on_event`` callback runs on the
worker thread and only appends to a ``deque`` (append/popleft are atomic in CPython, so no
lock is needed for the hand-over). A QTimer on the GUI thread drains that buffer at most
``MAX_UPDATES_PER_S`` times a second and emits *one* ``events`` signal per tick with every
event since the last one, whatever the step rate. Pause/resume/stop set the trainer's
thread-safe flags directly instead of queueing slots on a thread that is busy training.

The diagram is copied when a run starts, so editing the canvas during training can never
change the running network: edits apply to the next run.

CPU threads: a run started from the GUI uses at most ``cores - 1`` intra-op threads, so one
core stays free for the event loop. On a 2-core machine two OpenMP threads plus the GUI
thread oversubscribe the CPU: OpenMP barriers then wait for descheduled threads, steps get
many times slower and the window stutters (measured in benchmarks/bench_gui_training.py).

The GIL: pyqtgraph paints through Python overrides, so a frame re-acquires the GIL many
times; while the trainer runs Python code between torch ops each acquisition can wait a
whole switch interval (5 ms by default). During a run the interval is lowered to 0.5 ms
(restored afterwards), which halved the p99 event-loop lateness and, for tiny models, also
sped the trainer up — without any sleep in the training loop.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from netbuilder.core.diagram import Diagram
from netbuilder.train.config import TrainConfig
from netbuilder.train.events import FailedEvent, StatusEvent

#: Upper bound on GUI updates per second (DESIGN rule 8: "at most ~30 times a second").
MAX_UPDATES_PER_S = 30
DRAIN_INTERVAL_MS = -(-1000 // MAX_UPDATES_PER_S)  # ceil: 34 ms → ≤ 29.4 drains per second
#: GIL switch interval while a run is going (see the module docstring).
TRAINING_SWITCH_INTERVAL_S = 0.0005


def gui_training_threads() -> int:
    """Intra-op threads for a run beside the GUI: all cores but one, at least one."""
    import torch

    return max(1, min(torch.get_num_threads(), (os.cpu_count() or 1) - 1))


@dataclass
class RunOutcome:
    """What a finished run hands the GUI: the trainer's result and, when possible, an evaluation.

    ``result`` is None only when the run failed before the trainer could start (bad settings,
    unreadable data, a network that does not compile); ``error`` then says why.
    """

    result: Any  # netbuilder.train.trainer.TrainResult
    evaluation: Any = None  # netbuilder.train.evaluate.Evaluation
    data: Any = None  # the DataBundle used, so the evaluation view can show samples
    diagram: Diagram | None = None  # the copy that was trained
    error: str | None = None
    node_id: str | None = None
    #: the checkpoint the run wrote itself (a multi-process run's rank 0), to act on as is
    checkpoint: Any = None  # netbuilder.train.checkpoint.Checkpoint

    @property
    def status(self) -> str:
        if self.result is not None:
            return str(self.result.status)
        return "failed"


class TrainingWorker(QObject):
    """Lives on the worker thread; ``run`` blocks there until training ends."""

    done = Signal()

    def __init__(
        self,
        diagram: Diagram,
        config: TrainConfig,
        buffer: deque[Any],
        data: Any = None,
        initial_state: dict[str, Any] | None = None,
        evaluate: bool = True,
        threads: int | None = None,
        initial_optimizer_state: dict[str, Any] | None = None,
        hooks: list[Any] | None = None,
    ) -> None:
        super().__init__()
        self.hooks = hooks or []  # train.hooks observers (gradient health, activation capture)
        self.threads = threads
        self.diagram = diagram
        self.config = config
        self.buffer = buffer
        self.data = data
        self.initial_state = initial_state
        self.initial_optimizer_state = initial_optimizer_state
        self.evaluate = evaluate
        self.outcome: RunOutcome | None = None
        self._lock = threading.Lock()
        self._trainer: Any = None
        self._stop = False
        self._paused = False
        self._last_failure: FailedEvent | None = None

    # Flags: called from the GUI thread while run() is busy on the worker thread.
    def request_stop(self) -> None:
        with self._lock:
            self._stop = True
            trainer = self._trainer
        if trainer is not None:
            trainer.stop()

    def request_pause(self, paused: bool) -> None:
        with self._lock:
            self._paused = paused
            trainer = self._trainer
        if trainer is not None:
            trainer.pause() if paused else trainer.resume()

    @Slot()
    def run(self) -> None:
        import torch

        before = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)  # here: OpenMP settings are per thread
        try:
            self.outcome = self._run()
        except Exception as exc:  # a bug, not a training failure: report it, never crash Qt
            message = f"{type(exc).__name__}: {exc}"
            self.buffer.append(
                FailedEvent(self.tr("Internal error: {reason}").format(reason=message))
            )
            traceback.print_exc()
            self.outcome = RunOutcome(None, diagram=self.diagram, error=message)
        finally:
            torch.set_num_threads(before)
            self.done.emit()

    def _run(self) -> RunOutcome:
        from netbuilder.train.trainer import Trainer

        trainer = Trainer(
            self.diagram,
            self.config,
            data=self.data,  # None: the trainer loads it (and reports a DataError as a failure)
            initial_state=self.initial_state,
            on_event=self._on_event,
            initial_optimizer_state=self.initial_optimizer_state,
            hooks=self.hooks,
        )
        with self._lock:
            self._trainer = trainer
            if self._stop:
                trainer.stop()
            elif self._paused:
                trainer.pause()
        result = trainer.run()
        data = getattr(result, "data", None) or self.data
        outcome = RunOutcome(result, data=data, diagram=self.diagram)
        failure = self._last_failure
        if result.status == "failed":
            outcome.error = result.error or (
                failure.message if failure else self.tr("training failed")
            )
            outcome.node_id = getattr(result, "node_id", None) or (
                failure.node_id if failure else None
            )
        elif self.evaluate and result.model is not None and data is not None:
            outcome.evaluation = self._evaluate(result, data)
        return outcome

    def _on_event(self, event: Any) -> None:
        """The trainer's callback, on the worker thread: buffer only, never touch widgets."""
        if isinstance(event, FailedEvent):
            self._last_failure = event
        self.buffer.append(event)

    def _evaluate(self, result: Any, data: Any) -> Any:
        """Evaluate on the validation set here, off the GUI thread, so the window stays live."""
        self.buffer.append(StatusEvent(self.tr("Evaluating on the validation set …")))
        try:
            from netbuilder.train.evaluate import evaluate

            return evaluate(result.model, data.val, result.classes, device=result.device)
        except Exception as exc:  # evaluation is a bonus: report, keep the trained model
            self.buffer.append(
                StatusEvent(
                    self.tr("Evaluation failed: {reason}").format(
                        reason=f"{type(exc).__name__}: {exc}"
                    )
                )
            )
            return None


class TrainingRunner(QObject):
    """Owns the worker thread of one run at a time and the GUI-side drain timer.

    Signals (all emitted on the GUI thread):
      ``events(list)``   — every trainer event since the previous tick, ≤ 30 per second;
      ``finished(RunOutcome)`` — once per run, after the thread has ended.
    """

    events = Signal(list)
    finished = Signal(object)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._buffer: deque[Any] = deque()
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None
        self.paused = False
        self.threads: int | None = gui_training_threads()  # None: leave torch's setting
        self.last_thread: QThread | None = None
        self._saved_switch_interval: float | None = None  # the previous run's thread, for checks
        #: makes each run's step hooks, given the event buffer's ``append`` (gui.health_view)
        self.hook_factory: Callable[[Callable[[Any], None]], list[Any]] | None = None
        self.drain_count = 0  # ticks that delivered events (benchmarks read it)
        #: called at each start for the run's TrainHooks (views that look inside add theirs)
        self.hook_factories: list[Callable[[], Any]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self.drain)

    # ------------------------------------------------------------------ control
    def is_running(self) -> bool:
        return self.thread is not None

    def start(
        self,
        diagram: Diagram,
        config: TrainConfig,
        data: Any = None,
        initial_state: dict[str, Any] | None = None,
        evaluate: bool = True,
        initial_optimizer_state: dict[str, Any] | None = None,
    ) -> Diagram:
        """Train a *copy* of ``diagram`` in a new thread; returns that copy.

        Raises RuntimeError if a run is already going (the dock disables Start meanwhile).
        """
        if self.thread is not None:
            raise RuntimeError("a training run is already in progress")
        frozen = diagram.copy()
        self._buffer.clear()
        self.paused = False
        worker = TrainingWorker(
            frozen,
            config,
            self._buffer,
            data,
            initial_state,
            evaluate,
            self.threads,
            initial_optimizer_state,
            [
                *(self.hook_factory(self._buffer.append) if self.hook_factory else []),
                *(make() for make in self.hook_factories),
            ],
        )
        thread = QThread()
        thread.setObjectName("netbuilder-training")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self.worker, self.thread = worker, thread
        self._saved_switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._saved_switch_interval, TRAINING_SWITCH_INTERVAL_S))
        thread.start()
        self._timer.start()
        self.running_changed.emit(True)
        return frozen

    def pause(self) -> None:
        if self.worker is not None:
            self.paused = True
            self.worker.request_pause(True)

    def resume(self) -> None:
        if self.worker is not None:
            self.paused = False
            self.worker.request_pause(False)

    def stop(self) -> None:
        """Ask the trainer to stop after the current step; ``finished`` follows."""
        if self.worker is not None and self.thread is not None:
            self.worker.request_stop()
            self.worker.request_pause(False)
            self.thread.requestInterruption()

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Stop and join the thread now (window closing). Returns whether it ended in time."""
        thread = self.thread
        if thread is None:
            return True
        self.stop()
        thread.quit()
        ended = thread.wait(timeout_ms)
        if ended:
            self._on_thread_finished()
        return bool(ended)

    # ------------------------------------------------------------------ GUI thread
    @Slot()
    def drain(self) -> list[Any]:
        """Hand every buffered event to the GUI in one signal (called by the timer)."""
        batch: list[Any] = []
        pop = self._buffer.popleft
        while self._buffer:
            batch.append(pop())
        if batch:
            self.drain_count += 1
            self.events.emit(batch)
        return batch

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, worker = self.thread, self.worker
        if thread is None or worker is None:
            return  # already handled (shutdown() and the queued finished signal both land here)
        thread.wait()
        self._timer.stop()
        if self._saved_switch_interval is not None:
            sys.setswitchinterval(self._saved_switch_interval)
            self._saved_switch_interval = None
        self.drain()
        self.thread = None
        self.worker = None
        self.paused = False
        outcome = worker.outcome or RunOutcome(
            None, error=self.tr("training thread ended without result")
        )
        self.last_thread = thread
        self.running_changed.emit(False)
        self.finished.emit(outcome)


T = TypeVar("T")


@dataclass(frozen=True)
class JobResult(Generic[T]):
    """What a background job gave back: its value, or ``error`` (one line) when it raised."""

    job: int
    value: T | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class BackgroundJobs(QObject):
    """The one way to run a short job off the GUI thread (dataset previews, evaluations,
    exports); training runs have their own ``TrainingRunner`` above.

    ``submit(work)`` runs ``work()`` on a worker thread and returns a job number;
    ``finished(JobResult)`` then arrives queued on the GUI thread. One instance serves the
    whole application (``shared()``) and is never deleted, so a job that outlives the
    widget that asked for it never emits on a deleted object: receivers connect to
    ``finished`` (Qt drops the connection when they are deleted) and keep the job numbers
    they are waiting for. ``work`` must not touch widgets.
    """

    finished = Signal(object)  # JobResult
    _instance: BackgroundJobs | None = None

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self._threads: dict[int, threading.Thread] = {}

    @classmethod
    def shared(cls) -> BackgroundJobs:
        """The application-wide instance (created on the GUI thread on first use)."""
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def submit(self, work: Callable[[], T], name: str = "job") -> int:
        job = next(self._ids)

        def run() -> None:
            try:
                result: JobResult[Any] = JobResult(job, work())
            except Exception as exc:  # reported to the asker in words; never kills the app
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                result = JobResult(job, None, first)
            self.finished.emit(result)

        thread = threading.Thread(target=run, name=f"netbuilder-{name}", daemon=True)
        self._threads = {k: t for k, t in self._threads.items() if t.is_alive()}
        self._threads[job] = thread
        thread.start()
        return job

    def wait_all(self, timeout: float = 30.0) -> bool:
        """Join every job still running; True when none is left. The app calls it as it
        quits: a daemon thread still inside torch while the interpreter shuts down can
        crash the process on its way out."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))
        self._threads = {k: t for k, t in self._threads.items() if t.is_alive()}
        return not self._threads

    def wait(self, job: int, timeout: float = 120.0) -> bool:
        """Block until ``job`` has ended (closing a dialog, tests); True when it has."""
        thread = self._threads.get(job)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


__all__ = [
    "DRAIN_INTERVAL_MS",
    "MAX_UPDATES_PER_S",
    "BackgroundJobs",
    "JobResult",
    "RunOutcome",
    "TrainingRunner",
    "TrainingWorker",
]
