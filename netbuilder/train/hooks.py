"""Observers of a training run: the trainer calls them at fixed points of every step.

A hook sees the model and optimizer, the inputs of each step, and the gradients between
backward and the optimizer step. Hooks must keep their per-step work tiny (no host sync
every step: sample every N steps) so the loop's throughput is unchanged; they keep what
they learn and may add per-epoch figures to the run's metrics. ``blame`` lets a hook name
the block responsible for a failure the loop itself could not place.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import fx, nn


class TrainHook:
    """Base class: every method is optional."""

    def on_data(self, data: Any) -> None:
        """The run's ``DataBundle`` is loaded (before ``on_start``), e.g. to hold samples."""

    def on_start(self, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        """Called once, after the model is on its device and the optimizer is built."""

    def after_backward(self, inputs: Any) -> None:
        """Gradients of this step are ready; ``inputs`` is the step's batch (do not copy it)."""

    def after_step(self) -> None:
        """The optimizer has updated the weights."""

    def on_epoch_end(self, epoch: int, metrics: dict[str, list[float]]) -> None:
        """An epoch ended; add per-epoch lists to ``metrics`` (saved in the checkpoint)."""

    def blame(self) -> str | None:
        """The block to blame for a failure, when the hook can tell; None otherwise."""
        return None


def block_of(model: nn.Module) -> dict[str, str]:
    """Parameter name → the diagram node id of its block (from the compiled graph's meta)."""
    owners: dict[str, str] = {}
    if isinstance(model, fx.GraphModule):
        for n in model.graph.nodes:
            if n.op == "call_module" and "node_id" in n.meta:
                owners[str(n.target)] = n.meta["node_id"]
    return {
        name: owners.get(name.split(".")[0], name.split(".")[0])
        for name, _ in model.named_parameters()
    }


def block_modules(model: nn.Module) -> dict[str, nn.Module]:
    """Diagram node id → its layer in the compiled model, in graph order."""
    out: dict[str, nn.Module] = {}
    if isinstance(model, fx.GraphModule):
        for n in model.graph.nodes:
            if n.op == "call_module" and "node_id" in n.meta:
                out[n.meta["node_id"]] = model.get_submodule(str(n.target))
    return out


def first_nonfinite_block(model: nn.Module, *inputs: torch.Tensor) -> str | None:
    """Run ``model`` node by node and return the first block whose output is NaN or Inf
    although its inputs were finite: where the bad numbers came from."""
    if not isinstance(model, fx.GraphModule):
        return None

    class _Finder(fx.Interpreter):
        found: str | None = None

        def run_node(self, n: fx.Node) -> Any:
            out = super().run_node(n)
            calls = n.op in ("call_module", "call_function")
            if self.found is None and calls and not _finite(out):
                self.found = n.meta.get("node_id")
            return out

    finder = _Finder(model)
    try:  # in the model's current mode, as the failing step ran
        with torch.no_grad():
            finder.run(*inputs)
    except Exception:  # best effort: a crash here must not hide the real failure
        pass
    return finder.found


def _finite(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return not value.is_floating_point() or bool(torch.isfinite(value).all())
    if isinstance(value, list | tuple):
        return all(_finite(v) for v in value)
    return True
