"""Trainer benchmarks: throughput against a hand-written loop, time to accuracy, control latency.

    python benchmarks/bench_train.py                 # everything, on the CPU
    python benchmarks/bench_train.py --only throughput --device cuda

Throughput runs the same model (same initial weights) on the same in-memory data, with the
same number of epochs and a validation pass per epoch, alternating ours / reference several
times and keeping each side's best (machines are noisy). The reference is the minimal loop
of the seed document: shuffled index batches, forward, loss, backward, step. Target: ratio
≥ 0.95.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, TensorData
from netbuilder.train.events import StatusEvent, StepEvent
from netbuilder.train.sources import load_data
from netbuilder.train.trainer import Trainer

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"
THROUGHPUT_CASES = {  # example -> (epochs per run, pairs at least)
    "cnn_image_classifier": (2, 1),
    "lstm_sequence_classifier": (3, 1),
    # tiny 1 ms steps: enough of them that fixed set-up cost does not dominate, and more
    # pairs, since identical 2 s runs of either loop vary up to 2x on a shared machine
    "mlp_regressor": (40, 11),
    "transformer_text_classifier": (1, 1),
}
TARGETS = {  # example -> (metric, goal)
    "cnn_image_classifier": ("val_accuracy", 0.95),
    "lstm_sequence_classifier": ("val_accuracy", 0.90),
    "transformer_text_classifier": ("val_accuracy", 0.90),
    "lenet5": ("val_accuracy", 0.90),
    "mlp_regressor": ("val_loss", 0.05),
    "small_resnet": ("val_accuracy", 0.95),
}


def _setup(name: str, device: str) -> tuple:  # type: ignore[type-arg]
    diagram = load(EXAMPLES / f"{name}.nbd")
    cfg = TrainConfig.from_dict(diagram.training).replace(device=device)
    return diagram, cfg, load_data(cfg, diagram)


def reference_loop(
    diagram, cfg: TrainConfig, data: DataBundle, epochs: int, device: str, bf16: bool
) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The seed document's plain loop (plus a validation pass per epoch).

    Returns (wall seconds, CPU seconds of this process).
    """
    torch.manual_seed(cfg.seed)
    model = compile_diagram(diagram).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = nn.MSELoss() if data.task == "regression" else nn.CrossEntropyLoss()
    assert isinstance(data.train, TensorData) and isinstance(data.val, TensorData)
    x, y = data.train.inputs.to(device), data.train.targets.to(device)
    xv, yv = data.val.inputs.to(device), data.val.targets.to(device)
    n, bs = len(x), cfg.batch_size
    amp = torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16, enabled=bf16)
    _sync(device)
    start, cpu = time.perf_counter(), time.process_time()
    running_loss = 0.0
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(epoch)).to(device)
        for i in range(0, n, bs):
            idx = perm[i : i + bs]
            with amp:
                loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running_loss += loss.item()  # the seed's loop reads the loss every step, as we do
        model.eval()
        with torch.no_grad(), amp:
            for i in range(0, len(xv), 256):
                loss_fn(model(xv[i : i + 256]), yv[i : i + 256])
    _sync(device)
    return time.perf_counter() - start, time.process_time() - cpu


