"""Gradient health and activation capture on real (tiny) training runs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.train.capture import ActivationCapture, capture_activations, decimate
from netbuilder.train.checkpoint import load_checkpoint
from netbuilder.train.health import HealthMonitor
from netbuilder.train.hooks import TrainHook
from netbuilder.train.trainer import Trainer
from tests.insight.test_sanity_runs import config, mlp


def test_health_records_every_block_and_writes_epoch_metrics() -> None:
    issues: list[Any] = []
    health = HealthMonitor(interval=2, on_issue=issues.append)
    result = Trainer(mlp(), config(epochs=2), hooks=[health]).run()
    assert result.ok, result.error
    assert set(health.blocks) == {"fc1", "fc2"}
    fc1 = health.blocks["fc1"]
    steps_per_epoch = math.ceil(96 * 0.8 / 16)
    assert fc1.steps[0] == 1 and fc1.steps[1] == 2 and fc1.steps[-1] <= 2 * steps_per_epoch
    assert all(g > 0 and math.isfinite(g) for g in fc1.grad_norm)
    assert all(1e-6 < r < 1 for r in fc1.update_ratio)  # Adam at lr 0.01: about 1e-2
    for key in ("health/grad_norm/fc1", "health/update_ratio/fc2"):
        assert len(result.metrics[key]) == 2 and all(v > 0 for v in result.metrics[key])
    assert issues == [] and health.issues == []


def test_update_ratio_is_the_relative_weight_change() -> None:
    """SGD without momentum state on the first step: Δw = lr·g, so the ratio is lr·|g|/|w|."""

    class Check(TrainHook):
        def on_start(self, model: torch.nn.Module, optimizer: Any) -> None:
            self.model = model

        def after_backward(self, inputs: Any) -> None:
            if not hasattr(self, "expected"):
                w = self.model.fc2.weight.detach()
                b = self.model.fc2.bias.detach()
                g = torch.cat([self.model.fc2.weight.grad.reshape(-1), self.model.fc2.bias.grad])
                self.expected = 0.01 * float(g.norm()) / float(torch.cat([w.reshape(-1), b]).norm())

    check = Check()
    health = HealthMonitor(interval=1000)
    result = Trainer(mlp(), config(epochs=1, optimizer="sgd"), hooks=[check, health]).run()
    assert result.ok
    assert health.blocks["fc2"].update_ratio[0] == pytest.approx(check.expected, rel=1e-4)


class _Poison(TrainHook):
    """Puts a NaN into fc2's bias after step 3, as a numerically broken block would."""

    def on_start(self, model: torch.nn.Module, optimizer: Any) -> None:
        self.model, self.step = model, 0

    def after_step(self) -> None:
        self.step += 1
        if self.step == 3:
            with torch.no_grad():
                self.model.fc2.bias[0] = float("nan")


def test_nan_failure_names_the_first_block_that_went_non_finite() -> None:
    issues: list[Any] = []
    health = HealthMonitor(interval=1, on_issue=issues.append)
    result = Trainer(mlp(), config(epochs=1, optimizer="sgd"), hooks=[_Poison(), health]).run()
    assert result.status == "failed" and "NaN" in result.error
    # every weight is NaN after the failing update, yet fc2 (not fc1) is named
    assert result.node_id == "fc2" and "block 'fc2' first gave NaN/Inf" in result.error
    assert {(i.node_id, i.kind, i.step) for i in issues} >= {("fc2", "non-finite", 4)}
    # without the per-step weight copy, the first block would be blamed
    plain = HealthMonitor(interval=1000, locate_nan=False)
    other = Trainer(mlp(), config(epochs=1, optimizer="sgd"), hooks=[_Poison(), plain]).run()
    assert other.node_id == "fc1"


def test_vanishing_and_exploding_need_patience_and_report_where_they_began() -> None:
    health = HealthMonitor(interval=1)
    for step, norm in enumerate([1.0, 1e-9, 1e-9, 1e-9, 1e-9, 1.0, 5e3, 6e3, 7e3], start=1):
        health.step = step
        health._judge("conv", norm)
    kinds = [(i.kind, i.step) for i in health.issues]
    assert kinds == [("vanishing", 2), ("exploding", 7)]
    assert health.issues[0].message() == (
        "block 'conv': gradients vanished (norm 1.0e-09) from step 2"
    )


