"""The input pipeline a model was trained with, as plain data that travels with every export.

Each data source (built-in sets, image folders, tables) describes what it did to a raw
sample: how images were decoded (colour mode, resize, centre crop, 0..1 scaling), the
per-channel or per-column normalisation, the feature columns and their gap filling, the
token vocabulary, and the class names in output order. The checkpoint stores
``to_dict()`` (only str/int/float/bool/list/None, so ``torch.load(weights_only=True)``
reads it); exports bake it in or generate ``preprocess()`` from it; ``netbuilder predict``
and the app's "Try it" panel apply it to new files. ``netbuilder.train.preprocess`` holds
the code that applies it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import torch
from torch import nn

from netbuilder.train.preprocess import preprocess

PIPELINE_VERSION = 1
KINDS = ("image", "table", "tokens", "sequence", "tensor")


@dataclass
class InputPipeline:
    """What turns one raw sample into the model's input; see the module docstring.

    ``shape`` is one sample's input shape (no batch); ``scale`` maps stored pixel values to
    the 0..1 range the pipeline starts from (1/255 for 8-bit images); ``resize`` is the
    length the shorter image side is resized to before the centre crop; ``fill`` holds a
    value per column for missing cells (the training means) when the table was loaded with
    ``missing=fill_mean``. ``assumed`` marks a pipeline reconstructed for an old checkpoint.
    """

    kind: str = "tensor"
    shape: list[int] = field(default_factory=list)
    dtype: str = "float"
    task: str = "classification"
    classes: list[str] = field(default_factory=list)
    colour: str | None = None
    resize: int | None = None
    scale: float | None = None
    mean: list[float] | None = None
    std: list[float] | None = None
    columns: list[str] | None = None
    target: str | None = None
    fill: list[float] | None = None
    vocab_size: int | None = None
    vocabulary: list[str] | None = None
    pad_id: int = 0
    source: str = ""
    assumed: bool = False
    version: int = PIPELINE_VERSION

    # ------------------------------------------------------------------ plain data

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible dict (stored in checkpoints and beside exports)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputPipeline:
        """Read ``to_dict()``'s form; unknown keys (from newer versions) are ignored."""
        if not isinstance(data, dict):
            raise ValueError("the input pipeline record is not a dict")
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        pipeline = cls(**values)
        if pipeline.kind not in KINDS or not isinstance(pipeline.shape, list):
            raise ValueError(f"the input pipeline record is damaged (kind {pipeline.kind!r})")
        return pipeline

    # ------------------------------------------------------------------ applying it

    @property
    def normalises(self) -> bool:
        """Whether raw values are changed (gaps filled or standardised) before the model."""
        return self.fill is not None or (self.mean is not None and self.std is not None)

    def preprocess(self, inputs: Any) -> torch.Tensor:
        """Raw inputs → the model's input batch (``netbuilder.train.preprocess.preprocess``)."""
        return preprocess(inputs, self.to_dict())

    def normaliser(self) -> nn.Module:
        """The normalisation as a module, to bake into an exported graph."""
        return Normalise(self)

    def raw_input_text(self, baked: bool = True) -> str:
        """One sentence for docs and dialogs: what the (exported) model's input must be."""
        shape = "×".join(str(s) for s in self.shape)
        if self.kind == "image":
            grey = "grey (1 channel)" if self.colour == "L" else "RGB (3 channels)"
            size = f"{self.shape[1]}×{self.shape[2]}"
            what = (
                f"float32 N×{shape} {grey} pixels scaled to 0..1 (8-bit value / 255), "
                f"resized so the shorter side is {self.resize} and centre-cropped to {size}"
            )
            if self.mean is not None and not baked:
                what += f", then normalised per channel with mean {_fmt(self.mean)} and std "
                what += _fmt(self.std or [])
            return what
        if self.kind == "table":
            cols = ", ".join(self.columns or [])
            what = f"float32 N×{shape} raw values of the columns {cols} in this order"
            if self.fill is not None:
                what += " (NaN for a missing value: it is filled with the training mean)"
            if self.mean is not None and not baked:
                what += f", then standardised with mean {_fmt(self.mean)} and std "
                what += _fmt(self.std or [])
            return what
        if self.kind == "tokens":
            vocab = f" < {self.vocab_size}" if self.vocab_size else ""
            return f"int64 N×{shape} token ids{vocab}, shorter texts padded with {self.pad_id}"
        return f"float32 N×{shape} values, as in the training data (no preprocessing)"


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


class Normalise(nn.Module):
    """(x - mean) / std with NaN gaps filled first: the training sources' exact float32 ops."""

    def __init__(self, pipeline: InputPipeline) -> None:
        super().__init__()
        rank = len(pipeline.shape)
        view = (1, -1) + (1,) * (rank - 1)
        self.has_fill = pipeline.fill is not None
        self.has_norm = pipeline.mean is not None and pipeline.std is not None
        self.register_buffer("fill", torch.tensor(pipeline.fill or [0.0]).view(1, -1))
        self.register_buffer("mean", torch.tensor(pipeline.mean or [0.0]).view(view))
        self.register_buffer("std", torch.tensor(pipeline.std or [1.0]).view(view))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.has_fill:
            x = torch.where(torch.isnan(x), self.fill, x)
        if self.has_norm:
            x = (x - self.mean) / self.std
        return x


class WithInputPipeline(nn.Module):
    """A trained model that takes raw inputs: its pipeline's normalisation, then the model."""

    def __init__(self, model: nn.Module, pipeline: InputPipeline) -> None:
        super().__init__()
        self.normalise = Normalise(pipeline)
        self.model = model

    def forward(self, x: torch.Tensor) -> Any:
        return self.model(self.normalise(x))


def image_pipeline(
    shape: list[int],
    classes: list[str],
    source: str,
    resize: int,
    mean: list[float] | None,
    std: list[float] | None,
) -> InputPipeline:
    """An image classifier's pipeline: 8-bit pixels / 255, then per-channel mean/std."""
    return InputPipeline(
        "image",
        list(shape),
        "float",
        "classification",
        list(classes),
        colour="L" if shape[0] == 1 else "RGB",
        resize=int(resize),
        scale=1 / 255,
        mean=mean,
        std=std,
        source=source,
    )


def assumed_pipeline(
    shape: list[int], dtype: str, vocab: int | None, classes: list[str], dataset: str
) -> InputPipeline:
    """For checkpoints written before pipelines were recorded, when the dataset is gone.

    Assumed: images are decoded like an image folder (resize the shorter side to the larger
    input side, centre crop, 0..1) without normalisation; other inputs pass unchanged.
    Predictions are only right if training used no normalisation, hence ``assumed``.
    """
    task = "classification" if classes else "regression"
    if len(shape) == 3 and dtype == "float" and shape[0] in (1, 3):
        p = image_pipeline(shape, classes, dataset, max(shape[1:]), None, None)
        p.assumed = True
        return p
    kind = "tokens" if dtype == "long" else "table" if len(shape) == 1 else "sequence"
    return InputPipeline(
        kind,
        list(shape),
        dtype,
        task,
        list(classes),
        vocab_size=vocab,
        source=dataset,
        assumed=True,
    )
