"""Image folders too large to cache: decoded by worker processes, deterministically, and
the workers never outlive the run (stopped, failed or finished)."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from pathlib import Path

import pytest
import torch

from netbuilder.train import batches as batches_module
from netbuilder.train.batches import Batches, worker_count
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, TensorData
from netbuilder.train.folders import StreamedImages
from netbuilder.train.setup import LossAdapter
from netbuilder.train.sources import load_data
from netbuilder.train.trainer import Trainer
from tests.train.conftest import image_net
from tests.train.helpers import Recorder

CPU = torch.device("cpu")


def _streamed(folder: Path, workers: int, **options: object) -> DataBundle:
    opts = {"cache_limit_mb": 0, "workers": workers, **options}
    return load_data(TrainConfig(dataset=str(folder), dataset_options=opts), image_net(size=16))


def _epochs(data: DataBundle, workers: int | None, epochs: int = 2, seed: int | None = 3) -> list:
    batches = Batches(data.train, 5, CPU, LossAdapter("cross_entropy", data), seed, workers)
    try:
        return [[(x, y) for x, y, _ in batches.epoch(e)] for e in range(1, epochs + 1)]
    finally:
        batches.close()


def _same(a: list, b: list) -> bool:
    flat_a = [t for epoch in a for batch in epoch for t in batch]
    flat_b = [t for epoch in b for batch in epoch for t in batch]
    return len(flat_a) == len(flat_b) and all(
        torch.equal(s, t) for s, t in zip(flat_a, flat_b, strict=True)
    )


def _no_children() -> bool:
    return multiprocessing.active_children() == []


def test_workers_option_resolves_to_a_process_count(monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_count(-1) == 0 and worker_count(3) == 3
    for cores, auto in [(1, 0), (2, 1), (4, 3), (32, 4)]:
        monkeypatch.setattr(
            batches_module.os, "sched_getaffinity", lambda _pid, c=cores: set(range(c))
        )
        assert worker_count(0) == auto


def test_streamed_folder_asks_for_its_workers_and_cached_data_needs_none(png_folder: Path) -> None:
    data = _streamed(png_folder, workers=2)
    assert isinstance(data.train, StreamedImages) and data.train.workers == 2
    assert Batches(data.train, 4, CPU, LossAdapter("cross_entropy", data), 0).workers == 2
    assert _streamed(png_folder, workers=-1).train.workers == 0
    cached = load_data(TrainConfig(dataset=str(png_folder)), image_net(size=16))
    assert isinstance(cached.train, TensorData)
    fast = Batches(cached.train, 4, CPU, LossAdapter("cross_entropy", cached), 0, workers=2)
    assert fast.workers == 0 and fast.tensors is not None  # in memory: no DataLoader at all
    next(fast.epoch(1))
    assert fast._loader is None


def test_same_batches_with_or_without_workers_and_as_in_memory(png_folder: Path) -> None:
    streamed = _streamed(png_folder, workers=2, normalize=False)
    one_process = _epochs(streamed, workers=0)
    with_workers = _epochs(streamed, workers=2)
    assert _same(one_process, with_workers)
    assert [len(y) for _, y in one_process[0]] == [5, 5, 5, 5, 4]  # 24 samples
    assert not _same([one_process[0]], [one_process[1]])  # each epoch reshuffled
    assert _same(one_process, _epochs(streamed, workers=2))  # and the same again next run
    cfg = TrainConfig(dataset=str(png_folder), dataset_options={"normalize": False})
    in_memory = load_data(cfg, image_net(size=16))
    assert isinstance(in_memory.train, TensorData)
    assert _same(one_process, _epochs(in_memory, workers=None))  # the same order as cached
    assert _no_children()


def test_a_run_with_workers_trains_like_a_run_without(png_folder: Path) -> None:
    metrics = []
    for workers in (-1, 2):
        cfg = TrainConfig(
            dataset=str(png_folder),
            dataset_options={"cache_limit_mb": 0, "workers": workers},
            epochs=2,
            batch_size=8,
            device="cpu",
        )
        result = Trainer(image_net(size=16), cfg).run()
        assert result.status == "completed", result.error
        assert _no_children()  # the finished run took its workers with it
        metrics.append(result.metrics)
    assert metrics[0] == metrics[1]


def test_unreadable_image_in_a_worker_names_the_file(png_folder: Path) -> None:
    (png_folder / "train" / "dark" / "dark_3.png").write_bytes(b"\x89PNG cut short")
    cfg = TrainConfig(
        dataset=str(png_folder),
        dataset_options={"cache_limit_mb": 0, "workers": 2},
        epochs=2,
        batch_size=4,
        device="cpu",
    )
    rec = Recorder()
    result = Trainer(image_net(size=16), cfg, on_event=rec).run()
    assert result.status == "failed"
    assert result.error.startswith("cannot read the image file")
    assert "dark_3.png" in result.error and "Traceback" not in result.error
    assert rec.failure.message == result.error
    assert _no_children()


def test_workers_end_with_a_paused_then_stopped_run(png_folder: Path) -> None:
    cfg = TrainConfig(
        dataset=str(png_folder),
        dataset_options={"cache_limit_mb": 0, "workers": 2},
        epochs=50,
        batch_size=4,
        device="cpu",
    )
    rec = Recorder()
    trainer = Trainer(image_net(size=16), cfg, on_event=rec)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(trainer.run()))
    thread.start()
    try:
        rec.wait_for(lambda _events: len(rec.steps) >= 2)
        trainer.pause()
        rec.wait_for(lambda ev: any(getattr(e, "message", "") == "paused" for e in ev))
        assert len(multiprocessing.active_children()) >= 2  # decoding in the background
    finally:
        trainer.stop()
        thread.join(60)
    assert not thread.is_alive() and outcome[0].status == "stopped"
    assert _no_children()


def test_workers_started_by_spawn(png_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What every start method needs: a picklable dataset and modules that load in a fresh
    interpreter (macOS and Windows spawn; Python 3.14 on Linux uses forkserver). That those
    modules never import Qt is checked for all of netbuilder.train in tests/core/test_layering.
    """
    streamed = _streamed(png_folder, workers=1)
    copy = pickle.loads(pickle.dumps(streamed.train))
    assert torch.equal(copy[5][0], streamed.train[5][0])
    monkeypatch.setattr(Batches, "START_METHOD", "spawn")
    assert _same(_epochs(streamed, workers=1, epochs=1), _epochs(streamed, workers=0, epochs=1))
    assert _no_children()
