"""Looking inside a network for one chosen validation sample, while or after training.

Two ways in, both built on ``train.capture``:

* ``SampleCapture`` (a ``TrainHook``) rides along a training run: its held batch is the
  chosen validation sample (and a few after it, so the activation histograms describe more
  than one sample), captured every ``interval`` steps. The chosen sample can change during
  the run (``choose``); the next capture uses it. The GUI reads ``captures``/``gradients``
  from its own thread: the hook only appends to bounded deques and replaces whole objects,
  which other threads can read at any time.
* ``capture_sample`` runs a trained model once on the chosen sample ("Capture now"): every
  block's output, and the weight gradients of the loss on that one sample.

``classify`` turns an output block's capture into the predicted class, so a view can show
"label cat, predicted dog" beside the feature maps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.train.capture import (
    DEFAULT_INTERVAL,
    ActivationCapture,
    Capture,
    capture_activations,
    summarise,
)
from netbuilder.train.data import DataBundle, TensorData
from netbuilder.train.hooks import block_of
from netbuilder.train.loss import LossAdapter

#: Validation samples in the held batch: the chosen one first.
HELD_SIZE = 8
#: Numbers kept of each capture: 32 feature maps of 32×32, or 128 of 16×16.
MAX_VALUES = 32768
#: Captures kept per block (the latest ones; the panel shows the last).
KEEP = 3


def validation_count(data: DataBundle) -> int:
    return len(data.val)  # type: ignore[arg-type]


def validation_batch(data: DataBundle, index: int, size: int = HELD_SIZE) -> torch.Tensor:
    """Inputs of validation samples ``index``, ``index+1``, … (wrapping), model-ready."""
    n = validation_count(data)
    if n == 0:
        raise ValueError("the validation set is empty")
    picks = [(index + k) % n for k in range(min(size, n))]
    if isinstance(data.val, TensorData):
        return data.val.inputs[picks]
    return torch.stack([data.val[i][0] for i in picks])


def validation_label(data: DataBundle, index: int) -> str:
    """The chosen sample's label in words ("cat", "0.42")."""
    _x, y = data.val[index]
    return data.label_text(y)


def classify(output: torch.Tensor, data: DataBundle) -> str:
    """The prediction an output block's values (one sample) stand for, in words."""
    values = output.reshape(-1)
    if data.task != "classification" or not values.numel():
        return ", ".join(f"{v:.3g}" for v in values[:4].tolist())
    if values.numel() == 1 and len(data.classes) == 2:
        return data.classes[int(values[0] > 0)]
    index = int(values.argmax())
    return data.classes[index] if index < len(data.classes) else str(index)


def output_feeder(diagram: Diagram) -> str | None:
    """The block whose output is the model's output (what ``classify`` reads)."""
    for node in diagram.nodes.values():
        if node.type == "Output":
            edges = diagram.edges_into(node.id)
            if edges:
                return edges[0].source
    return None


class SampleCapture(ActivationCapture):
    """Captures every ``interval`` steps on the chosen validation sample (see module doc)."""

    def __init__(
        self,
        index: int = 0,
        interval: int = DEFAULT_INTERVAL,
        keep: int = KEEP,
        max_values: int = MAX_VALUES,
        min_seconds: float = 0.0,
        first_after: float | None = None,
    ) -> None:
        super().__init__(
            None,
            interval=interval,
            held_size=HELD_SIZE,
            keep=keep,
            max_values=max_values,
            min_seconds=min_seconds,
            first_after=first_after,
        )
        self.index = index
        self.data: DataBundle | None = None
        #: capture step → the validation index it shows
        self.sample_at: dict[int, int] = {}
        self._wanted: int | None = None
        self._device = torch.device("cpu")

    def choose(self, index: int) -> None:
        """Look at another validation sample from the next capture on (any thread)."""
        self._wanted = index

    def on_data(self, data: Any) -> None:
        self.data = data
        if validation_count(data):
            self.index = min(max(0, self.index), validation_count(data) - 1)
            self.held = validation_batch(data, self.index)

    def on_start(self, model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
        super().on_start(model, optimizer)
        self._device = next(iter(model.parameters()), torch.empty(0)).device

    def after_step(self) -> None:
        wanted, self._wanted = self._wanted, None
        if wanted is not None and self.data is not None and validation_count(self.data):
            self.index = min(max(0, wanted), validation_count(self.data) - 1)
            self.held = validation_batch(self.data, self.index).to(self._device)
        if self.capturing and self.held is not None:
            self.sample_at[self.step] = self.index
        super().after_step()

    def on_epoch_end(self, epoch: int, metrics: dict[str, list[float]]) -> None:
        if self._last_capture is None and self.held is not None:
            self.sample_at[self.step] = self.index
        super().on_epoch_end(epoch, metrics)


@dataclass
class SampleResult:
    """Everything captured for one sample of a trained model ("Capture now")."""

    index: int
    label: str
    prediction: str
    captures: dict[str, Capture] = field(default_factory=dict)
    gradients: dict[str, Capture] = field(default_factory=dict)


def capture_sample(
    diagram: Diagram,
    state_dict: dict[str, torch.Tensor],
    data: DataBundle,
    index: int,
    loss_name: str = "cross_entropy",
    step: int = 0,
) -> SampleResult:
    """Run the trained model on validation sample ``index``: block outputs, and the weight
    gradients of the loss on that sample (eval mode: no dropout, running BatchNorm stats).

    Raises ``ValueError`` when the sample does not exist or the weights do not fit.
    """
    n = validation_count(data)
    if not 0 <= index < n:
        raise ValueError(f"there is no validation sample {index} (the set has {n})")
    model = compile_diagram(diagram)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as exc:
        first = str(exc).splitlines()[0]
        raise ValueError(f"the trained weights do not fit this diagram: {first}") from None
    batch = validation_batch(data, index)
    captures = capture_activations(model, batch, step=step, max_values=MAX_VALUES)
    _x, y = data.val[index]
    model.eval()
    out = model(batch[:1])
    prediction = classify(out[0].detach(), data)
    gradients: dict[str, Capture] = {}
    try:
        adapter = LossAdapter(loss_name, data)
        adapter.out_dim = out.shape[-1]
        target = adapter.targets(torch.as_tensor(y).reshape(1, *torch.as_tensor(y).shape))
        adapter(out, target).backward()
        parts: dict[str, list[torch.Tensor]] = {}
        owners = block_of(model)
        for name, p in model.named_parameters():
            if p.grad is not None and name in owners:
                parts.setdefault(owners[name], []).append(p.grad.reshape(-1))
        for nid, grads in parts.items():
            gradients[nid] = summarise(step, torch.cat(grads)[None], 4096, 32)
    except Exception:  # a loss that does not fit this output: activations are still useful
        gradients = {}
    return SampleResult(index, data.label_text(y), prediction, captures, gradients)
