"""Mini-batches for the trainer, already on the training device.

In-memory data is moved to the device once and indexed with a seeded permutation (the
fastest way to feed a small model, and what the seed document's loop does); anything else
streams through a ``DataLoader``, decoded by worker processes when the dataset asks for them
(``workers``, e.g. a large image folder).

Streaming is deterministic for a given seed whatever the number of workers: the batches
of an epoch are drawn here, in the training process, with the same seeded permutation the
in-memory path uses, and the loader's own ``generator`` (from which torch seeds every
worker's ``torch``, ``random`` and ``numpy``) is reseeded each epoch. Workers receive only
the dataset, the ``_Caught`` wrapper and ``_collate``: plain picklable objects from modules
that never import Qt, so any start method (fork, forkserver, spawn) works, also when the
trainer runs on a QThread. A stopped or failed epoch shuts its workers down at once; the
rest go when the ``Batches`` is dropped (at the end of the run) or ``close()``\\ d.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler, default_collate

from netbuilder.train.data import DataError, TensorData
from netbuilder.train.setup import LossAdapter

MAX_AUTO_WORKERS = 4


def worker_count(option: int) -> int:
    """Decoding processes for streamed data from the ``workers`` option.

    -1: none (decode in the training process); 0: auto, one per spare CPU core up to
    ``MAX_AUTO_WORKERS``; a positive number: exactly that many.
    """
    if option < 0:
        return 0
    if option > 0:
        return option
    try:
        cpus = len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return max(0, min(MAX_AUTO_WORKERS, cpus - 1))


class Batches:
    """Mini-batches as (inputs, loss targets, class labels or None), already on ``device``.

    In-memory data (``TensorData``) is moved to the device once when it fits and indexed with
    a seeded permutation; other datasets go through a ``DataLoader`` with ``workers``
    processes (default: the dataset's ``workers`` attribute, else none).
    """

    RESIDENT_LIMIT = 2 * 1024**3
    #: The multiprocessing start method for workers; None: the platform's default.
    START_METHOD: str | None = None

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int,
        device: torch.device,
        loss: LossAdapter,
        seed: int | None,
        workers: int | None = None,
        shard: tuple[int, int] = (0, 1),
    ) -> None:
        self.dataset = dataset
        #: (rank, world size): each global batch is cut into ``world`` strided slices and
        #: this process gets slice ``rank`` (see ``netbuilder.train.distributed``)
        self.rank, self.world = shard
        #: samples in the global batch of the step just yielded (all ranks together)
        self.global_size = 0
        #: yield a rank's empty slices too (FSDP2 needs every rank in every forward)
        self.keep_empty = False
        self.batch_size = batch_size
        self.device = device
        self.loss = loss
        self.seed = seed
        self.n = len(dataset)  # type: ignore[arg-type]
        self.tensors: tuple[torch.Tensor, torch.Tensor, torch.Tensor | None] | None = None
        self.resident = False  # in-memory data copied to the device once, for the whole run
        self.workers = 0
        self._order = _EpochOrder()
        self._loader: DataLoader | None = None
        self._worker_seed = torch.Generator()
        if isinstance(dataset, TensorData):
            x, y = dataset.inputs, dataset.targets
            self.resident = self._fits_on(device, x.numel() * x.element_size())
            try:
                self.tensors = self._move(x, y, device if self.resident else torch.device("cpu"))
            except torch.cuda.OutOfMemoryError:  # too big after all: copy batch by batch
                self.resident = False
                torch.cuda.empty_cache()
                self.tensors = self._move(x, y, torch.device("cpu"))
        else:
            wanted = getattr(dataset, "workers", 0) if workers is None else workers
            self.workers = max(0, int(wanted))

    def _fits_on(self, device: torch.device, nbytes: int) -> bool:
        """Whether to keep the data on ``device`` for the whole run.

        On a GPU the data may take a quarter of the memory free now (the model, optimizer
        and activations need the rest), and at most ``RESIDENT_LIMIT`` elsewhere.
        """
        if device.type == "cpu":
            return True
        if device.type == "cuda":
            free, _total = torch.cuda.mem_get_info(device)
            return nbytes < free // 4
        return nbytes < self.RESIDENT_LIMIT

    def _move(
        self, x: torch.Tensor, y: torch.Tensor, device: torch.device
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        labels = y.to(device) if self.loss.classification else None
        return x.to(device), self.loss.targets(y).to(device), labels

    def __len__(self) -> int:
        steps = math.ceil(self.n / self.batch_size)
        rest = self.n % self.batch_size
        if self.seed is not None and steps > 1 and rest > 0 and (rest == 1 or rest < self.world):
            # training only: a batch of one breaks BatchNorm, and a last batch smaller than
            # the number of processes would leave a rank without samples; its samples are
            # seen next epoch (validation runs in eval mode and must score every sample)
            steps -= 1
        return steps

    def epoch(self, epoch: int) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]]:
        generator = None
        if self.seed is not None:
            generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        if self.tensors is None:
            yield from self._stream(epoch, generator)
            return
        x, y, labels = self.tensors
        order = (
            torch.randperm(self.n, generator=generator).to(x.device)
            if generator is not None
            else None
        )
        bs, dev = self.batch_size, self.device
        mine = slice(self.rank, None, self.world)  # this rank's part of each global batch
        for i in range(len(self)):
            if order is None:
                sl = slice(i * bs, (i + 1) * bs)
                self.global_size = len(x[sl])
                xb, yb = x[sl][mine], y[sl][mine]
                lb = None if labels is None else labels[sl][mine]
            else:
                idx = order[i * bs : (i + 1) * bs]
                self.global_size = len(idx)
                idx = idx[mine]
                xb, yb, lb = x[idx], y[idx], None if labels is None else labels[idx]
            if not len(xb) and not self.keep_empty:  # fewer samples left than processes
                continue
            if xb.device != dev:
                xb, yb = xb.to(dev, non_blocking=True), yb.to(dev, non_blocking=True)
                lb = None if lb is None else lb.to(dev, non_blocking=True)
            yield xb, yb, lb

    def close(self) -> None:
        """Shut the worker processes down now (they would also go with this object)."""
        loader, self._loader = self._loader, None
        iterator = getattr(loader, "_iterator", None)
        if iterator is not None:
            loader._iterator = None  # type: ignore[union-attr]
            shutdown = getattr(iterator, "_shutdown_workers", None)
            if shutdown is not None:
                shutdown()

    # ------------------------------------------------------------------ streaming
    def _stream(self, epoch: int, generator: torch.Generator | None) -> Iterator[Any]:
        bs, n = self.batch_size, self.n
        if generator is not None:  # the same order the in-memory path would use
            order = torch.randperm(n, generator=generator).tolist()
            batches = [order[i * bs : (i + 1) * bs] for i in range(len(self))]
        else:
            batches = [list(range(i, min(i + bs, n))) for i in range(0, n, bs)]
        mine = [(len(b), b[self.rank :: self.world]) for b in batches]
        if not self.keep_empty:
            mine = [(size, part) for size, part in mine if part]  # a rank may have none left
        sizes = [size for size, _ in mine]
        self._order.batches = [part for _, part in mine]
        if self._loader is None:
            self._loader = self._make_loader()
        self._worker_seed.manual_seed((self.seed or 0) * 1_000_003 + epoch)
        pinned = self.device.type == "cuda"
        finished = False
        try:
            for index, batch in enumerate(self._loader):
                self.global_size = sizes[index]
                if isinstance(batch, _Failure):
                    raise DataError(batch.message)
                xb, yb = batch
                labels = (
                    yb.to(self.device, non_blocking=pinned) if self.loss.classification else None
                )
                yield (
                    xb.to(self.device, non_blocking=pinned),
                    self.loss.targets(yb).to(self.device, non_blocking=pinned),
                    labels,
                )
            finished = True
        finally:
            if not finished:  # stopped, failed or abandoned: no idle workers left behind
                self.close()

    def _make_loader(self) -> DataLoader:
        extra: dict[str, Any] = {}
        if self.workers > 0:
            extra = {
                "persistent_workers": True,  # started once per run, not once per epoch
                # about 64 samples ahead per worker, at least 2 and at most 8 batches
                "prefetch_factor": max(2, min(8, 64 // self.batch_size)),
                "multiprocessing_context": self.START_METHOD,
            }
        return DataLoader(
            _Caught(self.dataset),
            batch_sampler=self._order,
            num_workers=self.workers,
            collate_fn=_collate,
            pin_memory=self.device.type == "cuda",
            generator=self._worker_seed,
            **extra,
        )


class _EpochOrder(Sampler[list[int]]):
    """The current epoch's batches of sample indices (set by ``Batches`` before each pass)."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.batches)

    def __len__(self) -> int:
        return len(self.batches)


@dataclass(frozen=True)
class _Failure:
    """A ``DataError`` met while loading a batch, carried back as data instead of raised.

    Raised in a worker, the error would come back re-wrapped with the worker's traceback in
    its message; this keeps the message exactly as written ("cannot read the image file …").
    """

    message: str


class _Caught(Dataset):
    """``dataset[i]``, or a ``_Failure`` naming the cause when it raises ``DataError``."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> Any:
        try:
            return self.dataset[index]
        except DataError as exc:
            return _Failure(str(exc))


def _collate(samples: list[Any]) -> Any:
    """Stack samples into a batch; the first failure instead, if any sample failed."""
    for sample in samples:
        if isinstance(sample, _Failure):
            return sample
    return default_collate(samples)