def test_cli_health_writes_figures_into_the_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = mlp()
    d.set_training(config(epochs=2).to_dict())
    path = tmp_path / "net.nbd"
    save(d, path)
    assert main(["train", str(path), "--health", "--out", str(tmp_path / "m.pt")]) == 0
    assert "gradient health" in capsys.readouterr().out
    metrics = load_checkpoint(tmp_path / "m.pt").metrics
    assert len(metrics["health/grad_norm/fc1"]) == 2
    assert len(metrics["health/update_ratio/fc2"]) == 2


def test_capture_decimates_and_keeps_a_bounded_history() -> None:
    capture = ActivationCapture(interval=3, keep=2, max_values=64)
    result = Trainer(mlp(hidden=128), config(epochs=2), hooks=[capture]).run()
    assert result.ok
    relu = capture.latest("relu")
    assert relu is not None and relu.shape == (8, 128)
    assert relu.sample.numel() <= 64 and relu.histogram.sum() == 8 * 128
    assert relu.low >= 0  # after a ReLU
    assert len(capture.captures["fc1"]) == 2 and capture.captures["fc1"][-1].step % 3 == 0
    assert set(capture.gradients) == {"fc1", "fc2"}


def test_capture_after_training_on_a_chosen_sample() -> None:
    result = Trainer(mlp(), config(epochs=1)).run()
    x = torch.randn(1, 1, 8, 8)
    found = capture_activations(result.model, x, nodes={"fc1", "relu"})
    assert set(found) == {"fc1", "relu"}
    direct = torch.relu(result.model.fc1(x.flatten(1)))[0]
    assert torch.allclose(found["relu"].sample, direct)
    feature_maps = torch.arange(4 * 16 * 16.0).reshape(4, 16, 16)
    kept = decimate(feature_maps, 600)
    assert kept.shape == (2, 16, 16) and torch.equal(kept, feature_maps[:2])


def test_attention_blocks_give_their_weights() -> None:
    from netbuilder.core.builder import chain
    from netbuilder.core.compile import compile_diagram
    from netbuilder.core.diagram import Diagram

    d = Diagram()
    chain(
        d,
        ("SequenceInput", {"length": 6, "features": 8}, "seq"),
        ("SelfAttention", {"num_heads": 2}, "attn"),
        ("TransformerEncoder", {"nhead": 2, "num_layers": 2, "dim_feedforward": 16}, "enc"),
        ("SequencePool", {}, "pool"),
        ("Output", {}, "out"),
    )
    torch.manual_seed(0)
    model = compile_diagram(d).eval()
    x = torch.randn(3, 6, 8)
    found = capture_activations(model, x)
    attn = found["attn"].attention
    assert attn is not None and attn.shape == (6, 6)
    assert torch.allclose(attn.sum(-1), torch.ones(6), atol=1e-5)
    _, expected = torch.nn.MultiheadAttention.forward(model.attn, x, x, x, need_weights=True)
    assert torch.allclose(attn, expected[0], atol=1e-6)
    enc = found["enc"].attention  # the first layer's self-attention, fast path or not
    assert enc is not None and enc.shape == (6, 6)
    assert found["pool"].attention is None and torch.backends.mha.get_fastpath_enabled()


def test_causal_attention_weights_never_look_ahead() -> None:
    from netbuilder.core.builder import chain
    from netbuilder.core.compile import compile_diagram
    from netbuilder.core.diagram import Diagram

    d = Diagram()
    chain(
        d,
        ("SequenceInput", {"length": 5, "features": 4}, "seq"),
        ("SelfAttention", {"num_heads": 1, "causal": True}, "attn"),
        ("SequencePool", {}, "pool"),
        ("Output", {}, "out"),
    )
    attn = capture_activations(compile_diagram(d), torch.randn(2, 5, 4))["attn"].attention
    assert attn is not None
    assert torch.count_nonzero(torch.triu(attn, diagonal=1)) == 0
    assert torch.allclose(attn.sum(-1), torch.ones(5), atol=1e-5)


