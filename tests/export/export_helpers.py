"""Helpers shared by the export tests: example list, tiny training runs, model outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from netbuilder.core.diagram import Diagram
from netbuilder.train.config import TrainConfig
from netbuilder.train.trainer import Trainer, TrainResult

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "resources" / "examples"
EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.nbd"))


def tiny_config(diagram: Diagram, epochs: int = 1, size: int = 96) -> TrainConfig:
    """The example's own settings on a small sample, on the CPU, for ``epochs`` epochs."""
    base = TrainConfig.from_dict(diagram.training)
    return base.replace(
        epochs=epochs,
        device="cpu",
        batch_size=32,
        mixed_precision="off",
        early_stopping=0,
        dataset_options={**base.dataset_options, "size": size},
    )


def train_tiny(diagram: Diagram, epochs: int = 1, **kwargs: object) -> TrainResult:
    result = Trainer(diagram, tiny_config(diagram, epochs), **kwargs).run()  # type: ignore[arg-type]
    assert result.ok and result.model is not None, result.error
    return result


@dataclass
class Trained:
    name: str
    diagram: Diagram
    model: nn.Module
    result: TrainResult


def outputs(model: nn.Module, *xs: torch.Tensor) -> list[torch.Tensor]:
    with torch.no_grad():
        value = model.eval()(*xs)
    return list(value) if isinstance(value, tuple | list) else [value]
