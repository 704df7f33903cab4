"""Learning-rate finder and "overfit one batch": real short runs on tiny generated data."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest

from netbuilder.cli import main
from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import save
from netbuilder.train.config import TrainConfig
from netbuilder.train.lr_finder import find_lr, suggest
from netbuilder.train.overfit import overfit_batch


def mlp(last: str | None = None, hidden: int = 32, dropout: float | None = None) -> Diagram:
    d = Diagram()
    steps: list = [
        ("ImageInput", {"channels": 1, "height": 8, "width": 8}, "image"),
        ("Flatten", {}, "flatten"),
        ("Linear", {"out_features": hidden}, "fc1"),
        ("ReLU", {}, "relu"),
    ]
    if dropout is not None:
        steps.append(("Dropout", {"p": dropout}, "drop"))
    steps.append(("Linear", {"out_features": 6}, "fc2"))
    if last:
        steps.append((last, {}, "last"))
    steps.append(("Output", {}, "logits"))
    chain(d, *steps)
    return d


def config(**changes: object) -> TrainConfig:
    base = TrainConfig(
        dataset="builtin:shapes",
        dataset_options={"size": 96},
        batch_size=16,
        device="cpu",
        lr=0.01,
    )
    return base.replace(**changes)


def test_suggestion_is_the_steepest_fall_before_the_minimum() -> None:
    lrs = [1e-6 * 10 ** (i / 10) for i in range(61)]  # 1e-6 .. 1
    # flat, then a fall that is steepest around lr = 1e-3 (i = 30), minimum at i = 45, rise
    losses = [
        2.0 - 1.5 / (1 + math.exp(-(i - 30) / 3)) + (0.02 * (i - 45) ** 2 if i > 45 else 0)
        for i in range(61)
    ]
    assert suggest(lrs, losses) == pytest.approx(1e-3, rel=0.3)
    assert suggest(lrs, [1.0] * 61) is None  # no fall, no suggestion
    assert suggest(lrs[:4], losses[:4]) is None


def test_range_test_grows_exponentially_and_stops_on_divergence() -> None:
    seen: list[tuple[int, float]] = []
    result = find_lr(
        mlp(),
        config(),
        steps=80,
        start_lr=1e-5,
        end_lr=100.0,
        on_step=lambda i, lr, loss: seen.append((i, lr)),
    )
    ratios = {round(b / a, 6) for a, b in zip(result.lrs, result.lrs[1:], strict=False)}
    assert len(ratios) == 1 and result.lrs[0] == pytest.approx(1e-5)
    assert seen[0] == (1, result.lrs[0]) and len(seen) == len(result.lrs)
    assert "diverged" in result.stopped or "became" in result.stopped  # lr 100 cannot work
    assert len(result.lrs) < 80
    assert result.suggestion is not None and 1e-4 < result.suggestion < 10
    assert "suggested learning rate" in result.message()


def test_range_test_can_be_stopped() -> None:
    stop = threading.Event()
    result = find_lr(
        mlp(),
        config(),
        steps=50,
        on_step=lambda i, lr, loss: stop.set() if i == 3 else None,
        stop=stop,
    )
    assert len(result.lrs) == 3 and result.stopped == "stopped by the user"


def test_a_healthy_model_overfits_one_batch() -> None:
    result = overfit_batch(mlp(), config(lr=0.01), steps=150)
    assert result.passed, result.message()
    assert result.final < 0.05 * result.initial and result.accuracy == 1.0
    assert "passed" in result.message()


def test_softmax_before_cross_entropy_is_named() -> None:
    result = overfit_batch(mlp(last="Softmax"), config(lr=0.01), steps=60)
    assert not result.passed
    assert "Softmax" in result.cause and "remove" in result.cause


def test_too_small_and_too_large_learning_rates_are_named() -> None:
    low = overfit_batch(mlp(), config(lr=1e-7), steps=30)
    assert not low.passed and "too low" in low.cause
    high = overfit_batch(mlp(), config(lr=10.0, optimizer="sgd"), steps=30)
    assert not high.passed and "too high" in high.cause


def test_blocks_without_gradient_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dead ReLU (every pre-activation negative) leaves fc1 without gradient."""
    import torch

    from netbuilder.train import overfit

    real = overfit.make_probe

    def dead_relu_probe(*args: object, **kwargs: object) -> object:
        probe = real(*args, **kwargs)  # type: ignore[arg-type]
        with torch.no_grad():
            probe.model.fc1.bias.fill_(-1e3)
        return probe

    monkeypatch.setattr(overfit, "make_probe", dead_relu_probe)
    result = overfit_batch(mlp(), config(lr=0.01), steps=20)
    assert not result.passed
    assert "no gradient reaches block(s) fc1" in result.cause and "dead ReLU" in result.cause


def test_cli_find_lr_and_overfit_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from netbuilder.train import lr_finder, overfit

    monkeypatch.setattr(lr_finder, "DEFAULT_STEPS", 80)
    monkeypatch.setattr(overfit, "DEFAULT_STEPS", 120)
    d = mlp()
    d.set_training(config().to_dict())
    path = tmp_path / "net.nbd"
    save(d, path)
    assert main(["train", str(path), "--find-lr"]) == 0
    out = capsys.readouterr().out
    assert "learning rate   smoothed loss" in out and "suggested learning rate" in out
    assert "--lr " in out and not (tmp_path / "net.pt").exists()  # nothing trained or saved
    assert main(["train", str(path), "--overfit-batch"]) == 0
    assert "passed" in capsys.readouterr().out
    bad = mlp(last="Softmax")
    bad.set_training(config().to_dict())
    save(bad, path)
    assert main(["train", str(path), "--overfit-batch", "--lr", "0.01"]) == 1
    assert "Softmax" in capsys.readouterr().out
