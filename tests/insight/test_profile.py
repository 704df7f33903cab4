"""Per-block cost: FLOPs, weights, activation memory, timing, and blocks that cannot be profiled."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.profile import _recurrent_flops, profile
from netbuilder.core.shapes import check
from netbuilder.core.timing import time_blocks
from tests.insight.models import resnet18


def test_resnet18_matches_the_published_gmacs() -> None:
    d = resnet18()
    analysis = check(d)
    assert analysis.ok, analysis.errors
    prof = profile(d, analysis)
    assert prof.complete
    assert prof.total_params == 11_689_512  # torchvision resnet18
    macs = prof.total_flops / 2  # FlopCounterMode counts a multiply-add as 2 FLOPs
    assert macs == pytest.approx(1.82e9, rel=0.02)  # "1.8 GFLOPs" (He et al. 2016, table 1)
    assert prof.blocks["stem_conv"].flops == 2 * 64 * 3 * 7 * 7 * 112 * 112


def test_block_figures_match_a_hand_count() -> None:
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 3, "height": 8, "width": 8}, "img"),
        ("Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}, "conv"),
        ("ReLU", {}, "relu"),
        ("Flatten", {}, "flat"),
        ("Linear", {"out_features": 5}, "fc"),
        ("Output", {}, "out"),
    )
    prof = profile(d)
    conv, relu, flat, fc = (prof.blocks[n] for n in ("conv", "relu", "flat", "fc"))
    assert conv.flops == 2 * 4 * 3 * 9 * 64
    assert conv.params == 4 * 3 * 9 + 4 and conv.param_bytes == conv.params * 4
    assert conv.activation_bytes == 4 * 64 * 4
    assert fc.flops == 2 * 256 * 5
    assert relu.flops == 0 and flat.params == 0
    # The image (kept by the conv), the ReLU output (kept by the ReLU and, through the
    # Flatten view, by the Linear) once each: no double counting.
    assert prof.saved_bytes_per_sample == 3 * 64 * 4 + 4 * 64 * 4
    # credited to the producer, or for the input data to the first block that keeps it
    assert (conv.saved_bytes, relu.saved_bytes, flat.saved_bytes, fc.saved_bytes) == (
        3 * 64 * 4,
        4 * 64 * 4,
        0,
        0,
    )
    assert "fc" not in prof.unknown and set(prof.blocks) == {"conv", "relu", "flat", "fc"}


def test_unknown_shapes_give_a_reason_not_an_exception() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("Linear", {"out_features": 3}, "fc1"))
    d.add_node("Linear", {"out_features": 2}, node_id="loose")
    d.add_node("ReLU", {}, node_id="after_loose")
    d.connect("loose", "out", "after_loose", "in")
    prof = profile(d)
    assert prof.blocks["fc1"].flops == 24
    for nid in ("loose", "after_loose"):
        cost = prof.blocks[nid]
        assert cost.flops is None and cost.activation_bytes is None
        assert cost.reason.startswith("shape unknown")
    assert "not connected" in prof.blocks["loose"].reason
    assert set(prof.unknown) == {"loose", "after_loose"}


def test_recurrent_formula_agrees_with_the_flop_counter() -> None:
    for cls, kwargs in (
        (nn.LSTM, {"num_layers": 2, "bidirectional": True}),
        (nn.GRU, {}),
        (nn.RNN, {"num_layers": 2}),
    ):
        with torch.device("meta"):  # on meta the loop is unrolled into counted matmuls
            module = cls(3, 5, batch_first=True, **kwargs)
            x = torch.zeros(1, 4, 3)
        with FlopCounterMode(display=False) as counter:
            module(x)
        assert _recurrent_flops(module, 4) == counter.get_total_flops(), cls


def test_examples_profile_completely(examples: list[tuple[str, Diagram]]) -> None:
    for name, d in examples:
        prof = profile(d)
        assert prof.complete, (name, prof.unknown)
        assert prof.total_flops > 0 and prof.saved_bytes_per_sample > 0, name
        assert prof.total_params == check(d).total_params, name


def test_time_blocks_times_every_block() -> None:
    d = Diagram()
    chain(
        d,
        ("TabularInput", {"features": 8}, "x"),
        ("Linear", {"out_features": 16}, "fc1"),
        ("ReLU", {}, "act"),
        ("Linear", {"out_features": 2}, "fc2"),
        ("Output", {}, "out"),
    )
    times = time_blocks(d, batch_size=4, repeats=2)
    assert set(times) == {"fc1", "act", "fc2"}
    assert all(t > 0 for t in times.values())
