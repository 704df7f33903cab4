"""Where training data comes from, and the one shape every source delivers: a ``DataBundle``.

Sources render or convert their samples to the diagram's input block spec (read from the
shape checker), so the model and the data agree by construction; anything that cannot agree
raises ``DataError`` with the cause in words (missing folder, unreadable file, bad column).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch.utils.data import Dataset

from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import _
from netbuilder.core.shapes import check
from netbuilder.core.tensor import TensorSpec, format_shape
from netbuilder.train.config import TrainConfig
from netbuilder.train.pipeline import InputPipeline
from netbuilder.train.preprocess import decode_image


class DataError(Exception):
    """Training data that cannot be used; the message names the file, folder or column."""


class TensorData(Dataset):
    """Samples held in memory as two tensors: the trainer indexes them directly.

    Indexing a tensor with a shuffled index batch is several times faster than a
    ``DataLoader`` collating single samples, and needs no worker processes.
    """

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor) -> None:
        if len(inputs) != len(targets):
            raise ValueError("inputs and targets differ in length")
        self.inputs = inputs
        self.targets = targets

    def __len__(self) -> int:
        return len(self.inputs)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.inputs[index], self.targets[index]


@dataclass
class DataBundle:
    """Train and validation sets plus what the trainer and the GUI need to know about them.

    ``mean``/``std`` are the per-channel normalisation applied to images (None otherwise), so
    ``preview`` can show the pictures as they looked before normalisation.
    """

    train: Dataset
    val: Dataset
    classes: list[str]
    task: str  # "classification" | "regression"
    name: str
    kind: str = "tensor"  # "image" | "sequence" | "tokens" | "table"
    mean: list[float] | None = None
    std: list[float] | None = None
    files: list[str] = field(default_factory=list)  # val image files, for misclassified grids
    notes: list[str] = field(default_factory=list)  # what loading changed, e.g. dropped rows
    #: how a raw sample becomes a model input (saved in checkpoints, carried by exports)
    pipeline: InputPipeline | None = None
    #: the validation inputs before normalisation (0..1 pixels, raw column values), in the
    #: order of ``val``; None for streamed images, which are re-read from ``files``
    raw_val: torch.Tensor | None = None

    def describe(self) -> str:
        """One line for people: the sample counts, the task and what loading changed."""
        classes = f", {len(self.classes)} classes" if self.task == "classification" else ""
        n_train, n_val = len(self.train), len(self.val)  # type: ignore[arg-type]
        text = f"{self.name}: {n_train} training / {n_val} validation samples"
        return f"{text} ({self.task}{classes})" + "".join(f"; {note}" for note in self.notes)

    def preview(self, n: int = 8) -> list[tuple[torch.Tensor, str]]:
        """Up to ``n`` training samples with their label text; images in 0..1 for display."""
        out: list[tuple[torch.Tensor, str]] = []
        for i in range(min(n, len(self.train))):  # type: ignore[arg-type]
            x, y = self.train[i]
            out.append((self.display(x), self.label_text(y)))
        return out

    def display(self, x: torch.Tensor) -> torch.Tensor:
        """Undo image normalisation and clamp to 0..1; other samples are returned unchanged."""
        if self.kind != "image":
            return x
        if self.mean is not None and self.std is not None:
            mean = torch.tensor(self.mean).view(-1, 1, 1)
            std = torch.tensor(self.std).view(-1, 1, 1)
            x = x * std + mean
        return x.clamp(0.0, 1.0)

    def label_text(self, y: torch.Tensor | int | float) -> str:
        value = y.item() if isinstance(y, torch.Tensor) and y.numel() == 1 else y
        if self.task == "classification" and isinstance(value, int) and value < len(self.classes):
            return self.classes[value]
        if isinstance(value, float):
            return f"{value:.3g}"
        return str(value)


def validation_samples(
    bundle: DataBundle, limit: int = 1000
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(raw inputs, the inputs the model was validated on, targets): the first ``limit``
    validation samples, for checking that an export given raw inputs scores like the app.

    Streamed images are decoded again from their files, without normalisation.
    """
    val = bundle.val
    n = min(limit, len(val))  # type: ignore[arg-type]
    if isinstance(val, TensorData):
        prepared, targets = val.inputs[:n], val.targets[:n]
    else:
        pairs = [val[i] for i in range(n)]
        prepared = torch.stack([p[0] for p in pairs])
        targets = torch.stack([torch.as_tensor(p[1]) for p in pairs])
    if bundle.raw_val is not None:
        raw = bundle.raw_val[:n]
    elif bundle.pipeline is not None and bundle.pipeline.kind == "image" and bundle.files:
        p = bundle.pipeline
        _channels, h, w = p.shape
        raw = torch.stack(
            [decode_image(f, p.colour or "RGB", h, w, int(p.resize or 0)) for f in bundle.files[:n]]
        )
    else:
        raise DataError(
            _("the dataset '{dataset}' kept no raw validation samples").format(dataset=bundle.name)
        )
    return raw, prepared, targets