def test_attention_per_head_and_recurrent_traces() -> None:
    """Per-head maps (heads×T×T, their mean is ``attention``); LSTM blocks that output only
    their last step still give the hidden state at every step (T×units)."""
    from netbuilder.core.builder import chain
    from netbuilder.core.compile import compile_diagram
    from netbuilder.core.diagram import Diagram
    from netbuilder.train.capture import TRACE_UNITS

    d = Diagram()
    chain(
        d,
        ("SequenceInput", {"length": 7, "features": 8}, "seq"),
        ("SelfAttention", {"num_heads": 2}, "attn"),
        ("LSTM", {"hidden_size": 20, "output": "last"}, "lstm"),
        ("Output", {}, "out"),
    )
    torch.manual_seed(0)
    model = compile_diagram(d).eval()
    x = torch.randn(3, 7, 8)
    found = capture_activations(model, x)
    heads = found["attn"].heads
    assert heads is not None and heads.shape == (2, 7, 7)
    assert torch.allclose(heads.mean(0), found["attn"].attention)
    _, expected = torch.nn.MultiheadAttention.forward(
        model.attn, x, x, x, need_weights=True, average_attn_weights=False
    )
    assert torch.allclose(heads, expected[0], atol=1e-6)
    trace = found["lstm"].trace
    assert trace is not None and trace.shape == (7, TRACE_UNITS)
    with torch.no_grad():
        seq, _ = torch.nn.LSTM.forward(model.lstm, model.attn(x[:1]))
    assert torch.allclose(trace, seq[0, :, :TRACE_UNITS], atol=1e-6)
    assert torch.allclose(trace[-1], found["lstm"].sample[:TRACE_UNITS], atol=1e-6)
    assert found["attn"].trace is None and found["lstm"].attention is None


def test_captures_are_spaced_in_time_as_well_as_in_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A viewer drawing twice a second needs no more captures: with ``min_seconds`` a due
    step that comes too soon is skipped (activations and gradients alike); the first step
    is always captured."""
    import netbuilder.train.capture as capture_module
    from netbuilder.core.compile import compile_diagram

    clock = [100.0]
    monkeypatch.setattr(capture_module.time, "monotonic", lambda: clock[0])
    model = compile_diagram(mlp())
    x = torch.randn(2, 1, 8, 8)
    hook = ActivationCapture(x, interval=2, min_seconds=0.25, keep=100)
    hook.on_start(model, torch.optim.SGD(model.parameters(), lr=0.1))
    for _ in range(12):  # one step every 0.1 s
        model(x).sum().backward()
        hook.after_backward(None)
        hook.after_step()
        clock[0] += 0.1
    assert set(hook.captures) >= {"fc1", "fc2"}
    steps = [c.step for c in hook.captures["fc1"]]
    # due every 2 steps (2, 4, 6, ...), but at most one per 0.25 s: 1 (t=0), 4 (t=0.3),
    # 8 (t=0.7), 12 (t=1.1); 6 and 10 come 0.2 s after the last capture
    assert steps == [1, 4, 8, 12]
    assert [g.step for g in hook.gradients["fc1"]] == steps
    plain = ActivationCapture(x, interval=2, keep=100)
    plain.on_start(model, torch.optim.SGD(model.parameters(), lr=0.1))
    for _ in range(6):
        model(x).sum().backward()
        plain.after_backward(None)
        plain.after_step()
    assert [c.step for c in plain.captures["fc1"]] == [1, 2, 4, 6]


def test_first_capture_waits_for_the_start_up_and_an_epoch_end_makes_sure_of_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window's capture starts ``first_after`` seconds into the run (not on step 1,
    inside its busy start-up); a run that ends an epoch before that is captured then."""
    import netbuilder.train.capture as capture_module
    from netbuilder.core.compile import compile_diagram

    clock = [100.0]
    monkeypatch.setattr(capture_module.time, "monotonic", lambda: clock[0])
    model = compile_diagram(mlp())
    x = torch.randn(2, 1, 8, 8)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def steps(hook: ActivationCapture, n: int) -> None:
        for _ in range(n):
            model(x).sum().backward()
            hook.after_backward(None)
            hook.after_step()
            clock[0] += 0.1

    hook = ActivationCapture(x, interval=2, min_seconds=0.25, first_after=0.35, keep=100)
    hook.on_start(model, optimizer)
    steps(hook, 12)
    # 5 is the first step 0.35 s in; then every 2nd step at least 0.25 s apart: 8, 12
    assert [c.step for c in hook.captures["fc1"]] == [5, 8, 12]
    assert [g.step for g in hook.gradients["fc1"]] == [5, 8, 12]
    short = ActivationCapture(x, interval=2, first_after=10.0, keep=100)
    short.on_start(model, optimizer)
    steps(short, 3)
    assert short.captures == {} and short.gradients == {}
    short.on_epoch_end(1, {})  # nothing yet: the epoch's end is captured
    assert [c.step for c in short.captures["fc1"]] == [3] and "fc1" in short.gradients
    short.on_epoch_end(2, {})  # once only
    assert len(short.captures["fc1"]) == 1
