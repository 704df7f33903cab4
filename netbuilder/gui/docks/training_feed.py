"""Trainer events on screen: curve points, progress text and log lines, one batch at a time.

``EventFeed`` is what every run feeds — a local run's ``TrainingRunner.events``, a
multi-process run's ``ProcessRun.events`` and a watched run's ``RunWatcher.events`` all
deliver lists of the same trainer events (≤ 30 a second); each list updates the text once,
appends its points and redraws once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication

from netbuilder.gui.docks.curves import TrainingCurves
from netbuilder.gui.docks.training_controls import RunControls
from netbuilder.gui.docks.training_status import epoch_line
from netbuilder.gui.i18n import status_text
from netbuilder.train.events import EpochEvent, FailedEvent, StatusEvent, StepEvent
from netbuilder.train.result import TrainResult


class EventFeed:
    """Shows batches of trainer events in the curves, the run controls and the log."""

    def __init__(
        self,
        curves: TrainingCurves,
        controls: RunControls,
        log: Callable[[str], None],
        node_failed: Callable[[str], None],
    ) -> None:
        self.curves, self.controls = curves, controls
        self._log, self._node_failed = log, node_failed
        self.steps_seen = 0  # step events of the run on screen (benchmarks read it)

    def show(self, batch: list[Any], paused: bool = False) -> None:
        """One coalesced batch: update text once, append points, redraw once."""
        steps = [e for e in batch if isinstance(e, StepEvent)]
        if steps:
            if not self.steps_seen:
                self.curves.set_epochs(steps[0].epochs)
            self.steps_seen += len(steps)
            self.curves.add_steps(
                [e.global_step / max(1, e.steps_per_epoch) for e in steps],
                [e.loss for e in steps],
                [e.lr for e in steps],
            )
            self.controls.show_step(steps[-1], paused)
        for event in batch:
            if isinstance(event, EpochEvent):
                self.curves.show_accuracy(event.val_accuracy is not None)
                self.curves.add_epoch(
                    float(event.epoch),
                    event.val_loss,
                    event.train_accuracy,
                    event.val_accuracy,
                    event.is_best,
                )
                self._log(epoch_line(event))
            elif isinstance(event, StatusEvent):
                self._log(event.message)
                if event.device is not None:
                    self.controls.show_device(event.device)
            elif isinstance(event, FailedEvent):
                self.show_failure(event.message, event.node_id)
        self.curves.refresh()

    def show_failure(self, message: str, node_id: str | None) -> None:
        """Say why the run failed; a failure blamed on a block names (and selects) it."""
        failed = (
            QCoreApplication.translate(
                "TrainingWorkspace", "Training failed (block '{node}'): {reason}"
            ).format(node=node_id, reason=message)
            if node_id
            else QCoreApplication.translate(
                "TrainingWorkspace", "Training failed: {reason}"
            ).format(reason=message)
        )
        self.controls.show_error(failed)
        self._log(
            QCoreApplication.translate("TrainingWorkspace", "failed: {reason}").format(
                reason=message
            )
        )
        if node_id:
            self._node_failed(node_id)

    def show_end(self, result: TrainResult) -> None:
        """How a run that did not fail ended: status, best epoch, device and time."""
        best = ""
        if result.best_epoch:
            best = QCoreApplication.translate("TrainingWorkspace", ", best epoch {epoch}").format(
                epoch=result.best_epoch
            )
        self.controls.progress.setFormat(f"{status_text(result.status)}{best}")
        self.controls.show_device(str(result.device))
        took = QCoreApplication.translate("TrainingWorkspace", "{status} in {seconds} s").format(
            status=status_text(result.status), seconds=f"{result.elapsed_s:.1f}"
        )
        self._log(f"{took}{best}")
