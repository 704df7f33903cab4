"""The .pt checkpoint: contents, atomic writes, strict reloading, weights kept after edits,
and continuing a training run from where it ended."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.train.checkpoint import (
    CheckpointError,
    apply_weights,
    build_model,
    fine_tune_state,
    load_checkpoint,
    save_checkpoint,
    transfer_weights,
)
from netbuilder.train.events import StepEvent
from netbuilder.train.trainer import Trainer
from tests.export.export_helpers import EXAMPLES_DIR, tiny_config, train_tiny


def lenet() -> tuple[object, torch.nn.Module]:
    diagram = load(EXAMPLES_DIR / "lenet5.nbd")
    torch.manual_seed(0)
    return diagram, compile_diagram(diagram)


def test_checkpoint_holds_plain_values_only(tmp_path: Path) -> None:
    diagram, model = lenet()
    path = tmp_path / "m.pt"
    metrics = {"train_loss": [2.0, 1.5], "val_accuracy": [0.3, 0.5]}
    save_checkpoint(path, diagram, model, metrics=metrics, classes=["a", "b"])
    raw = torch.load(path, weights_only=True)  # plain PyTorch, no NetBuilder needed
    assert set(raw) >= {
        "state_dict",
        "diagram",
        "training",
        "metrics",
        "classes",
        "netbuilder_version",
        "torch_version",
    }
    assert isinstance(raw["diagram"], str) and raw["diagram"].lstrip().startswith("{")
    ckpt = load_checkpoint(path)
    assert ckpt.metrics == metrics and ckpt.classes == ["a", "b"]
    assert ckpt.training == diagram.training
    rebuilt = build_model(ckpt)
    for key, value in model.state_dict().items():
        assert torch.equal(rebuilt.state_dict()[key], value)


def test_interrupted_save_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagram, model = lenet()
    path = tmp_path / "m.pt"
    save_checkpoint(path, diagram, model, metrics={"train_loss": [1.0]})
    before = path.read_bytes()

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(CheckpointError, match="No space left"):
        save_checkpoint(path, diagram, model, metrics={"train_loss": [9.0]})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # no temp file left behind


def test_apply_weights_is_strict_and_names_the_blocks() -> None:
    diagram, model = lenet()
    state = model.state_dict()
    state.pop("c1.bias")
    state["f7.weight"] = torch.zeros(2, 2)
    state["ghost.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointError) as info:
        apply_weights(compile_diagram(diagram), state)
    message = str(info.value)
    assert "no weights for c1" in message
    assert "ghost" in message and "f7.weight (2, 2) vs (10, 84)" in message


def test_transfer_keeps_unchanged_blocks_and_names_the_fresh_ones() -> None:
    diagram, old = lenet()
    with torch.no_grad():
        for p in old.parameters():
            p.add_(0.5)  # "trained": far from any fresh initialisation
    edited = diagram.copy()
    edited.set_param("f6", "out_features", 50)  # f6 changes; f7 follows (in_features 84 → 50)
    torch.manual_seed(1)
    new = compile_diagram(edited)
    report = transfer_weights(old.state_dict(), new)
    assert sorted(report.fresh) == ["f6", "f7"]
    assert sorted(report.kept) == ["c1", "c3", "c5"]
    assert report.dropped == []
    assert "f6" in report.summary() and "f7" in report.summary()
    for key in ("c1.weight", "c3.bias", "c5.weight"):
        assert torch.equal(new.state_dict()[key], old.state_dict()[key])
    assert not torch.equal(new.state_dict()["f6.bias"][:50], old.state_dict()["f6.bias"][:50])


def test_transfer_reports_node_ids_not_module_names() -> None:
    """A node id that is not a valid identifier gets a different module name in fx."""
    diagram, old = lenet()
    d = diagram.to_dict()
    for node in d["nodes"]:
        if node["id"] == "c5":
            node["id"] = "class"  # a Python keyword: the module becomes "class_"
    for edge in d["edges"]:
        for end in ("source", "target"):
            if edge[end] == "c5":
                edge[end] = "class"
    renamed = type(diagram).from_dict(d)
    new = compile_diagram(renamed)
    report = transfer_weights(old.state_dict(), new)
    assert "class" in report.fresh and "class_" not in report.fresh
    assert report.dropped == ["c5"]


def test_continued_training_starts_where_it_ended(tmp_path: Path) -> None:
    """Reopen a .pt and train on: the first loss is the saved model's, not a fresh one's.

    With one batch per epoch the first step's loss is the loss over the whole training set
    (order does not matter), so it can be recomputed exactly from the reopened weights.
    """
    diagram = load(EXAMPLES_DIR / "mlp_regressor.nbd")
    first = train_tiny(diagram, epochs=4)
    assert first.model is not None and first.data is not None
    path = tmp_path / "run.pt"
    save_checkpoint(path, diagram, first.model, metrics=first.metrics, classes=first.classes)
    ckpt = load_checkpoint(path)
    data = first.data
    inputs, targets = data.train.inputs, data.train.targets  # type: ignore[attr-defined]

    def first_step_loss(initial_state: dict[str, torch.Tensor] | None) -> float:
        steps: list[float] = []

        def on_event(event: object) -> None:
            if isinstance(event, StepEvent):
                steps.append(event.loss)

        config = tiny_config(ckpt.diagram, epochs=1).replace(batch_size=len(inputs))
        result = Trainer(
            ckpt.diagram, config, data=data, initial_state=initial_state, on_event=on_event
        ).run()
        assert result.ok, result.error
        return steps[0]

    with torch.no_grad():
        saved_loss = torch.nn.functional.mse_loss(
            build_model(ckpt)(inputs), targets.float().reshape(len(targets), -1)
        ).item()
    continued = first_step_loss(ckpt.state_dict)
    fresh = first_step_loss(None)
    assert continued == pytest.approx(saved_loss, rel=1e-5)
    assert ckpt.metrics["train_loss"][0] > ckpt.metrics["train_loss"][-1]  # it did learn
    assert continued < 0.8 * fresh, (continued, fresh)


def test_fine_tune_after_an_edit_trains_with_kept_weights() -> None:
    """Edit a trained diagram, then train on: kept blocks start from their trained values."""
    diagram = load(EXAMPLES_DIR / "mlp_regressor.nbd")
    first = train_tiny(diagram, epochs=1)
    assert first.model is not None
    old = {k: v.clone() for k, v in first.model.state_dict().items()}
    edited = diagram.copy()
    edited.set_param("fc2", "out_features", 32)
    state, report = fine_tune_state(edited, old)
    assert sorted(report.fresh) == ["fc2", "fc3"] and report.kept == ["fc1"]
    assert torch.equal(state["fc1.weight"], old["fc1.weight"])
    seen: list[float] = []

    def on_event(event: object) -> None:
        if isinstance(event, StepEvent) and not seen:
            seen.append(event.loss)

    result = Trainer(
        edited, tiny_config(edited), data=first.data, initial_state=state, on_event=on_event
    ).run()
    assert result.ok, result.error
    assert seen
