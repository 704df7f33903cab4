"""Shared helpers for training tests: example diagrams and small generated image folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.resources import EXAMPLES_DIR


def example(name: str) -> Diagram:
    return load(EXAMPLES_DIR / f"{name}.nbd")


def image_net(channels: int = 3, size: int = 16, classes: int = 2) -> Diagram:
    """A tiny image classifier: input → flatten → linear → output."""
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": channels, "height": size, "width": size}, "image"),
        ("Flatten", {}, "flatten"),
        ("Linear", {"out_features": classes}, "fc"),
        ("Output", {}, "logits"),
    )
    return d


def table_net(features: int, outputs: int) -> Diagram:
    d = Diagram()
    chain(
        d,
        ("TabularInput", {"features": features}, "features"),
        ("Linear", {"out_features": 16}, "fc1"),
        ("ReLU", {}, "relu"),
        ("Linear", {"out_features": outputs}, "fc2"),
        ("Output", {}, "out"),
    )
    return d


def write_png_folder(root: Path, per_class: int = 12, size: int = 20, split: bool = True) -> Path:
    """Two easy classes (bright vs dark squares), as train/+val/ or as one folder."""
    rng = np.random.default_rng(0)
    parts = [("train", per_class), ("val", max(2, per_class // 3))] if split else [("", per_class)]
    for part, count in parts:
        for label, (lo, hi) in {"bright": (170, 255), "dark": (0, 80)}.items():
            folder = root / part / label if part else root / label
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                arr = rng.integers(lo, hi, (size, size + 4, 3), dtype=np.uint8)
                Image.fromarray(arr).save(folder / f"{label}_{i}.png")
    return root


@pytest.fixture
def png_folder(tmp_path: Path) -> Path:
    return write_png_folder(tmp_path / "images")
