"""A multi-process run started from the app: ``netbuilder train --nproc N`` as a child process.

The app does not train several processes itself: it saves the diagram (with the run's
settings) to a private folder, starts the very command a terminal user would type — torchrun's
standalone launch, DDP over gloo or NCCL — and watches the run's ``events.jsonl`` with a
``RunWatcher``. So the curves arrive exactly as a local run's (``events`` carries the same
lists of trainer events as ``TrainingRunner.events``) and ``finished`` carries a
``RunOutcome`` built from the checkpoint the run saved, as a local run's does.

Stop sends SIGINT to the child's whole process group, as a terminal's Ctrl-C would: torchrun's
agent then stops its ranks (each in a session of its own) with SIGTERM, every rank stops at the
same step and rank 0 saves the best finished epoch. The ranks are noted when Stop is pressed:
any still alive once the agent has ended is killed, and ``shutdown`` (window closing) kills
the whole tree if it has not ended in time, so no rank outlives the run or the app.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from netbuilder.core.diagram import Diagram
from netbuilder.gui.run_watch import RunWatcher
from netbuilder.gui.worker import RunOutcome
from netbuilder.train.config import TrainConfig
from netbuilder.train.events import StatusEvent
from netbuilder.train.launch import self_command
from netbuilder.train.runlog import RunEnded, run_folder

POLL_MS = 100


class ProcessRun(QObject):
    """One multi-process run at a time; the same signals as ``TrainingRunner``."""

    events = Signal(list)
    finished = Signal(object)  # RunOutcome
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.watcher: RunWatcher | None = None
        self.ended: RunEnded | None = None
        self._diagram: Diagram | None = None
        self._config: TrainConfig | None = None
        self._started_at = 0.0
        self._ranks: list[int] = []  # the agent's children, noted at Stop
        self._device = "cpu"
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._check)

    def is_running(self) -> bool:
        return self.process is not None

    @staticmethod
    def supported() -> bool:
        """Whether Stop can reach every rank here: POSIX process groups (Linux, macOS)."""
        return hasattr(os, "killpg")

    def start(
        self,
        diagram: Diagram,
        config: TrainConfig,
        processes: int,
        initial_state: dict[str, Any] | None = None,
        initial_optimizer_state: dict[str, Any] | None = None,
        earlier_metrics: dict[str, list[float]] | None = None,
    ) -> Diagram:
        """Train a copy of ``diagram`` on ``processes`` ranks; returns that copy.

        With ``initial_state`` the run goes on from those weights: they are handed over as a
        checkpoint to continue (``netbuilder train START.pt``), with the optimizer's state and
        ``earlier_metrics`` (the history a continued run's checkpoint carries on).
        """
        if self.process is not None:
            raise RuntimeError("a training run is already in progress")
        from netbuilder.core.io import save

        frozen = diagram.copy()
        frozen.set_training(config.to_dict())
        self.folder = Path(tempfile.mkdtemp(prefix="netbuilder-run-"))
        out = self.folder / "model.pt"
        if initial_state is None:
            source = self.folder / "run.nbd"
            save(frozen, source)
        else:
            from netbuilder.train.checkpoint import save_checkpoint

            source = self.folder / "start.pt"
            save_checkpoint(
                source,
                frozen,
                initial_state,
                config.to_dict(),
                earlier_metrics or {},
                optimizer_state=initial_optimizer_state,
            )
        command = [*self_command(), "train", str(source), "--out", str(out)]
        command += ["--nproc", str(processes), "-q"]
        with open(self.folder / "output.log", "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: Stop reaches every rank
            )
        self._diagram, self._config, self.ended = frozen, config, None
        self._started_at, self._device = time.monotonic(), "cpu"
        self.watcher = RunWatcher(run_folder(out), self)
        self.watcher.events.connect(self._note_device)
        self.watcher.events.connect(self.events)
        self.watcher.ended.connect(self._on_ended)
        self.watcher.start()
        self._timer.start()
        self.running_changed.emit(True)
        return frozen

    def stop(self) -> None:
        """Ctrl-C for the whole run: every rank stops at the same step, the best is saved."""
        if self.process is not None:
            self._ranks = sorted(set(self._ranks) | set(descendants(self.process.pid)))
        self._signal(signal.SIGINT)

    def shutdown(self, timeout_s: float = 30.0) -> bool:
        """Stop and wait (window closing); kill the ranks if they do not end in time."""
        process = self.process
        if process is None:
            return True
        self.stop()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self._ranks = sorted(set(self._ranks) | set(descendants(process.pid)))
            self._signal(signal.SIGKILL)
            process.wait()
        self._check()
        return True

    def _end_ranks(self) -> None:
        """Kill any rank noted at Stop that outlived torchrun's agent (each leads its group)."""
        for pid in self._ranks:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self._ranks = []

    def _signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.killpg(self.process.pid, sig)

    @Slot(list)
    def _note_device(self, batch: list[Any]) -> None:
        for event in batch:
            if isinstance(event, StatusEvent) and event.device is not None:
                self._device = event.device

    @Slot(object)
    def _on_ended(self, ended: RunEnded) -> None:
        self.ended = ended

    @Slot()
    def _check(self) -> None:
        process = self.process
        if process is None or process.poll() is None:
            return
        self._timer.stop()
        self._end_ranks()
        if self.watcher is not None:
            while self.watcher.poll():  # everything written before the process ended
                pass
            self.watcher.stop()
        self.process = None
        outcome = self._outcome(process.returncode)
        self.running_changed.emit(False)
        self.finished.emit(outcome)

    def _outcome(self, code: int) -> RunOutcome:
        """The finished run as the GUI knows runs: the saved checkpoint, or why there is none."""
        assert self.folder is not None
        ended, log = self.ended, self._log_tail()
        checkpoint = Path(ended.checkpoint) if ended and ended.checkpoint else None
        error = (ended.error if ended else None) or (None if code in (0, 130) else log)
        result = saved = None
        if checkpoint is not None and checkpoint.exists():
            from netbuilder.train.checkpoint import CheckpointError, load_checkpoint

            try:
                saved = load_checkpoint(checkpoint)
            except CheckpointError as exc:
                error = str(exc)
            else:
                result = self._result(saved, ended, error)
        elif ended is not None and ended.error is None:  # stopped before an epoch finished
            from netbuilder.train.trainer import TrainResult

            result = TrainResult(status=ended.status, model=None, config=self._config_or_default())
            result.elapsed_s, result.device = time.monotonic() - self._started_at, self._device
        outcome = RunOutcome(result, diagram=self._diagram, error=error, checkpoint=saved)
        shutil.rmtree(self.folder, ignore_errors=True)  # the weights now live in the outcome
        return outcome

    def _config_or_default(self) -> TrainConfig:
        return self._config or TrainConfig()

    def _result(self, checkpoint: Any, ended: RunEnded | None, error: str | None) -> Any:
        """The trainer's result as the GUI knows it, from the checkpoint rank 0 saved."""
        from netbuilder.train.checkpoint import build_model
        from netbuilder.train.trainer import TrainResult

        metrics = checkpoint.metrics
        accuracies = [a for a in metrics.get("val_accuracy", []) if a == a]
        return TrainResult(
            status=ended.status if ended else "failed",
            model=build_model(checkpoint).eval(),
            metrics=metrics,
            classes=list(checkpoint.classes),
            best_epoch=checkpoint.best_epoch,
            error=error,
            config=self._config_or_default(),
            task="classification" if accuracies else "regression",
            optimizer_state=checkpoint.optimizer_state,
            device=self._device,
            elapsed_s=time.monotonic() - self._started_at,
        )

    def _log_tail(self) -> str:
        """The run's last error line (the launcher's or a rank's), for a failed run."""
        assert self.folder is not None
        try:
            lines = (self.folder / "output.log").read_text("utf-8", "replace").splitlines()
        except OSError:
            return self.tr("the training processes ended without a result")
        errors = [ln for ln in lines if ln.startswith("error:")]
        return (
            errors[-1] if errors else (lines[-1] if lines else self.tr("no output"))
        ).removeprefix("error: ")


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (torchrun's ranks and what they started), from
    ``/proc``; [] where there is none to read (not Linux) or ``pid`` has ended."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()  # after "pid (name) "
        if len(fields) > 1:
            parents.setdefault(int(fields[1]), []).append(int(name))
    found: list[int] = []
    todo = list(parents.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(parents.get(child, []))
    return found
