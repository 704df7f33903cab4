"""How a run ended and what it produced (``TrainResult``).

Its own module so the run events (``events.FinishedEvent`` carries a result) and the trainer
that makes them both import it, instead of importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from torch import nn

from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle

METRIC_NAMES = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr")


@dataclass
class TrainResult:
    """How a run ended and what it produced.

    ``model`` holds the best weights, on the CPU, in eval mode, or None when no epoch
    finished (a stop or failure before the first validation): weights that were never
    validated are not a trained model, and saving them could replace a good file.
    """

    status: str  # "completed" | "stopped" | "early_stopped" | "failed"
    model: nn.Module | None
    metrics: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in METRIC_NAMES})
    classes: list[str] = field(default_factory=list)
    best_epoch: int | None = None
    device: str = "cpu"
    error: str | None = None
    config: TrainConfig = field(default_factory=TrainConfig)
    node_id: str | None = None
    task: str = "classification"
    elapsed_s: float = 0.0
    data: DataBundle | None = None
    #: the optimizer's statistics at the best epoch (``setup.optimizer_snapshot``), so a
    #: checkpoint can continue training exactly where the kept weights were
    optimizer_state: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
