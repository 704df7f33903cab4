"""Activation capture: what each block outputs for a held batch, while or after training.

Every ``interval`` steps the model is run once more, without gradients and in eval mode, on
a small held batch (a few validation samples, or the first training samples), with forward
hooks on every block; the hooks exist only for that one pass, so ordinary steps pay
nothing. Each capture is decimated before it leaves the device: the first sample's output
reduced to at most ``max_values`` numbers (a feature-map grid or trace needs no more), and a
fixed-bin histogram of all its values. Weight-gradient histograms are taken on the same
steps. Only the last ``keep`` captures per block are kept, so memory stays bounded for any
run length and a GUI can redraw within its budget.

Attention blocks (SelfAttention, Transformer layers) also give their attention weights for
the first sample, averaged over heads (T×T, each row sums to 1): the inputs of their first
``nn.MultiheadAttention`` are recorded during the pass and the weights recomputed with
``need_weights=True`` (the PyTorch fast path, which skips the module, is off meanwhile);
``heads`` keeps them per head (heads×T×T) while that stays small. Recurrent blocks (RNN,
GRU, LSTM) also give ``trace``, the top layer's hidden state at every time step for the
first sample (T×units, a few units): their block output may be only the last step, so the
sequence is recomputed from the recorded input with the plain torch layer.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch import nn

from netbuilder.train.hooks import TrainHook, block_modules, block_of

DEFAULT_INTERVAL = 100


@dataclass(frozen=True, slots=True)
class Capture:
    """One block's output on the held batch at one step (all on the CPU)."""

    step: int
    shape: tuple[int, ...]  # the full output shape, batch included
    sample: torch.Tensor  # the first sample's output, decimated (float32)
    histogram: torch.Tensor  # counts over ``bins`` equal bins from ``low`` to ``high``
    low: float
    high: float
    mean: float
    std: float
    attention: torch.Tensor | None = None  # T×T head-averaged weights, first sample
    heads: torch.Tensor | None = None  # heads×T×T per-head weights, first sample (if small)
    trace: torch.Tensor | None = None  # T×units hidden states of a recurrent block, first sample


#: Per-head attention maps are kept up to this many numbers (8 heads at T=128).
MAX_HEAD_VALUES = 8 * 128 * 128
#: Hidden units kept in a recurrent block's trace.
TRACE_UNITS = 16


def _first_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, list | tuple):
        for v in value:
            t = _first_tensor(v)
            if t is not None:
                return t
    return None