def trainer_loop(
    diagram, cfg: TrainConfig, data: DataBundle, epochs: int, bf16: bool
) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Our Trainer with a GUI-like receiver (keeps the last step event): (wall s, CPU s).

    Timed from the status event sent just before the first step (setup such as compiling
    and the model/data check is excluded, as the reference's compile is), to the return.
    """
    last: list[object] = []
    marks: list[tuple[float, float]] = []

    def on_event(event: object) -> None:
        if isinstance(event, StepEvent):
            last[:] = [event]
        elif isinstance(event, StatusEvent) and event.message.startswith("training on"):
            marks.append((time.perf_counter(), time.process_time()))

    config = cfg.replace(epochs=epochs, mixed_precision="bf16" if bf16 else "off")
    result = Trainer(diagram, config, data, on_event=on_event).run()
    end, cpu = time.perf_counter(), time.process_time()
    assert result.error is None, result.error
    return end - marks[0][0], cpu - marks[0][1]


def throughput(device: str, repeats: int, bf16_modes: list[bool], cases: list[str]) -> None:
    """Samples/s by wall clock; ratios of the best runs and the median of paired runs.

    Other jobs on a shared machine only ever add time, so the best of several runs is the
    fairest single figure; the median of the per-pair ratios (each pair run back to back)
    shows how much the machine moved meanwhile. CPU-time ratios count less of other load.
    """
    print(f"\nThroughput on {device} (≥ {repeats} alternating pairs; same model, data, epochs)")
    print(
        f"{'example':30} {'bf16':5} {'ref samples/s':>14} {'ours samples/s':>15} "
        f"{'ratio best':>11} {'median pair':>12} {'ratio CPU':>10}"
    )
    for name in cases:
        epochs, min_pairs = THROUGHPUT_CASES[name]
        diagram, cfg, data = _setup(name, device)
        samples = len(data.train) * epochs
        for bf16 in bf16_modes:
            ours, ref = [], []
            reference_loop(diagram, cfg, data, 1, device, bf16)  # warm-up (allocator, kernels)
            for _ in range(max(repeats, min_pairs)):
                ref.append(reference_loop(diagram, cfg, data, epochs, device, bf16))
                ours.append(trainer_loop(diagram, cfg, data, epochs, bf16))
            r_wall, o_wall = min(w for w, _ in ref), min(w for w, _ in ours)
            r_cpu, o_cpu = min(c for _, c in ref), min(c for _, c in ours)
            paired = statistics.median(r[0] / o[0] for r, o in zip(ref, ours, strict=True))
            print(
                f"{name:30} {'on' if bf16 else 'off':5} {samples / r_wall:14.0f} "
                f"{samples / o_wall:15.0f} {r_wall / o_wall:11.3f} {paired:12.3f} "
                f"{r_cpu / o_cpu:10.3f}"
            )


def time_to_accuracy(device: str, names: list[str]) -> None:
    print(f"\nTime to accuracy on {device} (the example's saved settings)")
    print(f"{'example':30} {'goal':>14} {'reached at':>12} {'best':>8} {'total s':>8}")
    for name in names:
        diagram, cfg, _ = _setup(name, device)
        metric, goal = TARGETS[name]
        hits: list[float] = []
        start = time.perf_counter()

        def on_event(
            event: object,
            metric: str = metric,
            goal: float = goal,
            hits: list[float] = hits,
            start: float = start,
        ) -> None:
            value = getattr(event, metric, None)
            if value is None or hits:
                return
            if (value >= goal) if metric == "val_accuracy" else (value <= goal):
                hits.append(time.perf_counter() - start)

        result = Trainer(diagram, cfg, on_event=on_event).run()
        total = time.perf_counter() - start
        values = result.metrics[metric]
        best = max(values) if metric == "val_accuracy" else min(values)
        reached = f"{hits[0]:.1f} s" if hits else "not reached"
        print(
            f"{name:30} {metric[4:] + ' ' + format(goal, 'g'):>14} {reached:>12} "
            f"{best:8.4f} {total:8.1f}"
        )


def control_latency(rounds: int) -> None:
    """Seconds from pause()/stop() to the loop noticing, on a CNN (slowest step of the set)."""
    diagram, cfg, data = _setup("cnn_image_classifier", "cpu")
    cfg = cfg.replace(epochs=1000)
    pause_lat, stop_lat = [], []
    for _ in range(rounds):
        paused, stepped = threading.Event(), threading.Event()

        def on_event(event: object, paused=paused, stepped=stepped) -> None:  # type: ignore[no-untyped-def]
            if isinstance(event, StepEvent):
                stepped.set()
            if isinstance(event, StatusEvent) and event.message == "paused":
                paused.set()

        trainer = Trainer(diagram, cfg, data, on_event=on_event)
        thread = threading.Thread(target=trainer.run)
        thread.start()
        stepped.wait(60)
        time.sleep(random.uniform(0.0, 0.1))  # land anywhere inside a step, not just after one
        t = time.perf_counter()
        trainer.pause()
        paused.wait(10)
        pause_lat.append(time.perf_counter() - t)
        trainer.resume()
        time.sleep(random.uniform(0.2, 0.3))
        t = time.perf_counter()
        trainer.stop()
        thread.join(10)
        stop_lat.append(time.perf_counter() - t)
    print(f"\nControl latency over {rounds} runs (CNN example, CPU; target ≤ 0.5 s)")
    for label, values in (("pause", pause_lat), ("stop", stop_lat)):
        print(
            f"{label:6} median {statistics.median(values) * 1000:7.1f} ms   "
            f"max {max(values) * 1000:7.1f} ms"
        )


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=("throughput", "accuracy", "latency"))
    parser.add_argument("--examples", nargs="*", default=list(TARGETS))
    parser.add_argument("--cases", nargs="*", default=list(THROUGHPUT_CASES))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    bf16_modes = [False, True] if args.device.startswith("cuda") else [False]
    steps: dict[str, Callable[[], None]] = {
        "throughput": lambda: throughput(args.device, args.repeats, bf16_modes, args.cases),
        "accuracy": lambda: time_to_accuracy(args.device, args.examples),
        "latency": lambda: control_latency(10),
    }
    for key, step in steps.items():
        if args.only in (None, key):
            step()


if __name__ == "__main__":
    main()
