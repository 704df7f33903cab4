"""Test doubles for the trainer: event recorders and models that fail on cue."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import torch
from torch import fx, nn

from netbuilder.core.compile import compile_diagram
from netbuilder.train.data import DataBundle, TensorData
from netbuilder.train.events import FailedEvent, StepEvent, TrainEvent


class Recorder:
    """Collects events (thread-safe) and lets a test wait for a kind of event."""

    def __init__(self) -> None:
        self.events: list[TrainEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: TrainEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def of(self, kind: type) -> list[Any]:
        with self._cond:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, predicate: Callable[[list[TrainEvent]], bool], timeout: float = 60) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self.events), timeout), self.events[-3:]

    @property
    def steps(self) -> list[StepEvent]:
        return self.of(StepEvent)

    @property
    def failure(self) -> FailedEvent:
        (failed,) = self.of(FailedEvent)
        return failed


def random_bundle(
    x_shape: tuple[int, ...],
    classes: int,
    n: int = 64,
    seed: int = 0,
    dtype: torch.dtype = torch.float,
) -> DataBundle:
    """Random inputs with random labels: for plumbing tests, not for learning."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn((n, *x_shape), generator=g).to(dtype)
    y = torch.randint(0, classes, (n,), generator=g)
    names = [f"c{i}" for i in range(classes)]
    cut = n * 3 // 4
    return DataBundle(
        TensorData(x[:cut], y[:cut]),
        TensorData(x[cut:], y[cut:]),
        names,
        "classification",
        "random",
    )


def patched_compile(hook: Callable[[fx.GraphModule], nn.Module]) -> Callable[..., nn.Module]:
    """A compile_diagram replacement that lets ``hook`` rig the compiled model."""

    def compile_and_rig(diagram: Any, analysis: Any = None) -> nn.Module:
        return hook(compile_diagram(diagram, analysis))

    return compile_and_rig


def fail_in_training(module: nn.Module, at_call: int, make_error: Callable[[], Exception]) -> None:
    """Make ``module`` raise on its ``at_call``-th forward in training mode."""
    original = module.forward
    calls = {"n": 0}

    def forward(*args: Any) -> Any:
        if module.training:
            calls["n"] += 1
            if calls["n"] >= at_call:
                raise make_error()
        return original(*args)

    module.forward = forward  # type: ignore[method-assign]


def nan_in_training(module: nn.Module, at_call: int) -> None:
    """Make ``module`` output NaN from its ``at_call``-th training forward on."""
    original = module.forward
    calls = {"n": 0}

    def forward(*args: Any) -> Any:
        out = original(*args)
        if module.training:
            calls["n"] += 1
            if calls["n"] >= at_call:
                return out * float("nan")
        return out

    module.forward = forward  # type: ignore[method-assign]
