"""What each block costs, before anything is trained: FLOPs, weights and activation memory.

Every block is run once, alone, on the checker's shapes with a batch of one sample on the
``meta`` device (exact shapes, no memory, no arithmetic), under
``torch.utils.flop_counter.FlopCounterMode`` and ``saved_tensors_hooks``. That gives, per
sample: forward FLOPs (the counter's convention: a multiply-add is 2 FLOPs; only matrix
products, convolutions and attention are counted, as in published model tables), the bytes
of its output, and the bytes autograd keeps for the backward pass. Results are cached on
(block type, parameters, input shapes), so profiling again after one edit only runs the
edited blocks.

Tensors that several blocks keep are counted once: an activation a ReLU saves as its output
and the next convolution saves as its input is one tensor, and so is a Flatten's view of it.
Each block reports which of its inputs and outputs it saved, and ``Profile`` merges those
per wire (and per view chain), which is what ``train.memory`` needs to predict the memory of
a real training step.

Recurrent blocks are the exception: on ``meta`` their loop over time is unrolled op by op
(seconds for one LSTM), so their FLOPs come from the standard formula and their saved bytes
from one real CPU pass on a single sample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from netbuilder.core.blocks import BlockSpec, UnknownBlockError
from netbuilder.core.compile import build_layer, merge_function
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import Analysis, NodeResult, check
from netbuilder.core.tensor import TensorSpec

DASH = "—"
#: Recurrent layers above this many weights are not run for real to count saved bytes.
_REAL_RUN_LIMIT = 20_000_000


@dataclass(frozen=True, slots=True)
class _Run:
    """What running one block alone on one sample showed (cached per shapes)."""

    flops: int
    saved_internal: int  # bytes saved that are neither its inputs, its outputs nor weights
    saved_inputs: tuple[bool, ...]  # per input port: kept for backward
    saved_outputs: tuple[bool, ...]  # per output port: kept for backward
    output_views: tuple[int | None, ...]  # per output port: index of the input it is a view of
    workspace: int  # bytes of inputs + outputs: the gradient buffers alive in its backward


@dataclass(slots=True)
class BlockCost:
    """The cost of one block. ``None`` means unknown (shown as "—"); ``reason`` says why."""

    node_id: str
    type: str
    params: int = 0
    param_bytes: int = 0
    flops: int | None = None  # forward FLOPs per sample
    activation_bytes: int | None = None  # its outputs, per sample
    saved_bytes: int | None = None  # kept for backward and counted here, per sample
    time_ms: float | None = None  # forward + backward at the profiled batch (``time_blocks``)
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.flops is not None


@dataclass
class Profile:
    """Per-block costs of a diagram plus the per-sample totals a memory prediction needs."""

    blocks: dict[str, BlockCost] = field(default_factory=dict)
    #: bytes per sample autograd keeps during a training step, each tensor counted once
    saved_bytes_per_sample: int = 0
    #: the largest per-block gradient workspace, per sample
    workspace_bytes_per_sample: int = 0
    #: blocks that could not be profiled, with the reason
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def total_flops(self) -> int:
        return sum(b.flops or 0 for b in self.blocks.values())

    @property
    def total_params(self) -> int:
        return sum(b.params for b in self.blocks.values())

    @property
    def total_param_bytes(self) -> int:
        return sum(b.param_bytes for b in self.blocks.values())

    @property
    def total_activation_bytes(self) -> int:
        return sum(b.activation_bytes or 0 for b in self.blocks.values())

    @property
    def complete(self) -> bool:
        return not self.unknown

    def share(self, node_id: str) -> float:
        """The block's share of the total FLOPs (0..1), for heat colouring."""
        total = self.total_flops
        flops = self.blocks[node_id].flops if node_id in self.blocks else None
        return (flops or 0) / total if total else 0.0


