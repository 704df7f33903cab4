"""Mini-batches for the trainer, already on the training device.

In-memory data is moved to the device once and indexed with a seeded permutation (the
fastest way to feed a small model, and what the seed document's loop does); anything else
streams through a ``DataLoader``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from netbuilder.train.data import TensorData
from netbuilder.train.setup import LossAdapter


class Batches:
    """Mini-batches as (inputs, loss targets, class labels or None), already on ``device``.

    In-memory data (``TensorData``) is moved to the device once when it fits and indexed with
    a seeded permutation; other datasets go through a single-process ``DataLoader``.
    """

    RESIDENT_LIMIT = 2 * 1024**3

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        device: torch.device,
        loss: LossAdapter,
        seed: int | None,
    ) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.device = device
        self.loss = loss
        self.seed = seed
        self.n = len(dataset)  # type: ignore[arg-type]
        self.tensors: tuple[torch.Tensor, torch.Tensor, torch.Tensor | None] | None = None
        if isinstance(dataset, TensorData):
            x, y = dataset.inputs, dataset.targets
            resident = device.type == "cpu" or x.numel() * x.element_size() < self.RESIDENT_LIMIT
            target_device = device if resident else torch.device("cpu")
            labels = y.to(target_device) if loss.classification else None
            self.tensors = (x.to(target_device), loss.targets(y).to(target_device), labels)

    def __len__(self) -> int:
        steps = math.ceil(self.n / self.batch_size)
        if steps > 1 and self.n % self.batch_size == 1:
            steps -= 1  # a batch of one breaks BatchNorm; its sample is seen next epoch
        return steps

    def epoch(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]]:
        generator = None
        if self.seed is not None:
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        if self.tensors is None:
            yield from self._loader(generator)
            return
        x, y, labels = self.tensors
        order = (
            torch.randperm(self.n, generator=generator).to(x.device)
            if generator is not None
            else None
        )
        bs, dev = self.batch_size, self.device
        for i in range(len(self)):
            if order is None:
                sl = slice(i * bs, (i + 1) * bs)
                xb, yb, lb = x[sl], y[sl], None if labels is None else labels[sl]
            else:
                idx = order[i * bs : (i + 1) * bs]
                xb, yb, lb = x[idx], y[idx], None if labels is None else labels[idx]
            if xb.device != dev:
                xb, yb = xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
                lb = None if lb is None else lb.to(dev, non_blocking=True)
            yield xb, yb, lb

    def _loader(self, generator: torch.Generator | None) -> Iterator[Any]:
        loader = DataLoader(
            self.dataset,
            batch_size=self.batch_size,
            shuffle=generator is not None,
            generator=generator,
            num_workers=0,
            drop_last=False,
        )
        for xb, yb in loader:
            if len(xb) < 2 and generator is not None:
                continue
            labels = yb.to(self.device) if self.loss.classification else None
            yield xb.to(self.device), self.loss.targets(yb).to(self.device), labels
