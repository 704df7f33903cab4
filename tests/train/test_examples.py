"""Every example diagram trains on its built-in dataset with its saved settings.

These run real training (each well under a minute on 2 CPU cores); they are marked slow
but belong to the default suite, because they are what the product promises.
"""

from __future__ import annotations

import pytest

from netbuilder.train.trainer import Trainer, TrainResult
from tests.train.conftest import example


def _train(name: str) -> TrainResult:
    diagram = example(name)
    diagram.training["device"] = "cpu"
    result = Trainer(diagram).run()
    assert result.status == "completed", result.error
    return result


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("cnn_image_classifier", 0.95),
        ("lstm_sequence_classifier", 0.90),
        ("transformer_text_classifier", 0.90),
    ],
)
def test_example_reaches_its_accuracy(name: str, target: float) -> None:
    result = _train(name)
    assert max(result.metrics["val_accuracy"]) >= target, result.metrics["val_accuracy"]


@pytest.mark.slow
def test_lenet_learns_digits() -> None:
    acc = _train("lenet5").metrics["val_accuracy"]
    assert acc[-1] > acc[0] and acc[-1] >= 0.8, acc


@pytest.mark.slow
def test_mlp_regressor_improves() -> None:
    loss = _train("mlp_regressor").metrics["val_loss"]
    assert loss[-1] < 0.3 * loss[0], loss
