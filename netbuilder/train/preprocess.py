"""Turn raw inputs (image files, table rows, token text) into the tensors a model was trained on.

This module is the one implementation of NetBuilder's input preprocessing: image folders use
``decode_image`` while training, ``netbuilder predict`` and the app's "Try it" panel use
``preprocess``, and the Python export copies this file's source verbatim into ``model.py``.
So it must stay standalone: it imports only the standard library and torch (Pillow lazily,
for image files), and every function takes the pipeline as the plain dict that
``InputPipeline.to_dict()`` writes into checkpoints and exports.

Exactness matters: ``normalise`` repeats the training sources' float32 operations in the same
order ((x - mean) / std with the saved per-channel or per-column statistics), so a raw sample
preprocessed here gives bit-for-bit the tensor the model saw during validation.
"""

from __future__ import annotations

import math
from typing import Any

import torch

#: The pipeline ``preprocess`` uses when given none; an exported ``model.py`` sets it to the
#: model's own pipeline (this line is replaced when the source is copied).
PIPELINE: dict[str, Any] = {}
#: Cell texts that mean "no value" in a table row (compared stripped and in lower case).
MISSING_CELLS = frozenset({"", "na", "n/a", "nan", "null", "?"})


class InputError(ValueError):
    """An input that does not fit the model's pipeline; the message names file, column or value."""


def decode_image(source: Any, colour: str, height: int, width: int, resize: int) -> torch.Tensor:
    """An image file (path) or PIL image as a C×H×W float tensor in 0..1.

    The training recipe: convert to ``colour`` ("L" grey or "RGB"), resize bilinearly so the
    shorter side is ``resize`` (never below the crop), centre-crop ``height``×``width``.
    """
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        if isinstance(source, Image.Image):
            img = source
        else:
            with Image.open(source) as opened:
                opened.load()
                img = opened.copy()
        img = img.convert(colour)
        w, h = img.size
        scale = resize / min(w, h)
        size = (max(width, round(w * scale)), max(height, round(h * scale)))
        img = img.resize(size, Image.Resampling.BILINEAR)
        left = (size[0] - width) // 2
        top = (size[1] - height) // 2
        img = img.crop((left, top, left + width, top + height))
        arr = np.asarray(img, dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError, ZeroDivisionError) as exc:
        name = getattr(source, "filename", None) or source
        raise InputError(f"cannot read the image '{name}': {exc}") from None
    x = torch.from_numpy(arr.copy()).float().div_(255.0)
    x = x[None] if x.dim() == 2 else x.permute(2, 0, 1)
    return x.contiguous()


def normalise(x: torch.Tensor, pipeline: dict[str, Any]) -> torch.Tensor:
    """Raw float inputs (a batch) → what the model takes: gaps filled, then (x - mean) / std.

    Images are 0..1 pixels, N×C×H×W; tables are raw column values, N×F (NaN = missing).
    """
    fill = pipeline.get("fill")
    if fill is not None:
        x = torch.where(torch.isnan(x), torch.tensor(fill, dtype=x.dtype), x)
    mean, std = pipeline.get("mean"), pipeline.get("std")
    if mean is None or std is None:
        return x
    view = (1, -1) + (1,) * (x.dim() - 2)
    m = torch.tensor(mean, dtype=x.dtype).view(view)
    s = torch.tensor(std, dtype=x.dtype).view(view)
    return (x - m) / s


def tokens_from_text(text: str, pipeline: dict[str, Any]) -> list[int]:
    """Whitespace-separated tokens → ids: words through the vocabulary when it has one,
    otherwise the tokens must be integer ids. Shorter texts are padded with ``pad_id``."""
    vocab_size = int(pipeline.get("vocab_size") or 0)
    vocabulary = pipeline.get("vocabulary")
    index = {w: i for i, w in enumerate(vocabulary)} if vocabulary else None
    ids: list[int] = []
    for word in text.split():
        if index is not None:
            if word not in index:
                unk = pipeline.get("unknown_id")
                if unk is None:
                    raise InputError(f"the word {word!r} is not in the model's vocabulary")
                ids.append(int(unk))
                continue
            ids.append(index[word])
            continue
        try:
            ids.append(int(word))
        except ValueError:
            raise InputError(
                f"{word!r} is not a token id; this model takes whitespace-separated integer "
                f"token ids 0..{vocab_size - 1}"
            ) from None
    return pad_tokens(ids, pipeline)


