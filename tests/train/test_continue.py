"""Continuing a run: the optimizer's statistics travel with the weights, so a run split in two
ends where one unbroken run ends; a snapshot that does not fit is refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.train.checkpoint import (
    CheckpointError,
    continued_metrics,
    load_checkpoint,
    save_checkpoint,
)
from netbuilder.train.config import TrainConfig
from netbuilder.train.events import StatusEvent
from netbuilder.train.setup import optimizer_snapshot, restore_optimizer
from netbuilder.train.trainer import Trainer
from tests.train.conftest import example
from tests.train.helpers import Recorder


def _full_batch_config(epochs: int, optimizer: str = "adam") -> TrainConfig:
    """One batch per epoch, so shuffling cannot make two runs see different batches."""
    diagram = example("mlp_regressor")
    return TrainConfig.from_dict(diagram.training).replace(
        epochs=epochs,
        batch_size=4096,
        optimizer=optimizer,
        lr=0.01,
        dataset_options={"size": 400},
        device="cpu",
    )


def _max_difference(a: nn.Module, b: nn.Module) -> float:
    sa, sb = a.state_dict(), b.state_dict()
    return max(float((sa[k] - sb[k]).abs().max()) for k in sa)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_a_run_split_in_two_ends_where_one_run_ends(optimizer: str) -> None:
    diagram = example("mlp_regressor")
    whole = Trainer(diagram, _full_batch_config(4, optimizer)).run()
    first = Trainer(diagram, _full_batch_config(2, optimizer)).run()
    assert whole.best_epoch == 4 and first.best_epoch == 2  # best = last: weights line up
    assert first.optimizer_state is not None
    rec = Recorder()
    second = Trainer(
        diagram,
        _full_batch_config(2, optimizer),
        initial_state=first.model.state_dict(),
        initial_optimizer_state=first.optimizer_state,
        on_event=rec,
    ).run()
    assert f"continuing with the saved {optimizer} state" in [
        e.message for e in rec.of(StatusEvent)
    ]
    without = Trainer(
        diagram, _full_batch_config(2, optimizer), initial_state=first.model.state_dict()
    ).run()
    exact = _max_difference(second.model, whole.model)
    assert exact < 1e-5
    assert _max_difference(without.model, whole.model) > 100 * max(exact, 1e-7)


def test_snapshot_is_taken_at_the_best_epoch() -> None:
    diagram = example("mlp_regressor")
    result = Trainer(diagram, _full_batch_config(3)).run()
    steps = {float(entry["step"]) for entry in result.optimizer_state["state"].values()}
    assert steps == {float(result.best_epoch)}  # one step per epoch, counted to the best
    assert all(
        v.device.type == "cpu"
        for entry in result.optimizer_state["state"].values()
        for v in entry.values()
    )


def test_restore_refuses_another_optimizer_or_other_shapes() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    adam = torch.optim.Adam(model.parameters())
    model(torch.randn(5, 3)).sum().backward()
    adam.step()
    snapshot = optimizer_snapshot("adam", adam)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    assert "is for adam, so sgd starts fresh" in restore_optimizer("sgd", sgd, snapshot)
    assert sgd.state_dict()["state"] == {}
    other = nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2))
    fresh = torch.optim.Adam(other.parameters())
    assert "does not fit" in restore_optimizer("adam", fresh, snapshot)
    assert fresh.state_dict()["state"] == {}
    same = torch.optim.Adam(model.parameters(), lr=0.5)
    assert restore_optimizer("adam", same, snapshot) == "continuing with the saved adam state"
    assert same.param_groups[0]["lr"] == 0.5  # the settings of the new run win
    assert torch.equal(same.state_dict()["state"][0]["exp_avg"], snapshot["state"][0]["exp_avg"])


def test_checkpoint_keeps_the_optimizer_state_and_loads_weights_only(tmp_path: Path) -> None:
    diagram = example("mlp_regressor")
    result = Trainer(diagram, _full_batch_config(2)).run()
    path = tmp_path / "m.pt"
    save_checkpoint(path, diagram, result.model, optimizer_state=result.optimizer_state)
    raw = torch.load(path, weights_only=True)
    assert raw["optimizer_state"]["optimizer"] == "adam"
    loaded = load_checkpoint(path)
    assert loaded.optimizer_state is not None
    assert torch.equal(
        loaded.optimizer_state["state"][0]["exp_avg_sq"],
        result.optimizer_state["state"][0]["exp_avg_sq"],
    )
    raw["optimizer_state"] = {"optimizer": 3}
    torch.save(raw, path)
    with pytest.raises(CheckpointError, match="optimizer state is damaged"):
        load_checkpoint(path)


def test_cli_continues_a_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diagram = example("mlp_regressor")
    diagram.set_training(_full_batch_config(2).to_dict())
    nbd = tmp_path / "mlp.nbd"
    save(diagram, nbd)
    assert main(["train", str(nbd), "-q"]) == 0
    first = load_checkpoint(tmp_path / "mlp.pt")
    assert first.optimizer_state is not None
    capsys.readouterr()
    assert main(["train", str(tmp_path / "mlp.pt"), "--epochs", "2"]) == 0
    text = capsys.readouterr().out
    assert "continuing from mlp.pt" in text and "continuing with the saved adam state" in text
    out = tmp_path / "mlp-continued.pt"
    assert f"saved {out}" in text
    second = load_checkpoint(out)
    assert second.training["epochs"] == 2
    # the metrics tell the weights' whole history: the first run's epochs, then the new ones
    assert len(second.metrics["val_loss"]) == 4
    assert second.metrics["val_loss"][:2] == first.metrics["val_loss"]
    assert min(second.metrics["val_loss"][2:]) < min(first.metrics["val_loss"])


def test_continued_metrics_stay_aligned_by_epoch() -> None:
    earlier = {"val_loss": [0.9, 0.7], "lr": [0.1, 0.1]}
    new = {"val_loss": [0.5], "lr": [0.05], "val_accuracy": [0.8]}
    merged = continued_metrics(earlier, new)
    assert merged["val_loss"] == [0.9, 0.7, 0.5] and merged["lr"] == [0.1, 0.1, 0.05]
    acc = merged["val_accuracy"]
    assert len(acc) == 3 and acc[2] == 0.8 and all(x != x for x in acc[:2])  # NaN-padded
    assert continued_metrics(None, new) == new
