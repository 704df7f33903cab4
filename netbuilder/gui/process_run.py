"""A multi-process run started from the app: ``netbuilder train --nproc N`` as a child process.

The app does not train several processes itself: it saves the diagram (with the run's
settings) to a private folder, starts the very command a terminal user would type — torchrun's
standalone launch, DDP over gloo or NCCL — and watches the run's ``events.jsonl`` with a
``RunWatcher``. So the curves arrive exactly as a local run's (``events`` carries the same
lists of trainer events as ``TrainingRunner.events``) and ``finished`` carries a
``RunOutcome`` built from the checkpoint the run saved, as a local run's does.

Stop sends SIGINT to the child's whole process group, as a terminal's Ctrl-C would: every rank
stops at the same step and rank 0 saves the best finished epoch. ``shutdown`` (window closing)
also kills the group if it has not ended in time, so no rank outlives the app.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from netbuilder.core.diagram import Diagram
from netbuilder.gui.run_watch import RunWatcher
from netbuilder.gui.worker import RunOutcome
from netbuilder.train.config import TrainConfig
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
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._check)

    def is_running(self) -> bool:
        return self.process is not None

    def start(self, diagram: Diagram, config: TrainConfig, processes: int) -> Diagram:
        """Train a copy of ``diagram`` on ``processes`` ranks; returns that copy."""
        if self.process is not None:
            raise RuntimeError("a training run is already in progress")
        from netbuilder.core.io import save

        frozen = diagram.copy()
        frozen.set_training(config.to_dict())
        self.folder = Path(tempfile.mkdtemp(prefix="netbuilder-run-"))
        nbd, out = self.folder / "run.nbd", self.folder / "model.pt"
        save(frozen, nbd)
        command = [sys.executable, "-m", "netbuilder", "train", str(nbd), "--out", str(out)]
        command += ["--nproc", str(processes), "-q"]
        with open(self.folder / "output.log", "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: Stop reaches every rank
            )
        self._diagram, self._config, self.ended = frozen, config, None
        self.watcher = RunWatcher(run_folder(out), self)
        self.watcher.events.connect(self.events)
        self.watcher.ended.connect(self._on_ended)
        self.watcher.start()
        self._timer.start()
        self.running_changed.emit(True)
        return frozen

    def stop(self) -> None:
        """Ctrl-C for the whole run: every rank stops at the same step, the best is saved."""
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
            self._signal(signal.SIGKILL)
            process.wait()
        self._check()
        return True

    def _signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.killpg(self.process.pid, sig)

    @Slot(object)
    def _on_ended(self, ended: RunEnded) -> None:
        self.ended = ended

    @Slot()
    def _check(self) -> None:
        process = self.process
        if process is None or process.poll() is None:
            return
        self._timer.stop()
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
        result = None
        if checkpoint is not None and checkpoint.exists():
            result = self._result(checkpoint, ended, error)
        outcome = RunOutcome(result, diagram=self._diagram, error=error)
        shutil.rmtree(self.folder, ignore_errors=True)  # the weights now live in the outcome
        return outcome

    def _result(self, path: Path, ended: RunEnded | None, error: str | None) -> Any:
        from netbuilder.train.checkpoint import build_model, load_checkpoint
        from netbuilder.train.trainer import TrainResult

        checkpoint = load_checkpoint(path)
        metrics = checkpoint.metrics
        accuracies = [a for a in metrics.get("val_accuracy", []) if a == a]
        return TrainResult(
            status=ended.status if ended else "failed",
            model=build_model(checkpoint).eval(),
            metrics=metrics,
            classes=list(checkpoint.classes),
            best_epoch=checkpoint.best_epoch,
            error=error,
            config=self._config or TrainConfig(),
            task="classification" if accuracies else "regression",
            optimizer_state=checkpoint.optimizer_state,
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
