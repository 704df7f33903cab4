"""Core engine benchmarks. Run: ``python benchmarks/bench_core.py`` (``--quick`` for a short run).

Two tables, each row with its target and the ratio to it:

(a) Training-step throughput of the module ``compile_diagram`` builds against the same
    network written by hand (LeNet-5, a small ResNet, an LSTM and a Transformer classifier).
    Both start from the same weights and train on the same batch in the same process;
    single steps are interleaved (ours/reference, then reference/ours) so drift in machine
    load hits both alike. The ratio is median steps/s ours / reference; target ≥ 0.98.
(b) Checking a 500-node diagram: a full check with an empty cache (target ≤ 200 ms), a full
    check of an unchanged diagram, and re-checks after one parameter edit (target ≤ 30 ms),
    both an edit that keeps shapes and one that changes every shape downstream.

Single-threaded torch, timed in process CPU time, so that numbers on a shared 2-core machine
mean something (wall-clock time would count other processes' turns on the CPU).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the hand-written references live with the tests

from netbuilder.core.builder import chain  # noqa: E402
from netbuilder.core.compile import compile_diagram  # noqa: E402
from netbuilder.core.diagram import Diagram  # noqa: E402
from netbuilder.core.shapes import ShapeChecker  # noqa: E402
from tests.core.reference_models import (  # noqa: E402
    LeNet5,
    LSTMClassifier,
    ResNet,
    TransformerClassifier,
    dotted_to_node,
    lenet5_diagram,
    lstm_diagram,
    map_reference_keys,
    resnet_diagram,
    transformer_diagram,
)

# --------------------------------------------------------------------------- (a) training


def _same_key(key: str) -> str:
    return key


def _training_cases() -> list[tuple[str, nn.Module, Diagram, Callable[[str], str], tuple]]:
    """(name, reference, diagram, key mapping, (inputs, targets)) for each network."""
    small = {"widths": (16, 32, 64), "blocks": 2, "classes": 10, "stem_kernel": 3}
    g = torch.Generator().manual_seed(0)
    return [
        (
            "LeNet-5",
            LeNet5(),
            lenet5_diagram(),
            dotted_to_node,
            (torch.randn(64, 1, 32, 32, generator=g), torch.randint(0, 10, (64,), generator=g)),
        ),
        (
            "small ResNet",
            ResNet(**small),
            resnet_diagram(size=32, **small),
            dotted_to_node,
            (torch.randn(32, 3, 32, 32, generator=g), torch.randint(0, 10, (32,), generator=g)),
        ),
        (
            "LSTM",
            LSTMClassifier(),
            lstm_diagram(),
            dotted_to_node,
            (torch.randn(64, 20, 8, generator=g), torch.randint(0, 5, (64,), generator=g)),
        ),
        (
            "Transformer",
            TransformerClassifier(),
            transformer_diagram(),
            _same_key,
            (
                torch.randint(0, 100, (64, 16), generator=g),
                torch.randint(0, 3, (64,), generator=g),
            ),
        ),
    ]


def _steps_per_second(
    model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, steps: int
) -> float:
    start = time.process_time()  # CPU time: other processes on the machine do not count
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return steps / (time.process_time() - start)


def bench_training(repeats: int, steps: int) -> list[tuple[str, float, float, float]]:
    rows = []
    for name, reference, diagram, mapping, (x, y) in _training_cases():
        torch.manual_seed(0)
        ours = compile_diagram(diagram)
        ours.load_state_dict(map_reference_keys(reference, mapping))
        models = {"ours": ours.train(), "ref": reference.train()}
        opts = {k: torch.optim.SGD(m.parameters(), lr=0.01) for k, m in models.items()}
        for k in models:  # warm-up: allocator, autograd caches
            _steps_per_second(models[k], opts[k], x, y, 3)
        speed: dict[str, list[float]] = {"ours": [], "ref": []}
        for r in range(repeats):  # alternate which model goes first, step by step
            order = ("ours", "ref") if r % 2 == 0 else ("ref", "ours")
            for k in order:
                speed[k].append(_steps_per_second(models[k], opts[k], x, y, steps))
        ours_speed, ref_speed = statistics.median(speed["ours"]), statistics.median(speed["ref"])
        rows.append((name, ours_speed, ref_speed, ours_speed / ref_speed))
    return rows


# --------------------------------------------------------------------------- (b) checking


def big_diagram(target: int = 500) -> Diagram:
    """A 500-node two-input network: a widening residual CNN and a recurrent/attention branch.

    Widths and BatchNorm momenta vary, so a cold check really works out most nodes.
    """
    d = Diagram()
    chain(
        d,
        ("SequenceInput", {"length": 24, "features": 16}, "seq"),
        ("LSTM", {"hidden_size": 32, "output": "sequence"}, "lstm"),
        ("GRU", {"hidden_size": 32, "output": "sequence", "bidirectional": True}, "gru"),
        ("PositionalEncoding", {}, "pos"),
        ("TransformerEncoderLayer", {"nhead": 4, "dim_feedforward": 64}, "enc1"),
        ("SelfAttention", {"num_heads": 4}, "attn"),
        ("LayerNorm", {}, "ln"),
        ("TransformerEncoder", {"nhead": 2, "num_layers": 2}, "enc2"),
        ("SequencePool", {}, "seqpool"),
    )
    x = chain(
        d,
        ("ImageInput", {"channels": 3, "height": 32, "width": 32}, "image"),
        ("Conv2d", {"out_channels": 16, "padding": 1}, "stem"),
    )
    width, i = 16, 0
    while len(d) < target - 5:
        i += 1
        main = chain(
            d,
            ("Conv2d", {"out_channels": width, "padding": 1, "bias": False}),
            ("BatchNorm2d", {"momentum": round(0.1 + i / 1000, 4)}),
            "ReLU",
            ("Conv2d", {"out_channels": width, "padding": 1, "bias": False}),
            "BatchNorm2d",
            after=x,
        )
        add = d.add_node("Add")
        d.connect(x, "out", add, "in1")
        d.connect(main, "out", add, "in2")
        x = chain(d, "ReLU", after=add)
        if i % 6 == 0:
            width += 8
            x = chain(d, ("Conv2d", {"out_channels": width, "kernel_size": 1}), after=x)
    x = chain(d, "GlobalAvgPool", after=x)
    cat = d.add_node("Concatenate", node_id="join")
    d.connect(x, "out", cat, "in1")
    d.connect("seqpool", "out", cat, "in2")
    chain(d, ("Linear", {"out_features": 10}), "Output", after=cat)
    return d


def _ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1e3)
    return statistics.median(times)


def bench_check(runs: int) -> tuple[int, list[tuple[str, float, float]]]:
    d = big_diagram()
    checker = ShapeChecker()
    first = checker.check(d)
    assert first.ok, [str(x) for x in first.errors[:5]]
    cold = _ms(lambda: ShapeChecker().check(d), max(3, runs // 4))
    warm = _ms(lambda: checker.check(d), runs)

    bns = [n for n, node in d.nodes.items() if node.type == "BatchNorm2d"]
    edits = iter(range(10**6))

    def edit_keeping_shapes() -> None:
        k = next(edits)
        d.set_param(bns[len(bns) // 2], "momentum", 0.2 + (k % 50) / 1000)
        checker.check(d)

    def edit_changing_shapes() -> None:
        k = next(edits)
        d.set_param("image", "height", 32 + 8 * (k % 2))
        analysis = checker.check(d)
        assert analysis.ok

    keep = _ms(edit_keeping_shapes, runs)
    change = _ms(edit_changing_shapes, runs)
    return len(d), [
        ("full check, empty cache", cold, 200.0),
        ("full check, unchanged diagram", warm, 200.0),
        ("re-check after one edit (BatchNorm momentum)", keep, 30.0),
        ("re-check after one edit (image height: all shapes change)", change, 30.0),
    ]


# --------------------------------------------------------------------------- report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    repeats, steps, runs = (10, 1, 8) if args.quick else (120, 1, 40)

    print(
        f"torch {torch.__version__}, 1 thread, CPU time; {repeats} interleaved repeats "
        f"of {steps} step(s)"
    )
    print()
    print("(a) training steps per second: compiled diagram vs hand-written nn.Module")
    print(f"  {'network':<14} {'ours':>9} {'hand':>9} {'ratio':>7} {'target':>7}  status")
    for name, ours, ref, ratio in bench_training(repeats, steps):
        status = "ok" if ratio >= 0.98 else "MISSED"
        print(f"  {name:<14} {ours:>9.1f} {ref:>9.1f} {ratio:>7.3f} {'>=0.98':>7}  {status}")
    print()
    nodes, rows = bench_check(runs)
    print(f"(b) checking a {nodes}-node diagram (median ms)")
    print(f"  {'case':<58} {'ms':>7} {'target':>7} {'ms/target':>9}  status")
    for name, ms, target in rows:
        status = "ok" if ms <= target else "MISSED"
        print(f"  {name:<58} {ms:>7.1f} {target:>7.0f} {ms / target:>9.2f}  {status}")


if __name__ == "__main__":
    main()
