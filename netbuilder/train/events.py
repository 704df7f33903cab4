"""What the trainer reports while it runs: small immutable records, safe to pass between threads.

The trainer calls ``on_event`` from its own (worker) thread; receivers must not touch GUI
objects directly but hand the event to their GUI thread (DESIGN rule 8).
"""

from __future__ import annotations

from dataclasses import dataclass

from netbuilder.train.result import TrainResult


@dataclass(frozen=True, slots=True)
class StepEvent:
    """One optimiser step finished. ``epoch`` and ``step`` count from 1."""

    epoch: int
    epochs: int
    step: int
    steps_per_epoch: int
    global_step: int
    loss: float
    accuracy: float | None
    lr: float
    samples_per_s: float
    eta_s: float | None


@dataclass(frozen=True, slots=True)
class EpochEvent:
    """One epoch finished and was validated. Accuracies are None for regression."""

    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float | None
    val_loss: float
    val_accuracy: float | None
    lr: float
    is_best: bool
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A line for the user: loading data, device chosen, paused, early stop, ...

    ``device`` is set on the line that starts training: the device the run really uses
    (after "auto" was resolved), so nobody has to read it back out of the message.
    """

    message: str
    device: str | None = None


@dataclass(frozen=True, slots=True)
class FinishedEvent:
    """The run ended (completed, stopped or early-stopped); the last event of a good run."""

    result: TrainResult


@dataclass(frozen=True, slots=True)
class FailedEvent:
    """The run failed; ``message`` names the cause, ``node_id`` the block when one is to blame."""

    message: str
    node_id: str | None = None


TrainEvent = StepEvent | EpochEvent | StatusEvent | FinishedEvent | FailedEvent
