"""After training: accuracy, per-class precision and recall, confusion matrix, and which
validation samples the model gets wrong (for the misclassified-samples grid)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from netbuilder.train.data import TensorData


@dataclass
class Evaluation:
    """Scores of a model on one dataset. For regression only ``loss`` (MSE) and predictions."""

    accuracy: float | None
    loss: float
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    confusion: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    misclassified: list[int] = field(default_factory=list)
    predictions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    targets: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def confusion_list(self) -> list[list[int]]:
        return self.confusion.tolist()


def _outputs(
    model: nn.Module, dataset: Dataset, device: str | torch.device, batch_size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    if isinstance(dataset, TensorData):
        xs, ys = dataset.inputs, dataset.targets
        batches = [
            (xs[i : i + batch_size], ys[i : i + batch_size]) for i in range(0, len(xs), batch_size)
        ]
    else:
        batches = DataLoader(dataset, batch_size=batch_size, shuffle=False)  # type: ignore[assignment]
    outs, targets = [], []
    was_training = model.training
    first = next(model.parameters(), None)
    home = first.device if first is not None else torch.device("cpu")
    model.eval()
    model.to(device)
    try:
        with torch.no_grad():
            for xb, yb in batches:
                outs.append(model(xb.to(device)).float().cpu())
                targets.append(yb)
    finally:
        model.train(was_training)
        model.to(home)  # the caller's model stays where it was (the GUI keeps it on the CPU)
    return torch.cat(outs), torch.cat(targets)


def evaluate(
    model: nn.Module,
    dataset: Dataset,
    classes: list[str],
    device: str | torch.device = "cpu",
    batch_size: int = 256,
) -> Evaluation:
    """Score ``model`` on ``dataset``; ``classes == []`` means regression."""
    out, y = _outputs(model, dataset, device, batch_size)
    if not classes:
        target = y.float().reshape(out.shape)
        loss = float(nn.functional.mse_loss(out, target))
        return Evaluation(None, loss, predictions=out.numpy(), targets=target.numpy())
    n = len(classes)
    y = y.long()
    if out.shape[-1] == 1 and n == 2:
        pred = (out[:, 0] > 0).long()
        loss = float(nn.functional.binary_cross_entropy_with_logits(out[:, 0], y.float()))
    else:
        pred = out.argmax(-1)
        loss = float(nn.functional.cross_entropy(out, y))
    confusion = np.zeros((n, n), np.int64)
    np.add.at(confusion, (y.numpy(), pred.numpy()), 1)
    true_per_class = confusion.sum(axis=1)
    pred_per_class = confusion.sum(axis=0)
    diag = np.diag(confusion)
    precision = [float(diag[i] / pred_per_class[i]) if pred_per_class[i] else 0.0 for i in range(n)]
    recall = [float(diag[i] / true_per_class[i]) if true_per_class[i] else 0.0 for i in range(n)]
    wrong = (pred != y).nonzero().flatten().tolist()
    return Evaluation(
        accuracy=float(diag.sum() / max(1, len(y))),
        loss=loss,
        precision=precision,
        recall=recall,
        confusion=confusion,
        misclassified=wrong,
        predictions=pred.numpy(),
        targets=y.numpy(),
    )
