"""Will a training step fit? Peak-memory prediction from the diagram and training settings.

Peak training memory = weights + gradients + optimizer state + the activations autograd
saves for the backward pass + a workspace. The per-sample activation figures come from
``core.profile`` (each block run once on the ``meta`` device, shared tensors counted once),
so the prediction costs no real memory and no arithmetic. ``measure_step`` takes the same
figures from a real step (bytes of the tensors autograd saves, via
``torch.autograd.graph.saved_tensors_hooks``, plus weights, gradients and optimizer state),
which is how the prediction is validated.

A prediction that does not fit is a warning for the user, never a reason to refuse to
start: allocators, fused kernels and other programs make any prediction approximate.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from netbuilder.core.diagram import Diagram
from netbuilder.core.profile import Profile, profile
from netbuilder.core.shapes import Analysis, check
from netbuilder.train.config import TrainConfig

#: Share of the free memory a prediction may use: the rest is left for fragmentation,
#: the framework's own buffers and whatever else runs on the machine.
HEADROOM = 0.9
#: cuBLAS/cuDNN workspaces and allocator rounding on CUDA devices.
CUDA_WORKSPACE = 64 * 1024**2
#: Optimizer statistics per weight, in copies of the weights (SGD here uses momentum).
OPTIMIZER_COPIES = {"sgd": 1, "adam": 2, "adamw": 2}


@dataclass
class MemoryPrediction:
    """Predicted bytes of one training step, and whether it fits the device."""

    batch_size: int
    device: str
    weights: int
    gradients: int
    optimizer_state: int
    activations: int
    workspace: int
    available: int | None  # free memory on the device; None when it cannot be known
    max_batch: int | None  # the largest batch that fits; None when unknown or unlimited
    notes: list[str] = field(default_factory=list)

    @property
    def steady(self) -> int:
        """What stays allocated through the backward pass (what ``measure_step`` measures)."""
        return self.weights + self.gradients + self.optimizer_state + self.activations

    @property
    def total(self) -> int:
        return self.steady + self.workspace

    @property
    def fits(self) -> bool | None:
        if self.available is None:
            return None
        return self.total <= self.available * HEADROOM

    def verdict(self) -> str:
        """One line for the user: the prediction and whether it fits."""
        head = (
            f"predicted peak training memory {format_bytes(self.total)} at batch size "
            f"{self.batch_size} on {self.device}"
        )
        if self.available is None:
            return f"{head} (free memory unknown)"
        largest = "" if self.max_batch is None else f"; largest batch that fits: {self.max_batch}"
        if self.fits:
            return f"{head}: fits in {format_bytes(self.available)} free{largest}"
        return (
            f"warning: {head} may not fit in {format_bytes(self.available)} free{largest} "
            "(training can still be started)"
        )


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover - loop always returns


def available_memory(device: str | torch.device) -> int | None:
    """Free bytes on ``device``: free GPU memory for CUDA, available RAM for the CPU."""
    device = torch.device(device)
    if device.type == "cuda":
        try:
            free, _total = torch.cuda.mem_get_info(device)
        except RuntimeError:
            return None
        return int(free)
    if device.type == "cpu":
        try:
            with open("/proc/meminfo", encoding="ascii") as f:
                for line in f:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        try:
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return None
    return None  # MPS shares memory with the system in ways torch does not report


def predict_memory(
    diagram: Diagram,
    config: TrainConfig,
    batch_size: int | None = None,
    device: str | torch.device | None = None,
    analysis: Analysis | None = None,
    prof: Profile | None = None,
    available: int | Callable[[torch.device], int | None] | None = available_memory,
) -> MemoryPrediction:
    """Predict one training step's peak memory under ``config`` (optimizer, precision, batch).

    ``device`` defaults to the config's (``auto`` resolved as the trainer does). Blocks that
    cannot be profiled are left out, and a note says so.
    """
    from netbuilder.train.setup import resolve_device, use_bf16

    analysis = analysis or check(diagram)
    prof = prof or profile(diagram, analysis)
    batch = batch_size or config.batch_size
    dev = torch.device(device) if device is not None else resolve_device(config.device)
    bf16 = use_bf16(config.mixed_precision, dev)
    weights = prof.total_param_bytes
    opt = OPTIMIZER_COPIES.get(config.optimizer, 2) * weights
    per_sample = prof.saved_bytes_per_sample
    notes = []
    if bf16:
        # Autocast keeps bf16 copies: about half the activation bytes, plus the weights'
        # bf16 casts held for the backward pass. Validated on float32 only.
        per_sample //= 2
        weights_cast = weights // 2
        notes.append("bf16 autocast: activation memory is an estimate (about half of float32)")
    else:
        weights_cast = 0
    work_per_sample = prof.workspace_bytes_per_sample
    fixed = weights * 2 + opt + weights_cast + (CUDA_WORKSPACE if dev.type == "cuda" else 0)
    free = available(dev) if callable(available) else available
    max_batch = None
    if free is not None and per_sample + work_per_sample > 0:
        room = free * HEADROOM - fixed
        max_batch = max(0, int(room // (per_sample + work_per_sample)))
    if prof.unknown:
        notes.append(f"{len(prof.unknown)} block(s) could not be profiled and are not counted")
    return MemoryPrediction(
        batch_size=batch,
        device=str(dev),
        weights=weights,
        gradients=weights,
        optimizer_state=opt,
        activations=per_sample * batch + weights_cast,
        workspace=work_per_sample * batch + (CUDA_WORKSPACE if dev.type == "cuda" else 0),
        available=free,
        max_batch=max_batch,
        notes=notes,
    )


@dataclass
class MeasuredStep:
    """Bytes held during one real training step (see ``measure_step``)."""

    saved: int
    weights: int
    gradients: int
    optimizer_state: int

    @property
    def total(self) -> int:
        return self.saved + self.weights + self.gradients + self.optimizer_state


def measure_step(
    model: nn.Module,
    inputs: torch.Tensor,
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
) -> MeasuredStep:
    """Run one real step and measure what it held: the storages autograd saved for the
    backward pass (each once; weights excluded), then weights, gradients and optimizer state.
    """
    weight_keys = {p.untyped_storage()._cdata for p in [*model.parameters(), *model.buffers()]}
    saved: dict[int, torch.Tensor] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        key = t.untyped_storage()._cdata
        if key not in weight_keys:
            saved.setdefault(key, t)
        return t

    model.train()
    optimizer.zero_grad(set_to_none=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = loss_fn(model(inputs))
    saved_bytes = sum(t.untyped_storage().nbytes() for t in saved.values())
    saved.clear()
    loss.backward()
    optimizer.step()
    params = list(model.parameters())
    state = [
        v for s in optimizer.state.values() for v in s.values() if torch.is_tensor(v) and v.dim()
    ]
    return MeasuredStep(
        saved=saved_bytes,
        weights=sum(p.numel() * p.element_size() for p in params),
        gradients=sum(p.grad.numel() * p.grad.element_size() for p in params if p.grad is not None),
        optimizer_state=sum(v.numel() * v.element_size() for v in state),
    )