def input_spec(diagram: Diagram) -> tuple[str, TensorSpec]:
    """The id and tensor spec of the diagram's single input block."""
    analysis = check(diagram)
    inputs = analysis.input_nodes()
    if len(inputs) != 1:
        raise DataError(
            _("training needs exactly one input block, but the diagram has {count}").format(
                count=len(inputs)
            )
        )
    nid = inputs[0]
    outputs = list(analysis.nodes[nid].outputs.values())
    if not outputs:
        raise DataError(
            _("the input block '{block}' has no valid shape; fix its parameters").format(block=nid)
        )
    return nid, outputs[0]


def need_spec(spec: TensorSpec, node_id: str, rank: int, what: str, dataset: str) -> None:
    """Raise a DataError when the input block cannot take this kind of data."""
    if spec.rank != rank or (spec.dtype == "long") != (what == "token ids"):
        raise DataError(
            _(
                "the dataset '{dataset}' gives {what}, but the input block '{block}' takes "
                "{shape} ({dtype}); use a matching input block"
            ).format(
                dataset=dataset,
                what=what,
                block=node_id,
                shape=format_shape(spec),
                dtype=spec.dtype,
            )
        )


def split_indices(n: int, val_split: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded shuffle split into (train, val) index tensors; val gets at least one sample."""
    if n < 2:
        raise DataError(
            _("the dataset has {count} sample(s); training needs at least 2").format(count=n)
        )
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = min(n - 1, max(1, math.ceil(n * val_split)))
    return order[n_val:], order[:n_val]


def standardise(
    train: torch.Tensor, others: list[torch.Tensor], dims: tuple[int, ...]
) -> tuple[torch.Tensor, list[torch.Tensor], torch.Tensor, torch.Tensor]:
    """Zero mean, unit variance using statistics of the training part only."""
    mean = train.mean(dim=dims, keepdim=True)
    std = train.std(dim=dims, keepdim=True).clamp_min(1e-6)
    return (train - mean) / std, [(o - mean) / std for o in others], mean, std


def split_tensor_bundle(
    name: str,
    x: torch.Tensor,
    y: torch.Tensor,
    classes: list[str],
    task: str,
    kind: str,
    config: TrainConfig,
    seed: int,
    normalize: bool = False,
    split: tuple[torch.Tensor, torch.Tensor] | None = None,
    raw: torch.Tensor | None = None,
) -> DataBundle:
    """Split in-memory samples (seeded, or by the given ``split`` indices) into a bundle.

    With ``normalize`` (and the ``normalize`` option on) features are standardised with the
    training part's statistics only, so no validation information leaks into training.
    ``raw`` is ``x`` before any gap filling, kept (validation part) as the raw samples.
    The bundle's pipeline records the statistics; sources add columns or vocabularies.
    """
    tr, va = split or split_indices(len(x), float(config.option("val_split")), seed)
    xt, xv = x[tr], x[va]
    raw_val = (raw if raw is not None else x)[va].contiguous()
    mean = std = None
    if normalize and config.option("normalize"):
        xt, (xv,), m, s = standardise(xt, [xv], (0,))
        mean, std = m.flatten().tolist(), s.flatten().tolist()
    pipeline = InputPipeline(
        kind,
        list(x.shape[1:]),
        "long" if x.dtype == torch.long else "float",
        task,
        list(classes),
        mean=mean,
        std=std,
        source=name,
    )
    return DataBundle(
        TensorData(xt.contiguous(), y[tr]),
        TensorData(xv.contiguous(), y[va]),
        classes,
        task,
        name,
        kind,
        pipeline=pipeline,
        raw_val=raw_val,
    )