_CACHE: dict[tuple, _Run | str] = {}
_CACHE_LIMIT = 20_000


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ("list", *(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", *sorted((k, _freeze(v)) for k, v in value.items()))
    return (type(value).__name__, repr(value))


def _example(spec: TensorSpec, device: str, grad: bool) -> torch.Tensor:
    if spec.dtype == "long":
        return torch.zeros((1, *spec.shape), dtype=torch.long, device=device)
    return torch.zeros((1, *spec.shape), device=device, requires_grad=grad)


def _flatten(out: Any) -> list[torch.Tensor]:
    if isinstance(out, torch.Tensor):
        return [out]
    return [t for t in out if isinstance(t, torch.Tensor)]


def _nbytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def _storage_key(t: torch.Tensor) -> int:
    return t.untyped_storage()._cdata  # the StorageImpl: views share it


def _recurrent_flops(module: nn.RNNBase, steps: int) -> int:
    """Matrix-product FLOPs of an RNN/GRU/LSTM over ``steps`` (FlopCounterMode convention)."""
    gates = {"LSTM": 4, "GRU": 3}.get(module.mode, 1)
    dirs = 2 if module.bidirectional else 1
    hidden = module.hidden_size
    real_hidden = module.proj_size or hidden
    total, width = 0, module.input_size
    for _ in range(module.num_layers):
        per_step = gates * hidden * (width + real_hidden) * 2
        if module.proj_size:
            per_step += hidden * module.proj_size * 2
        total += dirs * steps * per_step
        width = real_hidden * dirs
    return total


def _run_block(
    fn: Callable[..., Any],
    in_specs: Sequence[TensorSpec],
    grads: Sequence[bool],
    weights: set[int],
    device: str,
    count_flops: bool,
) -> _Run:
    """Run ``fn`` once on one sample and record FLOPs and what autograd saves."""
    inputs = [_example(s, device, g) for s, g in zip(in_specs, grads, strict=True)]
    saved: dict[int, torch.Tensor] = {}  # storage → a tensor holding it (refs keep keys unique)

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved.setdefault(_storage_key(t), t)
        return t

    counter = FlopCounterMode(display=False) if count_flops else None
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        if counter is not None:
            with counter:
                out = fn(*inputs)
        else:
            out = fn(*inputs)
    outs = _flatten(out)
    in_keys = [_storage_key(t) for t in inputs]
    out_keys = [_storage_key(t) for t in outs]
    internal = sum(
        _nbytes(t)
        for k, t in saved.items()
        if k not in weights and k not in in_keys and k not in out_keys
    )
    views = tuple(in_keys.index(k) if k in in_keys else None for k in out_keys)
    return _Run(
        flops=counter.get_total_flops() if counter is not None else 0,
        saved_internal=internal,
        saved_inputs=tuple(k in saved for k in in_keys),
        saved_outputs=tuple(k in saved for k in out_keys),
        output_views=views,
        workspace=sum(_nbytes(t) for t in inputs) + sum(_nbytes(t) for t in outs),
    )


def _profile_node(
    spec: BlockSpec,
    result: NodeResult,
    in_specs: list[TensorSpec],
    grads: tuple[bool, ...],
    build: Callable[[], nn.Module] | None = None,
) -> tuple[_Run, int] | str:
    """(run, parameter bytes) of one block, or the reason it cannot be profiled.

    ``build`` makes the module of a sub-block use (its nested body), profiled as one block.
    """
    if build is not None:
        with torch.device("meta"):
            module = build().train()
        weights = {_storage_key(t) for t in [*module.parameters(), *module.buffers()]}
        param_bytes = sum(_nbytes(p) for p in module.parameters())
        return _run_block(module, in_specs, grads, weights, "meta", True), param_bytes
    if spec.merge is not None:
        op = spec.merge.op
        if op == "cat":
            dim = result.params["dim"]

            def fn(*xs: torch.Tensor) -> torch.Tensor:
                return torch.cat(xs, dim=dim)
        else:
            f = merge_function(op)

            def fn(*xs: torch.Tensor) -> torch.Tensor:
                acc = xs[0]
                for other in xs[1:]:
                    acc = f(acc, other)
                return acc

        return _run_block(fn, in_specs, grads, set(), "meta", True), 0
    assert spec.module is not None
    try:
        cls, kwargs = spec.module(result.params, in_specs)  # type: ignore[arg-type]
        with torch.device("meta"):
            module = cls(**kwargs)
    except (ValueError, RuntimeError, TypeError, AssertionError) as exc:
        return f"it cannot be built with these settings: {exc}"
    module.train()
    n_params = sum(p.numel() for p in module.parameters())
    param_bytes = sum(_nbytes(p) for p in module.parameters())
    if isinstance(module, nn.RNNBase):
        steps = in_specs[0].shape[0] if in_specs[0].rank >= 2 else 1
        flops = _recurrent_flops(module, steps)
        if n_params > _REAL_RUN_LIMIT:
            return f"recurrent layers over {_REAL_RUN_LIMIT:,} weights are not profiled"
        module = module.to_empty(device="cpu")
        weights = {_storage_key(p) for p in module.parameters()}
        run = _run_block(module, in_specs, grads, weights, "cpu", False)
        return replace(run, flops=flops), param_bytes
    weights = {_storage_key(t) for t in [*module.parameters(), *module.buffers()]}
    return _run_block(module, in_specs, grads, weights, "meta", True), param_bytes


def _why_unknown(analysis: Analysis, nid: str) -> str:
    problems = analysis.for_node(nid)
    if problems:
        return f"shape unknown: {problems[0].message}"
    return "shape unknown: a block before it has a problem"


def profile(diagram: Diagram, analysis: Analysis | None = None) -> Profile:
    """Per-block FLOPs, weights and memory of ``diagram``; never raises for a bad diagram.

    Blocks whose input shapes are unknown (unwired, or after an error) get ``reason`` set and
    ``None`` figures. Input and Output blocks are not listed.
    """
    analysis = analysis or check(diagram)
    prof = Profile()
    roles = analysis.roles
    wires = {(e.target, e.target_port): (e.source, e.source_port) for e in diagram.edges}
    # A wire's tensor is identified by the wire it is a view of (Flatten, Reshape...).
    alias: dict[tuple[str, str], tuple[str, str]] = {}
    kept: dict[tuple[str, str], int] = {}  # wire root → bytes per sample, when saved
    keepers: dict[tuple[str, str], str] = {}  # wire root → the first block that saved it
    sizes: dict[tuple[str, str], int] = {}
    needs_grad: dict[tuple[str, str], bool] = {}

    def root(wire: tuple[str, str]) -> tuple[str, str]:
        while wire in alias:
            wire = alias[wire]
        return wire

    for nid in analysis.order:
        node = diagram.nodes[nid]
        result = analysis.nodes.get(nid)
        try:
            spec = diagram.block(node.type)
        except UnknownBlockError:
            prof.unknown[nid] = f"unknown block type '{node.type}'"
            continue
        if result is not None:
            for port, out in result.outputs.items():
                sizes[(nid, port)] = out.numel * (8 if out.dtype == "long" else 4)
                needs_grad[(nid, port)] = roles.get(nid) != "input" and out.dtype != "long"
        if spec.role in ("input", "output"):
            continue
        cost = BlockCost(nid, node.type)
        prof.blocks[nid] = cost
        if result is None or not result.ok or not result.outputs:
            cost.reason = _why_unknown(analysis, nid) if result is not None else "not checked"
            prof.unknown[nid] = cost.reason
            continue
        ports = spec.input_ports(result.params)
        sources = [wires[(nid, p)] for p in ports]
        in_specs = [result.inputs[p] for p in ports]
        grads = tuple(needs_grad.get(s, False) for s in sources)
        fingerprint = getattr(spec, "fingerprint", "")  # a sub-block's content
        key = (node.type, fingerprint, _freeze(result.params), tuple(in_specs), grads)
        cached = _CACHE.get(key)
        if cached is None:
            build = (lambda nid=nid: build_layer(diagram, analysis, nid)) if fingerprint else None
            cached = _profile_node(spec, result, in_specs, grads, build)  # type: ignore[arg-type]
            if len(_CACHE) > _CACHE_LIMIT:
                _CACHE.clear()
            _CACHE[key] = cached
        if isinstance(cached, str):
            cost.reason = cached
            prof.unknown[nid] = cached
            continue
        run, param_bytes = cached
        cost.params, cost.param_bytes = result.param_count, param_bytes
        cost.flops = run.flops
        out_ports = spec.output_ports(result.params)
        cost.activation_bytes = sum(sizes[(nid, p)] for p in out_ports)
        for i, port in enumerate(out_ports):
            view = run.output_views[i] if i < len(run.output_views) else None
            if view is not None:
                alias[(nid, port)] = root(sources[view])
        for source, was_saved in zip(sources, run.saved_inputs, strict=True):
            if was_saved:
                r = root(source)
                kept[r] = sizes.get(r, 0)
                keepers.setdefault(r, nid)
        for port, was_saved in zip(out_ports, run.saved_outputs, strict=False):
            if was_saved:
                r = root((nid, port))
                kept[r] = sizes.get(r, 0)
        cost.saved_bytes = run.saved_internal
        prof.saved_bytes_per_sample += run.saved_internal
        prof.workspace_bytes_per_sample = max(prof.workspace_bytes_per_sample, run.workspace)
    # A shared activation is credited to the block that produced it, or (for the data
    # coming from an input block) to the first block that kept it.
    for wire, nbytes in kept.items():
        prof.saved_bytes_per_sample += nbytes
        block = prof.blocks.get(wire[0]) or prof.blocks.get(keepers.get(wire, ""))
        if block is not None and block.saved_bytes is not None:
            block.saved_bytes += nbytes
    return prof
