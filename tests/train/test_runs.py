"""Run history records: plain data that survives a .pt, and a readable diff of two runs."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from netbuilder.core import io
from netbuilder.train.runs import RunHistory, RunRecord, debiased_ema, diff_runs

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def two_runs() -> tuple[RunRecord, RunRecord]:
    diagram = io.load(EXAMPLES / "cnn_image_classifier.nbd")
    history = RunHistory()
    a = history.begin(diagram, {**diagram.training, "lr": 0.001, "epochs": 5})
    edited = diagram.copy()
    edited.set_param("conv1", "out_channels", 32)
    edited.remove_node("fc2")
    b = history.begin(edited, {**diagram.training, "lr": 0.01, "epochs": 5})
    return a, b


def test_runs_are_numbered_per_document_and_diffed_in_words() -> None:
    a, b = two_runs()
    assert (a.name, b.name) == ("run 1", "run 2")
    assert 0 < a.summary.param_count != b.summary.param_count > 0
    diff = diff_runs(a, b)
    assert ("lr", 0.001, 0.01) in diff.settings
    assert not any(key == "epochs" for key, *_ in diff.settings)
    assert diff.removed == ["fc2 (Linear)"] and diff.added == []
    assert ("conv1", ["out_channels: 16 → 32"]) in diff.changed
    lines = diff.lines()
    assert "setting lr: 0.001 → 0.01" in lines and "block removed: fc2 (Linear)" in lines
    assert diff_runs(a, a).same and "same settings" in diff_runs(a, a).lines()[0]


def test_a_history_round_trips_through_torch_weights_only_load(tmp_path: Path) -> None:
    a, b = two_runs()
    a.status, a.best_epoch, a.has_model = "completed", 2, True
    a.metrics = {"val_loss": [1.0, 0.5, 0.7], "val_accuracy": [0.5, 0.8, 0.7]}
    history = RunHistory([a, b])
    b.status = "running"  # a run still going is not saved
    path = tmp_path / "runs.pt"
    torch.save({"runs": history.to_list()}, path)
    back = RunHistory.from_list(torch.load(path, weights_only=True)["runs"])
    assert [r.name for r in back] == ["run 1"]
    record = back.get(1)
    assert record is not None and record.to_dict() == a.to_dict()
    assert record.describe() == "run 1 · completed · best epoch 2 · 80.0% acc"
    assert diff_runs(record, a).same


def test_damaged_entries_are_skipped_not_fatal() -> None:
    history = RunHistory.from_list([{"number": "x"}, None, {"number": 3, "metrics": "bad"}])
    assert [r.number for r in history] == [3] and history.get(3).metrics == {}
    assert len(RunHistory.from_list("not a list")) == 0


def test_old_checkpoints_without_runs_get_one_record_from_their_metrics() -> None:
    diagram = io.load(EXAMPLES / "mlp_regressor.nbd")
    metrics = {"val_loss": [3.0, 1.0, float("nan"), 2.0], "train_loss": [4.0, 2.0, 1.0, 1.0]}
    history = RunHistory.from_checkpoint([], diagram.training, metrics, diagram)
    (record,) = history
    assert record.best_epoch == 2 and record.has_model and record.status == "saved"
    assert len(RunHistory.from_checkpoint([], {}, {}, diagram)) == 0


def test_debiased_ema_starts_at_the_data_and_skips_gaps() -> None:
    values = [10.0, 10.0, float("nan"), 10.0, 0.0]
    smooth = debiased_ema(values, 0.9)
    assert smooth[0] == 10.0 and smooth[1] == 10.0  # no pull towards 0 at the start
    assert math.isnan(smooth[2]) and math.isclose(smooth[3], 10.0)
    assert 0.0 < smooth[4] < 10.0
    assert debiased_ema(values, 0.0)[4] == 0.0
