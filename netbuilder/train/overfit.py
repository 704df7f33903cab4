""" "Overfit one batch": can the model memorise a handful of samples?

Any network worth training can drive the loss on one small batch close to zero. When it
cannot, something is broken before the data even matters: no gradient reaches some
weights, the output ends in a Softmax the loss applies again, the learning rate is far
off, or dropout and weight decay hold the model back. This check trains on one fixed
batch and names the likely cause, in the order of how often each is the culprit.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import torch
from torch import nn

from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import _
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle
from netbuilder.train.hooks import block_of
from netbuilder.train.probe import make_probe, parameters
from netbuilder.train.setup import build_optimizer

#: The loss must fall below this share of where it started.
TARGET_RATIO = 0.05
MAX_BATCH = 32
DEFAULT_STEPS = 200


@dataclass
class OverfitResult:
    losses: list[float] = field(default_factory=list)
    batch_size: int = 0
    accuracy: float | None = None  # on the batch at the end, for classifiers
    passed: bool = False
    cause: str = ""  # the likely cause when it did not pass

    @property
    def initial(self) -> float:
        return self.losses[0] if self.losses else math.nan

    @property
    def final(self) -> float:
        return self.losses[-1] if self.losses else math.nan

    def message(self) -> str:
        head = _(
            "overfit one batch ({samples} samples, {steps} steps): loss {initial} → {final}"
        ).format(
            samples=self.batch_size,
            steps=len(self.losses),
            initial=f"{self.initial:.4g}",
            final=f"{self.final:.4g}",
        )
        if self.accuracy is not None:
            head += _(", batch accuracy {accuracy}").format(accuracy=f"{self.accuracy:.0%}")
        if self.passed:
            return _("{head}: passed, the model can learn").format(head=head)
        return _("{head}: FAILED; likely cause: {cause}").format(head=head, cause=self.cause)


def _feeder_type(diagram: Diagram) -> str | None:
    for node in diagram.nodes.values():
        if node.type == "Output":
            edges = diagram.edges_into(node.id)
            if edges:
                return diagram.nodes[edges[0].source].type
    return None


def overfit_batch(
    diagram: Diagram,
    config: TrainConfig,
    data: DataBundle | None = None,
    steps: int | None = None,
    batch_size: int | None = None,
    stop: threading.Event | None = None,
) -> OverfitResult:
    """Train on one batch with ``config``'s optimizer and learning rate; see the module doc."""
    steps = steps or DEFAULT_STEPS
    size = batch_size or min(config.batch_size, MAX_BATCH)
    probe = make_probe(diagram, config.replace(batch_size=size), data)
    result = OverfitResult(batch_size=size)
    dead: list[str] = []
    try:
        parameters(probe.model)
        optimizer = build_optimizer(config, probe.model)
        xb, yb, labels = next(probe.stream())
        result.batch_size = len(xb)
        owners = block_of(probe.model)
        for step in range(steps):
            if stop is not None and stop.is_set():
                break
            optimizer.zero_grad(set_to_none=True)
            out = probe.model(xb)
            loss = probe.loss(out, yb)
            value = float(loss.detach())
            result.losses.append(value)
            if not math.isfinite(value):
                result.cause = _(
                    "the loss became {value} at step {step}: the learning rate {lr} is too "
                    "high, or the inputs are not normalised"
                ).format(value=value, step=step + 1, lr=f"{config.lr:g}")
                return result
            loss.backward()
            if step == 0:  # a block is dead when none of its weights got any gradient
                alive = {
                    owners[name]
                    for name, p in probe.model.named_parameters()
                    if p.grad is not None and bool(p.grad.any())
                }
                dead = sorted(set(owners.values()) - alive)
            if config.grad_clip > 0:
                nn.utils.clip_grad_norm_(probe.model.parameters(), config.grad_clip)
            optimizer.step()
        with torch.no_grad():
            out = probe.model(xb)
            result.losses.append(float(probe.loss(out, yb)))
            if labels is not None:
                result.accuracy = float((probe.loss.predict(out) == labels).float().mean())
    finally:
        probe.close()
    low = result.final <= TARGET_RATIO * result.initial or result.final < 1e-3
    result.passed = low and (result.accuracy is None or result.accuracy == 1.0)
    if not result.passed:
        result.cause = _diagnose(diagram, config, result, dead, probe.model)
    return result


def _diagnose(
    diagram: Diagram, config: TrainConfig, r: OverfitResult, dead: list[str], model: nn.Module
) -> str:
    """The most likely reason the loss did not reach zero, in words."""
    if dead and len(dead) == len(set(block_of(model).values())):
        return _("no gradient reaches any weight: every block's gradient is zero")
    lr = f"{config.lr:g}"
    if dead:
        return _(
            "no gradient reaches block(s) {blocks}: their weights cannot learn (a dead ReLU, a "
            "zero-initialised path, or an integer/argmax step before them)"
        ).format(blocks=", ".join(dead[:5]))
    if config.loss == "cross_entropy" and _feeder_type(diagram) == "Softmax":
        return _(
            "the model ends in a Softmax, but cross_entropy applies softmax itself; remove the "
            "Softmax block before the Output"
        )
    if r.final > r.initial * 1.05:
        return _("the loss rose: the learning rate {lr} is too high (try Find LR)").format(lr=lr)
    if r.final > 0.9 * r.initial:
        return _(
            "the loss barely moved: the learning rate {lr} is probably too low (try Find LR)"
        ).format(lr=lr)
    holders = [n.id for n in diagram.nodes.values() if n.type == "Dropout"]
    if holders or config.weight_decay > 0:
        what = ", ".join(
            [_("dropout in {blocks}").format(blocks=", ".join(holders[:4]))] * bool(holders)
            + [_("weight decay {value}").format(value=f"{config.weight_decay:g}")]
            * (config.weight_decay > 0)
        )
        return _(
            "the loss fell but not to zero: {what} hold(s) the model back from memorising"
        ).format(what=what)
    return _(
        "the loss fell but not to zero: the model may be too small to memorise even one batch, "
        "or needs more than {steps} steps at learning rate {lr}"
    ).format(steps=len(r.losses) - 1, lr=lr)
