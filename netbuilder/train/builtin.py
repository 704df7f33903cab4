"""Built-in datasets, generated in memory from a seed: no download, trainable in about a minute.

Each generator renders to the diagram's input spec (image size and channels, sequence length
and features, vocabulary), so every example diagram trains as drawn. The rule behind the
labels is fixed; the ``data_seed`` dataset option picks the samples, so the training seed
changes the initial weights and order, never the data.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from PIL import Image, ImageDraw

from netbuilder.core.tensor import TensorSpec, format_shape
from netbuilder.train.config import BUILTIN_DATASETS, TrainConfig
from netbuilder.train.data import (
    DataBundle,
    DataError,
    TensorData,
    split_indices,
    split_tensor_bundle,
    standardise,
)
from netbuilder.train.pipeline import image_pipeline

SHAPE_CLASSES = ["circle", "ring", "square", "triangle", "plus", "diamond"]
DIGIT_CLASSES = [str(d) for d in range(10)]
WAVE_CLASSES = ["sine", "square", "sawtooth", "noise"]
TOPIC_CLASSES = ["topic A", "topic B", "topic C", "topic D"]
DEFAULT_SIZES = {
    "shapes": 3000,
    "digits": 4000,
    "sequences": 3000,
    "tokens": 3000,
    "regression": 4000,
}

# Seven-segment strokes in a unit box, (x0, y0, x1, y1), and which segments light each digit.
_SEGMENTS = {
    "a": (0, 0, 1, 0),
    "b": (1, 0, 1, 0.5),
    "c": (1, 0.5, 1, 1),
    "d": (0, 1, 1, 1),
    "e": (0, 0.5, 0, 1),
    "f": (0, 0, 0, 0.5),
    "g": (0, 0.5, 1, 0.5),
}
_DIGIT_SEGMENTS = [
    "abcdef",
    "bc",
    "abged",
    "abgcd",
    "fgbc",
    "afgcd",
    "afgedc",
    "abc",
    "abcdefg",
    "abcdfg",
]


def load_builtin(name: str, spec: TensorSpec, node_id: str, config: TrainConfig) -> DataBundle:
    """Generate built-in dataset ``name`` for an input block of ``spec``."""
    makers: dict[str, Callable[..., DataBundle]] = {
        "shapes": _shapes,
        "digits": _digits,
        "sequences": _sequences,
        "tokens": _tokens,
        "regression": _regression,
    }
    if name not in makers:
        raise DataError(
            f"there is no built-in dataset '{name}'; choose one of {', '.join(BUILTIN_DATASETS)}"
        )
    size = int(config.option("size") or DEFAULT_SIZES[name])
    seed = int(config.option("data_seed"))
    rng = np.random.default_rng(seed)
    return makers[name](spec, node_id, config, size, rng, seed)


def _wrong_input(name: str, wants: str, spec: TensorSpec, node_id: str) -> DataError:
    return DataError(
        f"built-in dataset '{name}' gives {wants}, but the input block '{node_id}' takes "
        f"{format_shape(spec)}{' token ids' if spec.dtype == 'long' else ''}; "
        "use a matching input block or another dataset"
    )


def _image_spec(name: str, spec: TensorSpec, node_id: str) -> tuple[int, int, int]:
    if spec.rank != 3 or spec.dtype != "float" or spec.shape[0] not in (1, 3):
        raise _wrong_input(name, "images (1 or 3 channels × height × width)", spec, node_id)
    c, h, w = spec.shape
    if min(h, w) < 8:
        raise DataError(f"built-in dataset '{name}' needs images of at least 8×8 pixels")
    return c, h, w


def _finish_images(
    name: str,
    images: np.ndarray,
    labels: np.ndarray,
    classes: list[str],
    config: TrainConfig,
    seed: int,
) -> DataBundle:
    """uint8 N×H×W×C → normalised float tensors split into train and val."""
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div_(255.0).contiguous()
    y = torch.from_numpy(labels).long()
    tr, va = split_indices(len(x), float(config.option("val_split")), seed)
    xt, xv = x[tr], x[va]
    raw_val = xv
    mean = std = None
    if config.option("normalize"):
        xt, (xv,), m, s = standardise(xt, [xv], (0, 2, 3))
        mean, std = m.flatten().tolist(), s.flatten().tolist()
    shape = list(x.shape[1:])
    return DataBundle(
        TensorData(xt, y[tr]),
        TensorData(xv, y[va]),
        classes,
        "classification",
        f"builtin:{name}",
        "image",
        mean,
        std,
        pipeline=image_pipeline(shape, classes, f"builtin:{name}", max(shape[1:]), mean, std),
        raw_val=raw_val,
    )


def _colour(rng: np.random.Generator, low: int, high: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(low, high, 3))  # type: ignore[return-value]


def _shapes(
    spec: TensorSpec,
    node_id: str,
    config: TrainConfig,
    size: int,
    rng: np.random.Generator,
    seed: int,
) -> DataBundle:
    """Six filled or outlined shapes, random size, position and colour, on a noisy background."""
    c, h, w = _image_spec("shapes", spec, node_id)
    labels = np.arange(size) % len(SHAPE_CLASSES)
    rng.shuffle(labels)
    images = np.empty((size, h, w, 3), np.uint8)
    side = min(h, w)
    for i, label in enumerate(labels):
        img = Image.new("RGB", (w, h), _colour(rng, 0, 90))
        draw = ImageDraw.Draw(img)
        r = rng.uniform(0.22, 0.42) * side
        cx = rng.uniform(r, w - r)
        cy = rng.uniform(r, h - r)
        fg = _colour(rng, 120, 256)
        thick = max(1, round(r * 0.3))
        box = (cx - r, cy - r, cx + r, cy + r)
        if label == 0:
            draw.ellipse(box, fill=fg)
        elif label == 1:
            draw.ellipse(box, outline=fg, width=thick)
        elif label == 2:
            s = r * 0.85
            draw.rectangle((cx - s, cy - s, cx + s, cy + s), fill=fg)
        elif label == 3:
            draw.polygon([(cx, cy - r), (cx + r, cy + r * 0.8), (cx - r, cy + r * 0.8)], fill=fg)
        elif label == 4:
            draw.rectangle((cx - r, cy - thick / 2, cx + r, cy + thick / 2), fill=fg)
            draw.rectangle((cx - thick / 2, cy - r, cx + thick / 2, cy + r), fill=fg)
        else:
            draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=fg)
        images[i] = np.asarray(img)
    noise = rng.normal(0, 12, images.shape)
    images = np.clip(images + noise, 0, 255).astype(np.uint8)
    if c == 1:
        images = images.mean(axis=3, keepdims=True).astype(np.uint8)
    return _finish_images("shapes", images, labels, SHAPE_CLASSES, config, seed)


def _digits(
    spec: TensorSpec,
    node_id: str,
    config: TrainConfig,
    size: int,
    rng: np.random.Generator,
    seed: int,
) -> DataBundle:
    """Seven-segment digits with jittered box, slant, stroke width and end points."""
    c, h, w = _image_spec("digits", spec, node_id)
    labels = np.arange(size) % 10
    rng.shuffle(labels)
    images = np.empty((size, h, w, 1), np.uint8)
    for i, label in enumerate(labels):
        img = Image.new("L", (w, h), int(rng.integers(0, 40)))
        draw = ImageDraw.Draw(img)
        bw, bh = rng.uniform(0.3, 0.5) * w, rng.uniform(0.5, 0.75) * h
        x0 = rng.uniform(0.08 * w, w - bw - 0.08 * w)
        y0 = rng.uniform(0.08 * h, h - bh - 0.08 * h)
        slant = rng.uniform(-0.25, 0.25)
        width = max(1, round(rng.uniform(0.05, 0.11) * min(h, w)))
        ink = int(rng.integers(170, 256))
        for seg in _DIGIT_SEGMENTS[label]:
            ax, ay, bx, by = (v + rng.normal(0, 0.04) for v in _SEGMENTS[seg])
            pts = [
                (x0 + (ax + slant * (1 - ay)) * bw, y0 + ay * bh),
                (x0 + (bx + slant * (1 - by)) * bw, y0 + by * bh),
            ]
            draw.line(pts, fill=ink, width=width)
        images[i, :, :, 0] = np.asarray(img)
    images = np.clip(images + rng.normal(0, 10, images.shape), 0, 255).astype(np.uint8)
    if c == 3:
        images = np.repeat(images, 3, axis=3)
    return _finish_images("digits", images, labels, DIGIT_CLASSES, config, seed)


def _sequences(
    spec: TensorSpec,
    node_id: str,
    config: TrainConfig,
    size: int,
    rng: np.random.Generator,
    seed: int,
) -> DataBundle:
    """Sine, square, sawtooth and smoothed-noise waves, T steps × F channels, random freq/phase."""
    if spec.rank != 2 or spec.dtype != "float":
        raise _wrong_input("sequences", "sequences (time steps × features)", spec, node_id)
    t_len, feats = spec.shape
    labels = np.arange(size) % 4
    rng.shuffle(labels)
    t = np.arange(t_len)[None, :, None] / t_len
    cycles = rng.uniform(1.5, 4.0, (size, 1, feats))
    phase = rng.uniform(0, 1, (size, 1, feats))
    amp = rng.uniform(0.6, 1.4, (size, 1, feats))
    u = (t * cycles + phase) % 1.0
    sine = np.sin(2 * np.pi * u)
    square = np.where(u < 0.5, 1.0, -1.0)
    saw = 2 * u - 1
    raw = rng.normal(0, 1, (size, t_len + 4, feats))
    kernel = np.ones(5) / 5
    smooth = np.apply_along_axis(lambda v: np.convolve(v, kernel, "valid"), 1, raw)
    smooth = smooth / smooth.std(axis=1, keepdims=True).clip(1e-6) * 0.7
    lab = labels[:, None, None]
    waves = np.where(lab == 0, sine, np.where(lab == 1, square, np.where(lab == 2, saw, smooth)))
    x = amp * waves + rng.normal(0, 0.15, (size, t_len, feats))
    return split_tensor_bundle(
        "builtin:sequences",
        torch.from_numpy(x).float(),
        torch.from_numpy(labels).long(),
        WAVE_CLASSES,
        "classification",
        "sequence",
        config,
        seed,
    )


def _tokens(
    spec: TensorSpec,
    node_id: str,
    config: TrainConfig,
    size: int,
    rng: np.random.Generator,
    seed: int,
) -> DataBundle:
    """Filler tokens with topic words; the label is the topic whose words occur most often.

    The first half of the vocabulary (after token 0) holds four topic groups, the second half
    is filler; the winning topic leads every other topic by a clear margin.
    """
    if spec.rank != 1 or spec.dtype != "long":
        raise _wrong_input("tokens", "token-id sequences", spec, node_id)
    length = spec.shape[0]
    vocab = spec.vocab or 0
    if vocab < 10 or length < 8:
        raise DataError(
            "built-in dataset 'tokens' needs a vocabulary of at least 10 and sequences of "
            f"at least 8 tokens; the input block '{node_id}' has {vocab} and {length}"
        )
    half = vocab // 2
    groups = np.array_split(np.arange(1, half), 4)
    starts = np.array([g[0] for g in groups] + [half])
    sizes = np.array([len(g) for g in groups] + [vocab - half])
    labels = np.arange(size) % 4
    rng.shuffle(labels)
    k_lo, k_hi = max(2, length // 8), max(3, length // 4)
    k = rng.integers(k_lo, k_hi + 1, size)
    counts = (rng.random((size, 4)) * (k[:, None] // 2 + 1)).astype(np.int64)
    counts[np.arange(size), labels] = k
    # Slot j of a row holds topic g while j < cumsum(counts)[g], filler (group 4) after;
    # each slot draws a token of its group, then the row is shuffled.
    cum = np.cumsum(counts, axis=1)
    slot_group = (np.arange(length)[None, :, None] >= cum[:, None, :]).sum(axis=2)
    tokens = starts[slot_group] + (rng.random((size, length)) * sizes[slot_group]).astype(np.int64)
    order = np.argsort(rng.random((size, length)), axis=1)
    x = np.take_along_axis(tokens, order, axis=1)
    bundle = split_tensor_bundle(
        "builtin:tokens",
        torch.from_numpy(x).long(),
        torch.from_numpy(labels).long(),
        TOPIC_CLASSES,
        "classification",
        "tokens",
        config,
        seed,
    )
    if bundle.pipeline is not None:  # ids only: the generated "words" have no text
        bundle.pipeline.vocab_size = vocab
    return bundle


def _regression(
    spec: TensorSpec,
    node_id: str,
    config: TrainConfig,
    size: int,
    rng: np.random.Generator,
    seed: int,
) -> DataBundle:
    """A smooth nonlinear function of the features (sines, products, squares) plus noise."""
    if spec.rank != 1 or spec.dtype != "float":
        raise _wrong_input("regression", "rows of numeric features", spec, node_id)
    feats = spec.shape[0]
    rule = np.random.default_rng(7)  # the function is fixed; only the samples vary
    a = rule.uniform(0.5, 1.5, feats)
    b = rule.uniform(0.5, 2.0, feats)
    x = rng.uniform(-2, 2, (size, feats))
    y = (a * np.sin(b * x)).sum(axis=1)
    y += 0.5 * (x * np.roll(x, 1, axis=1)).sum(axis=1) / math.sqrt(feats)
    y += 0.3 * x[:, 0] ** 2
    y = (y - y.mean()) / y.std()
    y += rng.normal(0, 0.05, size)
    bundle = split_tensor_bundle(
        "builtin:regression",
        torch.from_numpy(x).float(),
        torch.from_numpy(y).float()[:, None],
        [],
        "regression",
        "table",
        config,
        seed,
        normalize=False,
    )
    if bundle.pipeline is not None:  # the generated features have no names: x1, x2, ...
        bundle.pipeline.columns = [f"x{i + 1}" for i in range(feats)]
    return bundle