def pad_tokens(ids: list[int], pipeline: dict[str, Any]) -> list[int]:
    """Check ids against the vocabulary size and pad to the model's sequence length."""
    length = int(pipeline["shape"][0])
    vocab_size = int(pipeline.get("vocab_size") or 0)
    if not ids:
        raise InputError("the text holds no tokens")
    if len(ids) > length:
        raise InputError(f"{len(ids)} tokens, but the model takes at most {length}")
    bad = [i for i in ids if i < 0 or (vocab_size and i >= vocab_size)]
    if bad:
        raise InputError(f"token id {bad[0]} is outside the vocabulary 0..{vocab_size - 1}")
    return ids + [int(pipeline.get("pad_id") or 0)] * (length - len(ids))


def _cell(value: Any, column: str) -> float:
    if value is None or (isinstance(value, str) and value.strip().lower() in MISSING_CELLS):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"column '{column}': {value!r} is not a number") from None


def table_rows(rows: list[Any], pipeline: dict[str, Any]) -> torch.Tensor:
    """Rows as dicts (column name → value) or sequences in the model's column order → N×F.

    A dict row must hold every feature column (extra columns, such as the target, are
    ignored); missing cells are NaN, filled later when the model was trained with fill_mean.
    """
    columns = list(pipeline.get("columns") or [])
    width = int(pipeline["shape"][0])
    out = torch.empty(len(rows), width)
    for r, row in enumerate(rows):
        if isinstance(row, dict):
            absent = [c for c in columns if c not in row]
            if absent:
                raise InputError(
                    f"missing column(s) {', '.join(absent)}; the model needs {', '.join(columns)}"
                )
            values = [row[c] for c in columns]
        else:
            values = list(row)
            if len(values) != width:
                raise InputError(f"row {r + 1} has {len(values)} values; the model takes {width}")
        names = columns or [f"#{j + 1}" for j in range(width)]
        out[r] = torch.tensor([_cell(v, n) for v, n in zip(values, names, strict=True)])
    if pipeline.get("fill") is None and torch.isnan(out).any():
        r, c = (int(i) for i in torch.nonzero(torch.isnan(out))[0])
        name = columns[c] if columns else f"#{c + 1}"
        raise InputError(f"row {r + 1}, column '{name}': the value is missing")
    return out


def _batch(x: torch.Tensor, rank: int) -> torch.Tensor:
    return x[None] if x.dim() == rank else x


def preprocess(inputs: Any, pipeline: dict[str, Any] | None = None) -> torch.Tensor:
    """Raw inputs → the batch the model takes (see ``pipeline["kind"]`` for what fits).

    ``pipeline`` defaults to ``PIPELINE``. Raises ``InputError`` for inputs that do not fit.

    * image: file paths or PIL images (one or a list), decoded with the training recipe;
      or a float tensor of 0..1 pixels, C×H×W or N×C×H×W, already at the model's size.
    * table: dicts of column → value (one or a list), rows of values in column order, or
      an N×F float tensor of raw values; missing values are NaN or empty cells.
    * tokens: a text of whitespace-separated tokens (one or a list), lists of ids, or a
      long tensor; shorter sequences are padded.
    * sequence / tensor: a float tensor (or nested lists) of the model's input shape.
    """
    pipeline = pipeline or PIPELINE
    kind = pipeline.get("kind", "tensor")
    shape = [int(s) for s in pipeline["shape"]]
    if kind == "image":
        many = isinstance(inputs, list | tuple)
        items = list(inputs) if many else [inputs]
        if all(not isinstance(i, torch.Tensor) for i in items):
            _, h, w = shape
            args = (pipeline["colour"], h, w, int(pipeline["resize"]))
            x = torch.stack([decode_image(i, *args) for i in items])
        else:
            x = _batch(torch.as_tensor(inputs, dtype=torch.float32), 3)
    elif kind == "table":
        if isinstance(inputs, torch.Tensor):
            x = _batch(inputs.float(), 1)
        else:
            rows = [inputs] if isinstance(inputs, dict) else list(inputs)
            if rows and not isinstance(rows[0], dict | list | tuple):
                rows = [rows]  # one row of values
            x = table_rows(rows, pipeline)
    elif kind == "tokens":
        if isinstance(inputs, str):
            inputs = [inputs]
        if isinstance(inputs, torch.Tensor):
            x = _batch(inputs.long(), 1)
        else:
            items = list(inputs)
            if items and isinstance(items[0], int):
                items = [items]
            rows = [
                tokens_from_text(i, pipeline)
                if isinstance(i, str)
                else pad_tokens(list(i), pipeline)
                for i in items
            ]
            x = torch.tensor(rows, dtype=torch.long)
    else:
        x = _batch(torch.as_tensor(inputs, dtype=torch.float32), len(shape))
    if list(x.shape[1:]) != shape:
        raise InputError(
            f"the input has shape {tuple(x.shape[1:])} per sample; the model takes {tuple(shape)}"
        )
    return x if kind == "tokens" else normalise(x, pipeline)
