"""`netbuilder export` carries the input pipeline and checks raw validation samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from netbuilder.cli import main
from netbuilder.train.checkpoint import load_checkpoint, save_checkpoint
from netbuilder.train.config import TrainConfig
from netbuilder.train.trainer import Trainer
from tests.train.conftest import image_net, write_png_folder


@pytest.fixture(scope="module")
def folder_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    folder = write_png_folder(root / "images", per_class=8, size=20)
    diagram = image_net(3, 16)
    config = TrainConfig(dataset=str(folder), epochs=1, device="cpu", mixed_precision="off")
    result = Trainer(diagram, config).run()
    assert result.ok, result.error
    save_checkpoint(
        root / "m.pt",
        diagram,
        result.model,
        config.to_dict(),
        result.metrics,
        result.classes,
        pipeline=result.data.pipeline,
    )
    return root / "m.pt"


def _record(path: Path) -> dict:
    extra = {"netbuilder.json": ""}
    torch.export.load(path, extra_files=extra)
    return json.loads(extra["netbuilder.json"])


@pytest.mark.parametrize("bake", [True, False])
def test_export_checks_raw_validation_samples(
    folder_checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bake: bool
) -> None:
    flags = [] if bake else ["--no-bake-normalisation"]
    code = main(
        ["export", str(folder_checkpoint), "-f", "pt2", "-o", str(tmp_path / "m.pt2"), *flags]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "raw validation samples" in out and "as in the app" in out
    record = _record(tmp_path / "m.pt2")
    assert record["normalisation_in_graph"] is bake
    assert "0..1" in record["input"]
    assert record["input_pipeline"] == load_checkpoint(folder_checkpoint).pipeline.to_dict()


def test_without_the_training_data_the_pipeline_still_travels(
    folder_checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ckpt = load_checkpoint(folder_checkpoint)
    moved = tmp_path / "moved.pt"
    from netbuilder.core.compile import compile_diagram
    from netbuilder.train.checkpoint import apply_weights

    model = apply_weights(compile_diagram(ckpt.diagram), ckpt.state_dict)
    training = {**ckpt.training, "dataset": str(tmp_path / "gone")}
    save_checkpoint(
        moved, ckpt.diagram, model, training, classes=ckpt.classes, pipeline=ckpt.pipeline
    )
    code = main(["export", str(moved), "-f", "pt2", "-o", str(tmp_path / "m.pt2")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "cannot be reloaded" in err and "random inputs only" in err
    assert "raw validation samples" not in out
    assert _record(tmp_path / "m.pt2")["normalisation_in_graph"] is True
