"""The learning-rate range test (Smith 2017; fastai's ``lr_find``).

Train a fresh copy of the model for a few hundred steps while the learning rate grows
exponentially from tiny to huge, and record the loss. Plotted against the learning rate on
a log axis, the smoothed loss first stays flat (too small to learn), then falls (learning),
then explodes (too large). The suggestion is the point of steepest descent of the smoothed
loss before its minimum: large enough to learn fast, safely below the divergence. The
user's model and settings are not touched; the suggestion is applied by the user.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import _
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle
from netbuilder.train.probe import make_probe, parameters
from netbuilder.train.setup import build_optimizer

#: The run stops once the smoothed loss exceeds this multiple of the best seen.
DIVERGE = 4.0
#: Steps of the range test (a few hundred is the usual choice).
DEFAULT_STEPS = 200


@dataclass
class LRFinderResult:
    """The curve and the suggestion; ``suggestion`` is None when the curve shows no descent."""

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)  # raw per-step losses
    smoothed: list[float] = field(default_factory=list)  # bias-corrected moving average
    suggestion: float | None = None
    stopped: str = ""  # why the run ended before the last step, if it did

    def message(self) -> str:
        if self.suggestion is None:
            stopped = f" ({self.stopped})" if self.stopped else ""
            return _(
                "no learning rate made the loss fall in this range{stopped}; check the data and "
                "the model (try Overfit one batch)"
            ).format(stopped=stopped)
        low = self.lrs[0]
        high = self.lrs[-1]
        return _(
            "suggested learning rate {lr} (steepest fall of the smoothed loss, tested "
            "{low}..{high} over {steps} steps{stopped})"
        ).format(
            lr=f"{self.suggestion:.2g}",
            low=f"{low:.0e}",
            high=f"{high:.0e}",
            steps=len(self.lrs),
            stopped=f"; {self.stopped}" if self.stopped else "",
        )


def suggest(lrs: list[float], smoothed: list[float]) -> float | None:
    """Steepest descent of ``smoothed`` against log(lr), before its minimum.

    The first tenth of the curve is skipped (the moving average is still settling there)
    and slopes are taken over a window of points, so one noisy batch cannot win.
    """
    n = len(smoothed)
    skip, w = max(5, n // 10), max(1, n // 40)
    if n < skip + 2 * w + 2:
        return None
    low = min(range(n), key=smoothed.__getitem__)
    best_i, best_slope = None, 0.0
    for i in range(skip + w, low - w + 1):
        slope = (smoothed[i + w] - smoothed[i - w]) / (math.log(lrs[i + w]) - math.log(lrs[i - w]))
        if slope < best_slope:
            best_i, best_slope = i, slope
    if best_i is None or smoothed[low] > 0.9 * smoothed[skip]:
        return None  # the loss never really fell
    return lrs[best_i]


def find_lr(
    diagram: Diagram,
    config: TrainConfig,
    data: DataBundle | None = None,
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    steps: int | None = None,
    beta: float = 0.98,
    on_step: Callable[[int, float, float], None] | None = None,
    stop: threading.Event | None = None,
) -> LRFinderResult:
    """Run the range test with ``config``'s optimizer, loss, batch size and device.

    ``on_step(step, lr, smoothed_loss)`` reports progress; setting ``stop`` ends the run
    early with what was recorded. Setup problems raise the trainer's exceptions.
    """
    if not 0 < start_lr < end_lr:
        raise ValueError("the learning-rate range must satisfy 0 < start < end")
    steps = steps or DEFAULT_STEPS
    probe = make_probe(diagram, config, data)
    result = LRFinderResult()
    try:
        parameters(probe.model)
        optimizer = build_optimizer(config.replace(lr=start_lr), probe.model)
        factor = (end_lr / start_lr) ** (1 / max(1, steps - 1))
        average, best = 0.0, math.inf
        batches = probe.stream()
        for i in range(steps):
            if stop is not None and stop.is_set():
                result.stopped = "stopped by the user"
                break
            lr = start_lr * factor**i
            for group in optimizer.param_groups:
                group["lr"] = lr
            xb, yb, _labels = next(batches)
            optimizer.zero_grad(set_to_none=True)
            loss = probe.loss(probe.model(xb), yb)
            value = float(loss.detach())
            if not math.isfinite(value):
                result.stopped = _("the loss became {value} at learning rate {lr}").format(
                    value=value, lr=f"{lr:.2g}"
                )
                break
            loss.backward()
            if config.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(probe.model.parameters(), config.grad_clip)
            optimizer.step()
            average = beta * average + (1 - beta) * value
            smooth = average / (1 - beta ** (i + 1))
            result.lrs.append(lr)
            result.losses.append(value)
            result.smoothed.append(smooth)
            if on_step is not None:
                on_step(i + 1, lr, smooth)
            best = min(best, smooth)
            if i > 10 and smooth > DIVERGE * best:
                result.stopped = _("the loss diverged at learning rate {lr}").format(lr=f"{lr:.2g}")
                break
    finally:
        probe.close()
    result.suggestion = suggest(result.lrs, result.smoothed)
    return result