def decimate(x: torch.Tensor, max_values: int) -> torch.Tensor:
    """At most ``max_values`` numbers of ``x`` that keep its layout: leading channels or
    time steps are kept whole while they fit, then every k-th element of the rest."""
    x = x.detach()
    if x.numel() <= max_values:
        return x.float().cpu()
    if x.dim() >= 2 and x[0].numel() <= max_values:
        keep = max(1, max_values // x[0].numel())
        return x[:keep].float().cpu()
    flat = x.reshape(-1)
    step = -(-flat.numel() // max_values)
    return flat[::step].float().cpu()


def summarise(step: int, out: torch.Tensor, max_values: int, bins: int) -> Capture:
    """A decimated, host-side ``Capture`` of one output tensor."""
    values = out.detach().float()
    finite = values[torch.isfinite(values)]
    low = float(finite.min()) if finite.numel() else 0.0
    high = float(finite.max()) if finite.numel() else 0.0
    if high <= low:
        high = low + 1e-6
    hist = torch.histc(finite, bins=bins, min=low, max=high).cpu()
    mean = float(finite.mean()) if finite.numel() else float("nan")
    std = float(finite.std()) if finite.numel() > 1 else 0.0
    return Capture(
        step, tuple(out.shape), decimate(values[0], max_values), hist, low, high, mean, std
    )


def capture_activations(
    model: nn.Module,
    inputs: torch.Tensor,
    nodes: set[str] | None = None,
    step: int = 0,
    max_values: int = 4096,
    bins: int = 32,
) -> dict[str, Capture]:
    """Run ``model`` on ``inputs`` once and capture every block's output (or ``nodes``').

    Usable after training too: pass a chosen validation sample to look inside the model.
    """
    results: dict[str, Capture] = {}
    attention_inputs: dict[str, tuple[nn.MultiheadAttention, tuple, dict]] = {}
    recurrent_inputs: dict[str, tuple[nn.RNNBase, torch.Tensor]] = {}
    handles = []
    for nid, module in block_modules(model).items():
        if nodes is not None and nid not in nodes:
            continue
        mha = next((m for m in module.modules() if isinstance(m, nn.MultiheadAttention)), None)
        if mha is not None:

            def record(m: nn.Module, args: tuple, kwargs: dict, nid: str = nid) -> None:
                attention_inputs.setdefault(nid, (m, args, kwargs))  # type: ignore[arg-type]

            handles.append(mha.register_forward_pre_hook(record, with_kwargs=True))
        if isinstance(module, nn.RNNBase):

            def record_rnn(m: nn.Module, args: tuple, nid: str = nid) -> None:
                recurrent_inputs.setdefault(nid, (m, args[0]))  # type: ignore[arg-type]

            handles.append(module.register_forward_pre_hook(record_rnn))

        def hook(_m: nn.Module, _args: Any, out: Any, nid: str = nid) -> None:
            t = _first_tensor(out)
            if t is not None and t.is_floating_point():
                results[nid] = summarise(step, t, max_values, bins)

        handles.append(module.register_forward_hook(hook))
    was_training = model.training
    fast_path = torch.backends.mha.get_fastpath_enabled()
    model.eval()
    try:
        torch.backends.mha.set_fastpath_enabled(False)
        with torch.no_grad():
            model(inputs)
        for h in handles:
            h.remove()
        with torch.no_grad():
            for nid, (mha, args, kwargs) in attention_inputs.items():
                if len(args) == 1:  # a SelfAttention block: forward(x) attends x to itself
                    x = args[0]
                    args = (x, x, x)
                    if getattr(mha, "causal", False):
                        kwargs = {
                            "attn_mask": nn.Transformer.generate_square_subsequent_mask(
                                x.shape[1], device=x.device, dtype=x.dtype
                            ),
                            "is_causal": True,
                        }
                kwargs = {**kwargs, "need_weights": True, "average_attn_weights": False}
                _, weights = nn.MultiheadAttention.forward(mha, *args, **kwargs)
                if nid in results and weights is not None:
                    per_head = weights[0].float().cpu()  # heads×T×T
                    small = per_head.numel() <= MAX_HEAD_VALUES
                    results[nid] = replace(
                        results[nid], attention=per_head.mean(0), heads=per_head if small else None
                    )
            for nid, (rnn, x) in recurrent_inputs.items():
                kind = next((c for c in type(rnn).__mro__ if c in (nn.LSTM, nn.GRU, nn.RNN)), None)
                if kind is None or not isinstance(x, torch.Tensor) or x.dim() != 3:
                    continue
                batch_first = getattr(rnn, "batch_first", False)
                seq, _ = kind.forward(rnn, x[:1] if batch_first else x[:, :1])
                seq = seq[0] if batch_first else seq[:, 0]  # T×(directions·hidden)
                if nid in results:
                    trace = seq[:, :TRACE_UNITS].float().cpu()
                    results[nid] = replace(results[nid], trace=trace)
    finally:
        torch.backends.mha.set_fastpath_enabled(fast_path)
        model.train(was_training)
        for h in handles:
            h.remove()
    return results


class ActivationCapture(TrainHook):
    """Captures outputs and weight-gradient histograms every ``interval`` steps.

    ``min_seconds`` also spaces captures in time: a viewer that redraws twice a second gains
    nothing from ten captures a second, and each one costs the trainer (and, through the
    GIL, a window on the same process) a forward pass with hooks. A due step that comes
    sooner is skipped. The first step is captured, or with ``first_after`` the first step
    that many seconds after the start (a window then sees its first picture after the
    run's busy start-up, not during it), whatever ``interval`` says.
    """

    def __init__(
        self,
        held: torch.Tensor | None = None,
        interval: int = DEFAULT_INTERVAL,
        held_size: int = 8,
        nodes: set[str] | None = None,
        max_values: int = 4096,
        bins: int = 32,
        keep: int = 50,
        min_seconds: float = 0.0,
        first_after: float | None = None,
    ) -> None:
        self.held = held
        self.interval = max(1, interval)
        self.min_seconds = min_seconds
        self.first_after = first_after
        self._started = time.monotonic()  # set again when the run starts
        self._last_capture: float | None = None  # time.monotonic() of the last capture
        self.capturing = False  # whether this step is captured (decided once per step)
        self.held_size = held_size
        self.nodes = nodes
        self.max_values, self.bins = max_values, bins
        self.captures: dict[str, deque[Capture]] = {}
        self.gradients: dict[str, deque[Capture]] = {}
        self._keep = keep
        self._model: nn.Module | None = None
        self._owners: dict[str, str] = {}
        self.step = 0

    def on_start(self, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        self._model = model
        self._owners = block_of(model)
        self._started = time.monotonic()
        device = next(iter(model.parameters()), torch.empty(0)).device
        if self.held is not None:
            self.held = self.held.to(device)

    def _due(self) -> bool:
        if self._last_capture is None:  # the first capture
            if self.first_after is None:
                return self.step == 1 or self.step % self.interval == 0
            return time.monotonic() - self._started >= self.first_after
        if self.step % self.interval:
            return False
        return time.monotonic() - self._last_capture >= self.min_seconds

    def after_backward(self, inputs: Any) -> None:
        self.step += 1
        if self.held is None and isinstance(inputs, torch.Tensor):
            self.held = inputs[: self.held_size].detach().clone()
        self.capturing = self._due()
        if self.capturing:
            self._last_capture = time.monotonic()
            self._capture_gradients()

    def after_step(self) -> None:
        if self.capturing:
            self._capture_outputs()

    def on_epoch_end(self, epoch: int, metrics: dict[str, list[float]]) -> None:
        """An epoch ended before the first capture was due (a short run, or one still
        within ``first_after``): capture now, so every run has something to show."""
        if self._last_capture is None and self.step:
            self._last_capture = time.monotonic()
            self._capture_gradients()  # the last step's gradients are still there
            self._capture_outputs()

    def _capture_gradients(self) -> None:
        if self._model is None:
            return
        grads: dict[str, list[torch.Tensor]] = {}
        for name, p in self._model.named_parameters():
            nid = self._owners.get(name)
            if p.grad is not None and nid is not None and (self.nodes is None or nid in self.nodes):
                grads.setdefault(nid, []).append(p.grad.reshape(-1))
        for nid, parts in grads.items():
            record = summarise(self.step, torch.cat(parts)[None], self.max_values, self.bins)
            self.gradients.setdefault(nid, deque(maxlen=self._keep)).append(record)

    def _capture_outputs(self) -> None:
        if self._model is None or self.held is None:
            return
        found = capture_activations(
            self._model, self.held, self.nodes, self.step, self.max_values, self.bins
        )
        for nid, record in found.items():
            self.captures.setdefault(nid, deque(maxlen=self._keep)).append(record)

    def latest(self, node_id: str) -> Capture | None:
        series = self.captures.get(node_id)
        return series[-1] if series else None
