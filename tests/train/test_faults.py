"""Every failure ends cleanly: a FailedEvent naming the cause, a result with ``error``, no raise."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.train.config import TrainConfig
from netbuilder.train.events import FinishedEvent
from netbuilder.train.trainer import Trainer
from tests.train.conftest import example, image_net, table_net
from tests.train.helpers import (
    Recorder,
    fail_in_training,
    nan_in_training,
    patched_compile,
    random_bundle,
)

SMALL = {"epochs": 2, "batch_size": 16, "device": "cpu"}


def _run(diagram, config=None, data=None) -> tuple:  # type: ignore[no-untyped-def]
    rec = Recorder()
    result = Trainer(diagram, config, data, on_event=rec).run()
    assert result.status == "failed" and result.error
    assert rec.failure.message == result.error
    assert not rec.of(FinishedEvent)
    return result, rec


@pytest.mark.parametrize("defer", [False, True])
def test_nan_loss_names_epoch_and_step(monkeypatch: pytest.MonkeyPatch, defer: bool) -> None:
    monkeypatch.setattr(
        "netbuilder.train.trainer.compile_diagram",
        patched_compile(lambda m: (nan_in_training(m.fc2, at_call=3), m)[1]),
    )
    rec = Recorder()
    trainer = Trainer(table_net(4, 3), TrainConfig(**SMALL), random_bundle((4,), 3), on_event=rec)
    trainer.defer_reads = defer  # the GPU path reads each step's loss one step late
    result = trainer.run()
    assert result.status == "failed" and rec.failure.message == result.error
    assert "NaN" in result.error and "epoch 1, step 3" in result.error
    assert len(rec.steps) == 2
    assert result.model is None  # no epoch finished, so there are no weights worth keeping


def test_failure_after_an_epoch_keeps_the_best_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "netbuilder.train.trainer.compile_diagram",
        patched_compile(lambda m: (nan_in_training(m.fc2, at_call=5), m)[1]),
    )
    result, _ = _run(table_net(4, 3), TrainConfig(**SMALL), random_bundle((4,), 3))
    assert "epoch 2, step 2" in result.error
    assert result.best_epoch == 1 and result.model is not None
    assert next(result.model.parameters()).device.type == "cpu"


def test_cuda_out_of_memory_suggests_a_smaller_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    def rig(m):  # type: ignore[no-untyped-def]
        fail_in_training(m, 2, lambda: torch.cuda.OutOfMemoryError("CUDA out of memory. Tried"))
        return m

    monkeypatch.setattr("netbuilder.train.trainer.compile_diagram", patched_compile(rig))
    result, rec = _run(table_net(4, 3), TrainConfig(**SMALL), random_bundle((4,), 3))
    assert "out of memory" in result.error
    assert "smaller batch size (e.g. 8)" in result.error and "step 2" in result.error
    assert len(rec.steps) == 1


def test_runtime_error_is_pinned_on_its_block(monkeypatch: pytest.MonkeyPatch) -> None:
    def rig(m):  # type: ignore[no-untyped-def]
        fail_in_training(
            m.fc2, 2, lambda: RuntimeError("mat1 and mat2 shapes cannot be multiplied")
        )
        return m

    monkeypatch.setattr("netbuilder.train.trainer.compile_diagram", patched_compile(rig))
    result, rec = _run(table_net(4, 3), TrainConfig(**SMALL), random_bundle((4,), 3))
    assert rec.failure.node_id == "fc2" == result.node_id
    assert "block 'fc2' failed at epoch 1, step 2" in result.error
    assert "mat1 and mat2" in result.error


def test_more_classes_than_outputs_is_caught_before_the_first_step() -> None:
    result, rec = _run(table_net(4, 10), TrainConfig(**SMALL), random_bundle((4,), 12))
    assert "10 outputs" in result.error and "12 classes" in result.error
    assert rec.failure.node_id == "fc2"
    assert rec.steps == []


def test_example_with_wrong_output_size_on_builtin_data() -> None:
    diagram = example("cnn_image_classifier")
    diagram.set_param("fc2", "out_features", 10)
    cfg = TrainConfig.from_dict(diagram.training).replace(dataset_options={"size": 40})
    result, rec = _run(diagram, cfg)
    assert "10 outputs" in result.error and "6 classes" in result.error
    assert "out_features of block 'fc2' to 6" in result.error
    assert rec.steps == []


def test_wrong_input_shape_is_caught_before_the_first_step() -> None:
    result, rec = _run(image_net(size=32), TrainConfig(**SMALL), random_bundle((3, 64, 64), 2))
    assert "B×3×64×64" in result.error and "B×3×32×32" in result.error
    assert rec.failure.node_id == "image"
    assert rec.steps == []


def test_loss_that_does_not_fit_the_task() -> None:
    diagram = example("mlp_regressor")
    cfg = TrainConfig.from_dict(diagram.training).replace(
        loss="cross_entropy", dataset_options={"size": 40}
    )
    result, _ = _run(diagram, cfg)
    assert "use mse or l1" in result.error


def test_unreadable_image_is_named(png_folder: Path) -> None:
    (png_folder / "val" / "dark" / "corrupt.png").write_bytes(b"\x89PNG garbage")
    result, rec = _run(image_net(size=16), TrainConfig(dataset=str(png_folder), **SMALL))
    assert "corrupt.png" in result.error
    assert rec.steps == []


def test_unreadable_image_while_streaming_is_named(png_folder: Path) -> None:
    for f in (png_folder / "train" / "dark").glob("*.png"):
        f.write_bytes(b"broken")
    cfg = TrainConfig(dataset=str(png_folder), dataset_options={"cache_limit_mb": 0}, **SMALL)
    result, _ = _run(image_net(size=16), cfg)
    assert "cannot read the image file" in result.error and "dark_" in result.error


def test_unavailable_device() -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result, _ = _run(
        table_net(4, 3), TrainConfig(**{**SMALL, "device": "cuda"}), random_bundle((4,), 3)
    )
    assert "'cuda' is not available" in result.error


def test_bad_saved_settings_fail_cleanly() -> None:
    diagram = table_net(4, 3)
    diagram.set_training({"lr": "fast"})
    result, _ = _run(diagram, None, random_bundle((4,), 3))
    assert "'lr' must be a number" in result.error


def test_weights_that_do_not_fit() -> None:
    rec = Recorder()
    bad = {"fc1.weight": torch.zeros(3, 3)}
    result = Trainer(table_net(4, 3), TrainConfig(**SMALL), random_bundle((4,), 3), bad, rec).run()
    assert result.status == "failed" and "do not fit this diagram" in (result.error or "")
