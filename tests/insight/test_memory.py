"""Training-memory prediction against a real step, fit verdicts and the largest batch."""

from __future__ import annotations

import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import check
from netbuilder.train.config import TrainConfig
from netbuilder.train.memory import measure_step, predict_memory
from tests.insight.models import deep_mlp


def _optimizer(name: str, model: torch.nn.Module) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return (
        torch.optim.AdamW(model.parameters())
        if name == "adamw"
        else torch.optim.Adam(model.parameters())
    )


def _measure(d: Diagram, optimizer: str, batch: int, device: str = "cpu") -> int:
    analysis = check(d)
    torch.manual_seed(0)
    model = compile_diagram(d, analysis).to(device)
    spec = analysis.nodes[analysis.input_nodes()[0]].outputs["out"]
    x = spec.example(batch, device)
    measured = measure_step(
        model, x, lambda out: out.float().log_softmax(-1).mean(), _optimizer(optimizer, model)
    )
    return measured.total


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_prediction_within_15_percent_of_a_real_step(
    examples: list[tuple[str, Diagram]], optimizer: str
) -> None:
    for name, d in examples:
        config = TrainConfig.from_dict(d.training).replace(optimizer=optimizer)
        for batch in (4, 32):
            predicted = predict_memory(d, config, batch, "cpu").steady
            measured = _measure(d, optimizer, batch)
            assert predicted == pytest.approx(measured, rel=0.15), (name, batch)


def test_parts_follow_the_settings() -> None:
    d = deep_mlp(6, width=32)
    base = TrainConfig(optimizer="adam", device="cpu", mixed_precision="off")
    adam = predict_memory(d, base, 16, "cpu", available=None)
    sgd = predict_memory(d, base.replace(optimizer="sgd"), 16, "cpu", available=None)
    assert adam.gradients == adam.weights == 3 * (32 * 32 + 32) * 4
    assert adam.optimizer_state == 2 * adam.weights and sgd.optimizer_state == adam.weights
    double = predict_memory(d, base, 32, "cpu", available=None)
    assert double.activations == 2 * adam.activations
    bf16 = predict_memory(d, base.replace(mixed_precision="bf16"), 512, "cpu", available=None)
    fp32 = predict_memory(d, base, 512, "cpu", available=None)
    assert bf16.activations < fp32.activations and bf16.notes
    assert adam.fits is None and "unknown" in adam.verdict()


def test_largest_batch_and_a_warning_that_never_blocks() -> None:
    d = deep_mlp(6, width=32)
    config = TrainConfig(device="cpu")
    small = predict_memory(d, config, 64, "cpu", available=lambda _dev: 10**12)
    assert small.fits and "fits" in small.verdict()
    limit = small.total  # free memory for exactly this batch, with the headroom
    tight = predict_memory(d, config, 64, "cpu", available=int(limit / 0.9) + 1)
    assert tight.fits and tight.max_batch is not None and 64 <= tight.max_batch < 70
    over = predict_memory(d, config, 1024, "cpu", available=int(limit / 0.9))
    assert over.fits is False and over.verdict().startswith("warning:")
    assert "can still be started" in over.verdict()
    assert over.max_batch == tight.max_batch - 1 or over.max_batch == tight.max_batch


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_peak_within_15_percent(examples: list[tuple[str, Diagram]]) -> None:
    for name, d in examples:
        config = TrainConfig.from_dict(d.training).replace(mixed_precision="off")
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        _measure(d, config.optimizer, 256, "cuda")
        peak = torch.cuda.max_memory_allocated() - base
        predicted = predict_memory(d, config, 256, "cuda").total
        assert predicted == pytest.approx(peak, rel=0.15), name
