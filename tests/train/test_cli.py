"""`netbuilder train`: end to end on a generated PNG folder, and the exit codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import torch

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.train.checkpoint import load_checkpoint
from tests.train.conftest import image_net


def _diagram_file(tmp_path: Path, folder: Path, classes: int = 2) -> Path:
    diagram = image_net(size=16, classes=classes)
    diagram.set_training(
        {"dataset": str(folder), "epochs": 3, "lr": 0.01, "batch_size": 8, "device": "cpu"}
    )
    path = tmp_path / "net.nbd"
    save(diagram, path)
    return path


def test_trains_a_png_folder_end_to_end(
    tmp_path: Path, png_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nbd = _diagram_file(tmp_path, png_folder)
    out = tmp_path / "model.pt"
    assert main(["train", str(nbd), "--out", str(out), "--epochs", "4"]) == 0
    text = capsys.readouterr().out
    assert "epoch 1/4" in text and "epoch 4/4" in text and f"saved {out}" in text
    ckpt = load_checkpoint(out)
    assert ckpt.classes == ["bright", "dark"]
    assert len(ckpt.metrics["val_accuracy"]) == 4 and len(ckpt.metrics["val_loss"]) == 4
    assert max(ckpt.metrics["val_accuracy"]) >= 0.75
    assert ckpt.training["epochs"] == 4 and ckpt.training["dataset"] == str(png_folder)
    raw = torch.load(out, weights_only=True)
    assert set(raw["state_dict"]) == {"fc.weight", "fc.bias"}


def test_data_option_overrides_the_saved_dataset(tmp_path: Path, png_folder: Path) -> None:
    nbd = _diagram_file(tmp_path, tmp_path / "missing")
    out = tmp_path / "m.pt"
    assert main(["train", str(nbd), "--data", str(png_folder), "--out", str(out), "-q"]) == 0
    assert out.exists()


def test_bad_input_exits_2(
    tmp_path: Path, png_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nbd = _diagram_file(tmp_path, png_folder)
    out = str(tmp_path / "x.pt")
    assert main(["train", str(nbd), "--data", str(tmp_path / "nope"), "--out", out]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["train", str(nbd), "--epochs", "0", "--out", out]) == 2
    assert "'epochs'" in capsys.readouterr().err
    (tmp_path / "broken.nbd").write_text("{ not json")
    assert main(["train", str(tmp_path / "broken.nbd"), "--out", out]) == 2
    assert main(["train", str(nbd), "--device", "tpu", "--out", out]) == 2
    assert not Path(out).exists()


def test_training_failure_exits_1(
    tmp_path: Path, png_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nbd = _diagram_file(tmp_path, png_folder, classes=3)
    out = tmp_path / "x.pt"
    assert main(["train", str(nbd), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "3 outputs" in err and "2 classes" in err and "Traceback" not in err
    assert not out.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal() -> None:
    from netbuilder.commands.train import Progress
    from netbuilder.train.events import EpochEvent, StepEvent

    stream = _Terminal()
    bar = Progress(stream)
    bar(StepEvent(1, 2, 10, 10, 10, 0.5, 0.75, 1e-3, 1234.0, 65.0))
    bar(EpochEvent(1, 2, 0.5, 0.75, 0.4, 0.8, 1e-3, True, 3.0))
    bar.close()
    text = stream.getvalue()
    assert "\r" in text and "[########################] 10/10" in text
    assert "ETA 1:05" in text and "acc 0.75" in text
    assert "epoch 1/2  train loss 0.5000" in text and "val acc 80.0%" in text and "*best*" in text


def test_ctrl_c_stops_cleanly_and_saves(tmp_path: Path, png_folder: Path) -> None:
    import os
    import signal

    from netbuilder.train import trainer as trainer_module

    nbd = _diagram_file(tmp_path, png_folder)
    real_run = trainer_module.Trainer.run

    def run_and_interrupt(self):  # type: ignore[no-untyped-def]
        def on_event(event, inner=self.on_event):  # type: ignore[no-untyped-def]
            inner(event)
            if isinstance(event, trainer_module.EpochEvent) and event.epoch == 1:
                os.kill(os.getpid(), signal.SIGINT)

        self.on_event = on_event
        return real_run(self)

    out = tmp_path / "m.pt"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(trainer_module.Trainer, "run", run_and_interrupt)
        code = main(["train", str(nbd), "--epochs", "50", "--out", str(out), "-q"])
    assert code == 130
    assert 1 <= len(load_checkpoint(out).metrics["val_loss"]) < 50


def test_set_overrides_any_setting_and_dataset_option(
    tmp_path: Path, png_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nbd = _diagram_file(tmp_path, png_folder)
    out = tmp_path / "m.pt"
    argv = ["train", str(nbd), "--out", str(out), "--epochs", "1", "-q"]
    assert main([*argv, "--set", "optimizer=sgd", "--set", "grad_clip=1.5"]) == 0
    saved = load_checkpoint(out).training
    assert saved["optimizer"] == "sgd" and saved["grad_clip"] == 1.5
    assert load_checkpoint(out).optimizer_state["optimizer"] == "sgd"
    single = tmp_path / "single"  # one folder: the validation split applies
    for cls in ("bright", "dark"):
        (single / cls).mkdir(parents=True)
        for f in (png_folder / "train" / cls).iterdir():
            (single / cls / f.name).write_bytes(f.read_bytes())
    assert main([*argv, "--data", str(single), "--set", "val_split=0.5"]) == 0
    assert load_checkpoint(out).training["dataset_options"]["val_split"] == 0.5
    capsys.readouterr()
    assert main([*argv, "--set", "colour=red"]) == 2
    assert "no such setting" in capsys.readouterr().err
    assert main([*argv, "--set", "lr"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
    assert main([*argv, "--set", "val_split=2"]) == 2
    assert "val_split" in capsys.readouterr().err
