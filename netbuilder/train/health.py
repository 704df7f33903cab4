"""Gradient health per block: gradient norm and update/weight ratio over time, and the
step where a block's gradients vanished, exploded or stopped being finite.

Sampled every ``interval`` steps, so the cost stays at a few percent of training: on a
sampled step the norms of every block's gradients are computed on the device, the weights
are copied before the optimizer step and compared after it, and all the figures come back
to the host in one transfer. The update/weight ratio (||Δw|| / ||w||, about 1e-3 is
healthy) says whether the learning rate suits each block. On a NaN failure ``blame``
re-runs the failing batch block by block, with the weights as they were before that
step's update (a NaN gradient makes every weight NaN after the step, which would blame the
first block), and names the first block whose output went non-finite, using ``node_id``
from the compiled graph's meta. Keeping those weights is one copy of them per step;
``locate_nan=False`` turns it off.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from netbuilder.core.i18n import _
from netbuilder.train.hooks import TrainHook, block_of, first_nonfinite_block

DEFAULT_INTERVAL = 20
VANISH = 1e-7  # gradient norm below this (for ``patience`` samples): vanished
EXPLODE = 1e3  # gradient norm above this, or this many times its first sample: exploded
PATIENCE = 3


@dataclass(frozen=True, slots=True)
class HealthIssue:
    node_id: str
    kind: str  # "vanishing" | "exploding" | "non-finite"
    step: int  # the step where it began
    value: float

    def message(self) -> str:
        norm = f"{self.value:.1e}"
        what = {
            "vanishing": _("gradients vanished (norm {norm})"),
            "exploding": _("gradients exploded (norm {norm})"),
            "non-finite": _("gradients became NaN/Inf"),
        }[self.kind].format(norm=norm)
        return _("block '{block}': {what} from step {step}").format(
            block=self.node_id, what=what, step=self.step
        )


@dataclass
class BlockHealth:
    steps: list[int] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    update_ratio: list[float] = field(default_factory=list)


class HealthMonitor(TrainHook):
    """Records per-block gradient health; see the module docstring."""

    def __init__(
        self,
        interval: int = DEFAULT_INTERVAL,
        on_issue: Callable[[HealthIssue], None] | None = None,
        locate_nan: bool = True,
    ) -> None:
        self.interval = max(1, interval)
        self.locate_nan = locate_nan
        self.on_issue = on_issue
        self.blocks: dict[str, BlockHealth] = {}
        self.issues: list[HealthIssue] = []
        self.step = 0
        self._groups: dict[str, list[nn.Parameter]] = {}
        self._model: nn.Module | None = None
        self._inputs: Any = None
        self._params: list[nn.Parameter] = []
        self._snapshot: list[torch.Tensor] | None = None  # the weights before this step
        self._snapshot_step = 0
        self._sampling = False
        self._grad_norms: torch.Tensor | None = None
        self._streak: dict[tuple[str, str], int] = {}
        self._streak_start: dict[tuple[str, str], int] = {}
        self._first: dict[str, float] = {}
        self._open: set[tuple[str, str]] = set()
        self._epoch_start = 0  # index into each block's samples where this epoch began

    # ------------------------------------------------------------------ trainer hooks
    def on_start(self, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        self._model = model
        owners = block_of(model)
        self._groups = {}
        for name, p in model.named_parameters():
            if p.requires_grad:
                self._groups.setdefault(owners[name], []).append(p)
        self.blocks = {nid: BlockHealth() for nid in self._groups}
        self._params = [p for ps in self._groups.values() for p in ps]
        self._snapshot = None

    def after_backward(self, inputs: Any) -> None:
        self.step += 1
        self._inputs = inputs
        self._sampling = self._sampled()
        if not (self._sampling or self.locate_nan) or not self._params:
            return
        with torch.no_grad():
            if self._snapshot is None:
                self._snapshot = [p.detach().clone() for p in self._params]
            else:
                torch._foreach_copy_(self._snapshot, [p.detach() for p in self._params])
            self._snapshot_step = self.step
        if not self._sampling:
            return
        rows = []
        for params in self._groups.values():
            grads = [p.grad for p in params if p.grad is not None]
            if grads:
                rows.append(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))))
            else:
                rows.append(torch.zeros((), device=params[0].device))
        self._grad_norms = torch.stack(rows)

    def after_step(self) -> None:
        if not self._sampling or self._snapshot is None or self._grad_norms is None:
            return
        self._sampling = False
        flat = [p.detach() for p in self._params]
        deltas = torch._foreach_norm(torch._foreach_sub(flat, self._snapshot))
        weights = torch._foreach_norm(self._snapshot)
        ratios, i = [], 0
        for params in self._groups.values():
            n = len(params)
            d = torch.linalg.vector_norm(torch.stack(deltas[i : i + n]))
            w = torch.linalg.vector_norm(torch.stack(weights[i : i + n]))
            ratios.append(d / w.clamp_min(1e-12))
            i += n
        numbers = torch.stack([self._grad_norms, torch.stack(ratios)]).float().cpu().tolist()
        self._grad_norms = None
        for nid, g, r in zip(self._groups, numbers[0], numbers[1], strict=True):
            record = self.blocks[nid]
            record.steps.append(self.step)
            record.grad_norm.append(g)
            record.update_ratio.append(r)
            self._judge(nid, g)

    def on_epoch_end(self, epoch: int, metrics: dict[str, list[float]]) -> None:
        """Per-epoch means into the run's metrics: ``health/grad_norm/NODE`` and
        ``health/update_ratio/NODE`` (NaN for an epoch without a sample)."""
        for nid, record in self.blocks.items():
            for name, values in (
                ("grad_norm", record.grad_norm),
                ("update_ratio", record.update_ratio),
            ):
                part = values[self._epoch_start :]
                key = f"health/{name}/{nid}"
                series = metrics.setdefault(key, [math.nan] * (epoch - 1))
                series.append(sum(part) / len(part) if part else math.nan)
        self._epoch_start = len(next(iter(self.blocks.values())).steps) if self.blocks else 0

    def blame(self) -> str | None:
        if self._model is None or self._inputs is None:
            return None
        inputs = self._inputs if isinstance(self._inputs, tuple) else (self._inputs,)
        if self._snapshot is not None and self._snapshot_step == self.step:
            # the failing step ran with these weights
            with torch.no_grad():
                torch._foreach_copy_([p.detach() for p in self._params], self._snapshot)
        return first_nonfinite_block(self._model, *inputs)

    # ---------------------------------------------------------------------- judging
    def _sampled(self) -> bool:
        return self.step == 1 or self.step % self.interval == 0

    def _judge(self, nid: str, norm: float) -> None:
        first = self._first.setdefault(nid, norm)
        checks = (
            ("non-finite", not math.isfinite(norm), 1),
            ("vanishing", math.isfinite(norm) and norm < VANISH, PATIENCE),
            (
                "exploding",
                math.isfinite(norm) and (norm > EXPLODE or (first > 0 and norm > EXPLODE * first)),
                PATIENCE,
            ),
        )
        for kind, bad, patience in checks:
            key = (nid, kind)
            if not bad:
                self._streak.pop(key, None)
                self._open.discard(key)
                continue
            self._streak[key] = self._streak.get(key, 0) + 1
            if self._streak[key] == 1:
                self._streak_start[key] = self.step
            if self._streak[key] >= patience and key not in self._open:
                self._open.add(key)
                issue = HealthIssue(nid, kind, self._streak_start[key], norm)
                self.issues.append(issue)
                if self.on_issue is not None:
                    self.on_issue(issue)

    def summary(self) -> list[str]:
        """Lines for a log: the last sample of every block and every issue found."""
        lines = []
        for nid, r in self.blocks.items():
            if r.steps:
                lines.append(
                    f"  {nid}: gradient norm {r.grad_norm[-1]:.3g}, update/weight "
                    f"{r.update_ratio[-1]:.2g} (step {r.steps[-1]})"
                )
        lines += [f"  {issue.message()}" for issue in self.issues]
        return lines
