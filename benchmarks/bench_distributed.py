"""Distributed training throughput on this machine (issue 12): 1 vs 2 processes, DDP overhead.

For two workloads (the CNN example on the built-in shapes, the MLP regression example) it
measures, in one run:
  * samples/s of a hand-written plain PyTorch loop (the reference) and of ``netbuilder
    train`` in one process, each with one intra-op thread, and ``netbuilder train`` with
    all cores as threads (what one process gets without DDP);
  * samples/s of a hand-written DDP loop under torchrun with 2 gloo processes (reference)
    and of ``netbuilder train --nproc 2`` (the same launch), one thread each;
  * scaling efficiency = samples/s with 2 processes / (2 × samples/s with 1 process);
  * per-step overhead of DDP itself: the hand-written loop wrapped in DDP with a world of
    one (gloo), minus the plain loop, in ms per step; and for our trainer, the per-step cost
    of its 2-process run beyond the hand-written 2-process DDP loop.
``netbuilder`` throughput is read from the run's ``events.jsonl`` (rank 0's step events,
global samples), the median after the first epoch, so start-up and validation are excluded.

A 2-core machine shared with other work is the worst case for scaling: two processes with
one thread each compete with everything else, and gloo's all-reduce goes through the
loopback TCP stack. On GPUs with NCCL the gradient all-reduce overlaps the backward pass;
that is not measured here (no multi-GPU machine was available).

Run:  python benchmarks/bench_distributed.py [--steps 150]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = {
    "CNN, shapes, batch 64": ("cnn_image_classifier.nbd", 64),
    "MLP, regression, batch 64": ("mlp_regressor.nbd", 64),
}


def _prepare(example: str, batch: int) -> tuple[object, object, object, object]:
    from netbuilder.core.compile import compile_diagram
    from netbuilder.core.io import load
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.data import load_data
    from netbuilder.train.setup import LossAdapter

    diagram = load(ROOT / "resources" / "examples" / example)
    config = TrainConfig.from_dict({**diagram.training, "batch_size": batch, "device": "cpu"})
    data = load_data(config, diagram)
    torch.manual_seed(0)
    model = compile_diagram(diagram)
    loss = LossAdapter(config.loss, data)
    x, y = data.train.inputs, loss.targets(data.train.targets)  # type: ignore[attr-defined]
    return model, loss, x, y


def hand_loop(example: str, batch: int, steps: int, ddp: bool = False) -> float:
    """Seconds per step of the plain loop (optionally under DDP); samples/s is batch/that."""
    model, loss, x, y = _prepare(example, batch)
    rank, world = 0, 1
    if ddp:
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel

        if not dist.is_initialized():
            dist.init_process_group("gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        model = DistributedDataParallel(model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)  # type: ignore[attr-defined]
    g = torch.Generator().manual_seed(0)
    n = len(x)  # type: ignore[arg-type]

    def step() -> None:
        idx = torch.randint(0, n, (batch,), generator=g)[rank::world]
        out = model(x[idx])  # type: ignore[index,operator]
        value = loss(out, y[idx])  # type: ignore[index,operator]
        opt.zero_grad(set_to_none=True)
        value.backward()
        opt.step()
        value.item()  # the trainer reads every step's loss too

    for _ in range(10):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def _worker(example: str, batch: int, steps: int) -> None:
    """Run under torchrun: the hand-written DDP loop; rank 0 prints seconds per step."""
    import torch.distributed as dist

    torch.set_num_threads(1)
    sec = hand_loop(example, batch, steps, ddp=True)
    if dist.get_rank() == 0:
        print(json.dumps({"sec_per_step": sec}), flush=True)
    dist.destroy_process_group()


def _env(threads: int) -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONUNBUFFERED": "1"}


def torchrun_reference(example: str, batch: int, steps: int) -> float:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    cmd += [__file__, "--worker", example, "--batch", str(batch), "--steps", str(steps)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env(1), check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("{"))
    return float(json.loads(line)["sec_per_step"])


def netbuilder_rate(example: str, batch: int, epochs: int, nproc: int, threads: int) -> float:
    """Median samples/s of ``netbuilder train`` after its first epoch, from events.jsonl."""
    from netbuilder.train.events import StepEvent
    from netbuilder.train.runlog import EventFollower, run_folder

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "m.pt"
        nbd = ROOT / "resources" / "examples" / example
        cmd = [sys.executable, "-m", "netbuilder", "train", str(nbd)]
        cmd += ["--epochs", str(epochs), "--batch-size", str(batch), "--device", "cpu"]
        cmd += ["--out", str(out), "-q"] + (["--nproc", str(nproc)] if nproc > 1 else [])
        subprocess.run(cmd, capture_output=True, text=True, env=_env(threads), check=True)
        steps = [r for r in EventFollower(run_folder(out)).read_all() if isinstance(r, StepEvent)]
    later = [s.samples_per_s for s in steps if s.epoch > 1 and s.samples_per_s > 0]
    return statistics.median(later)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--worker")
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.batch, args.steps)
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"torch {torch.__version__}, {cores} cores available, gloo on the CPU\n")
    for name, (example, batch) in WORKLOADS.items():
        torch.set_num_threads(1)
        plain = hand_loop(example, batch, args.steps)
        ddp1 = hand_loop(example, batch, args.steps, ddp=_single_rank_group())
        _leave_group()
        ref2 = torchrun_reference(example, batch, args.steps)
        ours1 = netbuilder_rate(example, batch, args.epochs, 1, 1)
        ours1_all = netbuilder_rate(example, batch, args.epochs, 1, cores or 1)
        ours2 = netbuilder_rate(example, batch, args.epochs, 2, 1)
        rows = [
            ("hand-written loop, 1 process, 1 thread", batch / plain),
            ("netbuilder train, 1 process, 1 thread", ours1),
            (f"netbuilder train, 1 process, {cores} threads", ours1_all),
            ("hand-written DDP loop, 2 processes (torchrun)", batch / ref2),
            ("netbuilder train --nproc 2", ours2),
        ]
        print(f"{name}")
        for label, rate in rows:
            print(f"  {label:<48} {rate:10.0f} samples/s")
        print(f"  {'scaling efficiency, hand-written (2p / 2×1p)':<48} {plain / ref2 / 2:10.2f}")
        print(f"  {'scaling efficiency, netbuilder (2p / 2×1p)':<48} {ours2 / ours1 / 2:10.2f}")
        print(f"  {'ours / hand-written, 1 process':<48} {ours1 / (batch / plain):10.2f}")
        print(f"  {'ours / hand-written, 2 processes':<48} {ours2 / (batch / ref2):10.2f}")
        print(f"  {'DDP overhead per step, world of 1 (ms)':<48} {(ddp1 - plain) * 1e3:10.2f}")
        print(
            f"  {'2-process step: ours − hand-written DDP (ms)':<48} "
            f"{(batch / ours2 - ref2) * 1e3:10.2f}\n"
        )


def _single_rank_group() -> bool:
    """A gloo group of one process (for DDP's own per-step cost without any peer)."""
    import torch.distributed as dist

    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(29500 + os.getpid() % 1000))
    dist.init_process_group("gloo", rank=0, world_size=1)
    return True


def _leave_group() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
