"""Evaluation: accuracy, per-class precision/recall, confusion matrix, misclassified indices."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from netbuilder.train.data import TensorData
from netbuilder.train.evaluate import evaluate


class _Pick(nn.Module):
    """Predicts the class written in the first input column."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.one_hot(x[:, 0].long(), 3).float() * 5


def test_scores_of_a_known_classifier() -> None:
    predicted = torch.tensor([0, 0, 1, 1, 2, 2, 0])
    truth = torch.tensor([0, 0, 1, 2, 2, 2, 1])
    data = TensorData(predicted[:, None].float(), truth)
    ev = evaluate(_Pick(), data, ["a", "b", "c"], batch_size=3)
    assert ev.accuracy == pytest.approx(5 / 7)
    assert ev.confusion_list == [[2, 0, 0], [1, 1, 0], [0, 1, 2]]
    assert ev.precision == pytest.approx([2 / 3, 1 / 2, 1.0])
    assert ev.recall == pytest.approx([1.0, 1 / 2, 2 / 3])
    assert ev.misclassified == [3, 6]
    assert np.array_equal(ev.predictions, predicted.numpy())
    assert ev.loss > 0


def test_regression_reports_mse() -> None:
    x = torch.linspace(-1, 1, 10)[:, None]
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(0.0)
    ev = evaluate(model, TensorData(x, 2 * x + 1), [])
    assert ev.accuracy is None and ev.loss == pytest.approx(1.0)
    assert ev.predictions.shape == (10, 1)
