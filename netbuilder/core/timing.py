"""Measured forward + backward time of every block on a real device.

The compiled ``GraphModule`` is run once through an ``fx.Interpreter`` to capture each
block's real inputs; then every block is timed alone (forward, then backward from a
gradient of ones) over a few repeats, and the median is kept. Timing one block at a time
shows what each costs without the others' kernels overlapping on an asynchronous device.
"""

from __future__ import annotations

import operator
import statistics
import time
from typing import Any

import torch
from torch import fx

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import Analysis, check


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _tensors(v)]
    return []


class _Capture(fx.Interpreter):
    """Runs the model and remembers each node's concrete arguments."""

    def __init__(self, module: fx.GraphModule) -> None:
        super().__init__(module)
        self.calls: list[tuple[fx.Node, tuple[Any, ...], dict[str, Any]]] = []

    def run_node(self, n: fx.Node) -> Any:
        if n.op in ("call_module", "call_function") and n.target is not operator.getitem:
            args, kwargs = self.fetch_args_kwargs_from_env(n)
            self.calls.append((n, args, kwargs))
        return super().run_node(n)


def _fresh(value: Any) -> Any:
    """A detached copy of the arguments whose float tensors require grad."""
    if isinstance(value, torch.Tensor):
        t = value.detach()
        return t.requires_grad_(True) if t.is_floating_point() else t
    if isinstance(value, list | tuple):
        return type(value)(_fresh(v) for v in value)
    return value


def time_blocks(
    diagram: Diagram,
    batch_size: int,
    device: str | torch.device = "cpu",
    repeats: int = 3,
    analysis: Analysis | None = None,
) -> dict[str, float]:
    """Milliseconds of forward + backward per block (node id) at ``batch_size`` on ``device``.

    Raises ``CompileError`` when the diagram has errors; run on a worker thread in the GUI.
    """
    analysis = analysis or check(diagram)
    device = torch.device(device)
    torch.manual_seed(0)
    model = compile_diagram(diagram, analysis).to(device).train()
    inputs = [
        analysis.nodes[n].outputs["out"].example(batch_size, device) for n in analysis.input_nodes()
    ]
    capture = _Capture(model)
    with torch.no_grad():
        capture.run(*inputs)
    times: dict[str, float] = {}
    for node, args, kwargs in capture.calls:
        fn = model.get_submodule(node.target) if node.op == "call_module" else node.target
        samples = []
        for _ in range(repeats + 1):  # the first run warms up caches and allocators
            a, k = _fresh(args), _fresh(kwargs)
            _sync(device)
            start = time.perf_counter()
            outs = [t for t in _tensors(fn(*a, **k)) if t.requires_grad]
            if outs:
                torch.autograd.backward(outs, [torch.ones_like(t) for t in outs])
            _sync(device)
            samples.append(time.perf_counter() - start)
        nid = node.meta.get("node_id")
        if nid is not None:
            times[nid] = times.get(nid, 0.0) + statistics.median(samples[1:]) * 1000
    return times
