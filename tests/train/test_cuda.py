"""The CUDA path on real hardware: auto device, bf16 autocast, GPU-resident data, a real
out-of-memory error. Skipped without a GPU; `benchmarks/gpu_check.sh` runs these first."""

from __future__ import annotations

import pytest
import torch

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.train.batches import Batches
from netbuilder.train.config import TrainConfig
from netbuilder.train.events import StatusEvent
from netbuilder.train.loss import LossAdapter
from netbuilder.train.sources import load_data
from netbuilder.train.trainer import Trainer
from tests.train.conftest import example
from tests.train.helpers import Recorder, random_bundle

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_auto_trains_the_cnn_example_on_the_gpu_with_bf16() -> None:
    diagram = example("cnn_image_classifier")
    cfg = TrainConfig.from_dict(diagram.training).replace(device="auto", mixed_precision="auto")
    rec = Recorder()
    result = Trainer(diagram, cfg, on_event=rec).run()
    assert result.status == "completed", result.error
    assert result.device.startswith("cuda")
    messages = [e.message for e in rec.of(StatusEvent)]
    if torch.cuda.is_bf16_supported():
        assert any("with bf16 autocast" in m for m in messages), messages
    assert max(result.metrics["val_accuracy"]) >= 0.95
    assert all(p.device.type == "cpu" for p in result.model.parameters())  # handed back


def test_small_datasets_stay_resident_on_the_gpu() -> None:
    diagram = example("cnn_image_classifier")
    cfg = TrainConfig.from_dict(diagram.training).replace(dataset_options={"size": 300})
    data = load_data(cfg, diagram)
    batches = Batches(data.train, 64, torch.device("cuda"), LossAdapter("cross_entropy", data), 0)
    assert batches.tensors is not None
    assert all(t.device.type == "cuda" for t in batches.tensors if t is not None)
    xb, yb, labels = next(iter(batches.epoch(1)))
    assert xb.is_cuda and yb.is_cuda and labels is not None and labels.is_cuda


def test_a_real_out_of_memory_error_names_the_batch_size_and_leaves_the_gpu_usable() -> None:
    d = Diagram()
    chain(
        d,
        ("TabularInput", {"features": 4096}, "features"),
        ("Linear", {"out_features": 16384}, "wide"),
        ("Linear", {"out_features": 2}, "head"),
        ("Output", {}, "out"),
    )
    cfg = TrainConfig(epochs=1, batch_size=65536, device="cuda", mixed_precision="off")
    data = random_bundle((4096,), 2, n=65536 * 4 // 3)  # 65536 training rows: 1 GiB
    # about 2.8 GB of an H200: the data and weights fit, one batch's activations (4 GiB) not
    torch.cuda.set_per_process_memory_fraction(0.02)
    try:
        result = Trainer(d, cfg, data).run()
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
    assert result.status == "failed"
    assert "ran out of memory at epoch 1, step 1" in result.error
    assert "batch size 65536" in result.error
    assert "32768" in result.error  # the suggested smaller batch
    again = Trainer(d, cfg.replace(batch_size=64), random_bundle((4096,), 2, n=512)).run()
    assert again.status == "completed", again.error


def test_data_too_big_for_the_gpu_is_copied_batch_by_batch(monkeypatch) -> None:
    diagram = example("cnn_image_classifier")
    cfg = TrainConfig.from_dict(diagram.training).replace(dataset_options={"size": 300})
    data = load_data(cfg, diagram)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (1024, 2**37))
    loss = LossAdapter("cross_entropy", data)
    batches = Batches(data.train, 64, torch.device("cuda"), loss, 0)
    assert not batches.resident and batches.tensors[0].device.type == "cpu"
    xb, yb, labels = next(iter(batches.epoch(1)))
    assert xb.is_cuda and yb.is_cuda and labels.is_cuda
