"""What the short diagnostic runs share (learning-rate finder, overfit one batch): a fresh
model, its loss and data on the device, set up and checked exactly as the trainer does, so
a problem is reported in the trainer's words and a finding carries over to real training.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.train.batches import Batches
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle
from netbuilder.train.setup import LossAdapter, check_model_fits_data, resolve_device
from netbuilder.train.sources import load_data


class ProbeError(Exception):
    """A diagnostic run could not start or broke; the message is for the user."""


@dataclass
class Probe:
    """A freshly initialised model with its loss, device and training batches."""

    model: nn.Module
    loss: LossAdapter
    device: torch.device
    batches: Batches

    def stream(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]]:
        """Training batches, epoch after epoch, for as long as the caller wants."""
        epoch = 1
        while True:
            yield from self.batches.epoch(epoch)
            epoch += 1

    def close(self) -> None:
        self.batches.close()


def make_probe(diagram: Diagram, config: TrainConfig, data: DataBundle | None = None) -> Probe:
    """Set up like ``Trainer.run`` does; raises ``ProbeError`` (or the trainer's own
    ``TrainingFailure``/``DataError``/``ConfigError``/``CompileError``) with a clear message."""
    device = resolve_device(config.device)
    data = data or load_data(config, diagram)
    torch.manual_seed(config.seed)
    model = compile_diagram(diagram).to(device)
    loss = LossAdapter(config.loss, data)
    check_model_fits_data(model, diagram, data, loss, device)
    model.train()
    return Probe(
        model, loss, device, Batches(data.train, config.batch_size, device, loss, config.seed)
    )


def parameters(model: nn.Module) -> list[nn.Parameter]:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ProbeError("the model has no trainable weights; add a layer with parameters")
    return params
