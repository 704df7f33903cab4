"""The loss function of a run and the form of targets it compares outputs with.

Its own module because both the batch feeder (``batches``) and the run set-up (``setup``)
use it, and ``batches`` must not depend on ``setup``.
"""

from __future__ import annotations

import torch
from torch import nn

from netbuilder.train.config import ConfigError
from netbuilder.train.data import DataBundle


class LossAdapter:
    """The loss function plus the target form it needs (labels, one-hot, floats).

    Targets are converted once per dataset, never per step.
    """

    def __init__(self, name: str, data: DataBundle) -> None:
        self.name = name
        self.classification = data.task == "classification"
        self.num_classes = len(data.classes)
        self.out_dim: int | None = None
        if name == "cross_entropy" and not self.classification:
            raise ConfigError(
                f"the loss cross_entropy needs class labels, but '{data.name}' is a regression "
                "dataset; use mse or l1"
            )
        self.fn: nn.Module = {
            "cross_entropy": nn.CrossEntropyLoss(),
            "mse": nn.MSELoss(),
            "l1": nn.L1Loss(),
            "bce_with_logits": nn.BCEWithLogitsLoss(),
        }[name]

    @property
    def binary(self) -> bool:
        """A single-logit two-class model trained with BCE."""
        return self.classification and self.out_dim == 1 and self.num_classes == 2

    def targets(self, y: torch.Tensor) -> torch.Tensor:
        """Dataset targets → what ``fn`` compares the model output with."""
        if not self.classification:
            y = y.float()
            return y[:, None] if y.dim() == 1 else y
        if self.name == "cross_entropy":
            return y.long()
        if self.binary:
            return y.float()[:, None]
        return nn.functional.one_hot(y.long(), self.num_classes).float()

    def __call__(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.fn(out.float() if out.dtype != torch.float32 else out, target)

    def predict(self, out: torch.Tensor) -> torch.Tensor:
        """Class labels from model outputs."""
        if self.binary:
            return (out[:, 0] > 0).long()
        return out.argmax(-1)
