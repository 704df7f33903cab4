"""Image folders: one subfolder per class, either split into ``train/`` and ``val/`` or one
folder with a seeded validation split (the layout of torchvision's ``ImageFolder``).

Images are decoded once, resized (shorter side) and centre-cropped to the input block's size,
converted to its channels, and cached in memory as one tensor when they fit
(``cache_limit_mb``); otherwise they are decoded per batch while training, by ``workers``
background processes (see ``train.batches``). An unreadable file is reported by name.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch.utils.data import Dataset

from netbuilder.core.i18n import _
from netbuilder.core.tensor import TensorSpec, format_shape
from netbuilder.train.batches import worker_count
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, DataError, TensorData, split_indices
from netbuilder.train.pipeline import image_pipeline
from netbuilder.train.preprocess import InputError, decode_image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def load_image_folder(
    root: Path, spec: TensorSpec, node_id: str, config: TrainConfig
) -> DataBundle:
    """Read an ImageFolder tree shaped for the input block ``spec``."""
    if spec.rank != 3 or spec.dtype != "float" or spec.shape[0] not in (1, 3):
        raise DataError(
            _(
                "the image folder '{folder}' gives images, but the input block '{block}' takes "
                "{shape}; use an ImageInput with 1 or 3 channels"
            ).format(folder=root, block=node_id, shape=format_shape(spec))
        )
    channels = 1 if config.option("grayscale") else spec.shape[0]
    if channels != spec.shape[0]:
        raise DataError(
            _(
                "grayscale images have 1 channel but the input block '{block}' takes "
                "{channels}; set its channels to 1"
            ).format(block=node_id, channels=spec.shape[0])
        )
    _channels, height, width = spec.shape
    resize = int(config.option("resize") or 0) or max(height, width)
    if (root / "train").is_dir():
        if not (root / "val").is_dir():
            raise DataError(
                _("'{folder}' has a train/ folder but no val/ folder next to it").format(
                    folder=root
                )
            )
        classes = _classes(root / "train")
        train_files, train_labels = _files(root / "train", classes)
        val_files, val_labels = _files(root / "val", classes, strict=True)
    else:
        classes = _classes(root)
        files, labels = _files(root, classes)
        tr, va = split_indices(len(files), float(config.option("val_split")), config.seed)
        train_files, train_labels = [files[i] for i in tr], [labels[i] for i in tr]
        val_files, val_labels = [files[i] for i in va], [labels[i] for i in va]
    if not train_files or not val_files:
        raise DataError(
            _("'{folder}' holds no training or no validation images").format(folder=root)
        )
    reader = _Reader(channels, height, width, resize)
    total = (len(train_files) + len(val_files)) * channels * height * width * 4
    limit = int(config.option("cache_limit_mb")) * 2**20
    mean = std = raw_val = None
    if total <= limit:
        xt = torch.stack([reader(f) for f in train_files])
        xv = raw_val = torch.stack([reader(f) for f in val_files])
        if config.option("normalize"):
            m = xt.mean(dim=(0, 2, 3), keepdim=True)
            s = xt.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-6)
            xt, xv = (xt - m) / s, (xv - m) / s
            mean, std = m.flatten().tolist(), s.flatten().tolist()
        train: Dataset = TensorData(xt, torch.tensor(train_labels))
        val: Dataset = TensorData(xv, torch.tensor(val_labels))
    else:
        if config.option("normalize"):
            mean, std = [0.5] * channels, [0.25] * channels
            reader.mean, reader.std = mean, std
        workers = worker_count(int(config.option("workers")))
        train = StreamedImages(train_files, train_labels, reader, workers)
        val = StreamedImages(val_files, val_labels, reader, workers)
    return DataBundle(
        train,
        val,
        classes,
        "classification",
        str(root),
        "image",
        mean,
        std,
        [str(f) for f in val_files],
        pipeline=image_pipeline(list(spec.shape), classes, str(root), resize, mean, std),
        raw_val=raw_val,
    )


def _classes(folder: Path) -> list[str]:
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        raise DataError(
            _("'{folder}' needs one subfolder per class (at least 2); found {count}").format(
                folder=folder, count=len(classes)
            )
        )
    return classes


def _files(folder: Path, classes: list[str], strict: bool = False) -> tuple[list[Path], list[int]]:
    files: list[Path] = []
    labels: list[int] = []
    present = {p.name for p in folder.iterdir() if p.is_dir()}
    extra = sorted(present - set(classes) - {n for n in present if n.startswith(".")})
    if strict and extra:
        raise DataError(
            _("'{folder}' has class folder(s) {names} that the train/ folder lacks").format(
                folder=folder, names=", ".join(extra)
            )
        )
    for label, name in enumerate(classes):
        sub = folder / name
        if not sub.is_dir():
            continue
        for f in sorted(sub.iterdir()):
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
                files.append(f)
                labels.append(label)
    return files, labels


class _Reader:
    """Decode one file to a C×H×W float tensor in 0..1 (then normalised when streaming)."""

    def __init__(self, channels: int, height: int, width: int, resize: int) -> None:
        self.mode = "L" if channels == 1 else "RGB"
        self.height, self.width, self.resize = height, width, resize
        self.mean: list[float] | None = None
        self.std: list[float] | None = None

    def __call__(self, path: Path) -> torch.Tensor:
        try:
            x = decode_image(path, self.mode, self.height, self.width, self.resize)
        except InputError as exc:
            raise DataError(str(exc).replace("the image", "the image file", 1)) from None
        if self.mean is not None and self.std is not None:
            x = (x - torch.tensor(self.mean).view(-1, 1, 1)) / torch.tensor(self.std).view(-1, 1, 1)
        return x.contiguous()


class StreamedImages(Dataset):
    """Images too many to cache: decoded per access.

    Plain picklable data (paths, labels, the reader's settings), so ``workers`` processes
    can decode it whatever the multiprocessing start method.
    """

    def __init__(
        self, files: list[Path], labels: list[int], reader: _Reader, workers: int = 0
    ) -> None:
        self.files, self.labels, self.reader = files, labels, reader
        self.workers = workers

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.reader(self.files[index]), torch.tensor(self.labels[index])
