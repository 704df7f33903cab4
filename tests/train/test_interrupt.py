"""Ctrl-C never costs the user a good model, and the checkpoint says which epoch it kept.

The first tests run the real ``netbuilder`` process and send it real SIGINTs, because the
bug they guard against (a stop before the first epoch overwrote a trained ``.pt`` with random
weights; a late second Ctrl-C killed Python by signal) only shows in a real process.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.resources import EXAMPLES_DIR
from netbuilder.train.checkpoint import (
    BEST_EPOCH_RULE,
    continued_best_epoch,
    load_checkpoint,
)
from netbuilder.train.config import TrainConfig
from netbuilder.train.trainer import Trainer
from tests.train.conftest import image_net
from tests.train.helpers import random_bundle


def _train_file(tmp_path: Path, png_folder: Path, epochs: int) -> Path:
    diagram = image_net(size=16, classes=2)
    diagram.set_training(
        {"dataset": str(png_folder), "epochs": epochs, "lr": 0.01, "batch_size": 8}
    )
    path = tmp_path / "net.nbd"
    save(diagram, path)
    return path


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "netbuilder", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _interrupt_after_start(proc: subprocess.Popen[str], count: int) -> str:
    """Send ``count`` SIGINTs as soon as the run says it is training; return all output."""
    seen = []
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("training on"):
            for _ in range(count):
                proc.send_signal(signal.SIGINT)
                time.sleep(0.05)
            break
    rest, _ = proc.communicate(timeout=120)
    return "".join(seen) + rest


@pytest.mark.parametrize("count", [1, 2])
def test_ctrl_c_before_the_first_epoch_keeps_the_existing_model(tmp_path: Path, count: int) -> None:
    # LeNet-5 on the built-in digits: an epoch takes far longer than a signal's delivery,
    # so the Ctrl-C surely lands before the first epoch ends, as in the reported case
    nbd = EXAMPLES_DIR / "lenet5.nbd"
    out = tmp_path / "m.pt"
    assert main(["train", str(nbd), "--epochs", "1", "--out", str(out), "-q"]) == 0
    good = out.read_bytes()

    proc = _start(["train", str(nbd), "--epochs", "500", "--out", str(out)])
    output = _interrupt_after_start(proc, count)

    assert proc.returncode == 130, output
    assert out.read_bytes() == good, output  # untouched, not replaced by untrained weights
    assert "unchanged" in output and "saved m.pt" not in output
    assert "Traceback" not in output


def test_ctrl_c_while_python_shuts_down_exits_130() -> None:
    """A Ctrl-C after the command finished (torch can take seconds to unload) is not a kill."""
    code = (
        "import os, signal, time, netbuilder.cli as cli\n"
        "cli.main = lambda: 0\n"
        "code = cli.entry()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "time.sleep(30)\n"
        "raise SystemExit(code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 130, proc.stderr


def test_a_stop_before_any_epoch_returns_no_model() -> None:
    diagram = image_net(size=8, classes=3)
    trainer = Trainer(diagram, TrainConfig(epochs=3, device="cpu"), random_bundle((3, 8, 8), 3))
    trainer.stop()
    result = trainer.run()
    assert result.status == "stopped"
    assert result.model is None and result.best_epoch is None


def test_checkpoint_records_the_kept_epoch_and_the_rule(tmp_path: Path, png_folder: Path) -> None:
    nbd = _train_file(tmp_path, png_folder, epochs=4)
    out = tmp_path / "m.pt"
    assert main(["train", str(nbd), "--out", str(out), "-q"]) == 0
    ckpt = load_checkpoint(out)
    acc = ckpt.metrics["val_accuracy"]
    # the highest validation accuracy, the earliest epoch among equals
    assert ckpt.best_epoch == acc.index(max(acc)) + 1

    import torch

    raw = torch.load(out, weights_only=True)
    assert raw["best_epoch"] == ckpt.best_epoch and raw["best_epoch_rule"] == BEST_EPOCH_RULE

    more = tmp_path / "more.pt"
    assert main(["train", str(out), "--epochs", "2", "--out", str(more), "-q"]) == 0
    again = load_checkpoint(more)
    assert len(again.metrics["val_loss"]) == 6
    # the kept weights are the continued run's best, counted over the whole history
    later = again.metrics["val_accuracy"][4:]
    assert again.best_epoch == 4 + later.index(max(later)) + 1


def test_continued_best_epoch_counts_the_earlier_epochs() -> None:
    assert continued_best_epoch(None, 2) == 2
    assert continued_best_epoch({"val_loss": [1.0, 0.5, 0.4]}, 2) == 5
    assert continued_best_epoch({"val_loss": [1.0]}, None) is None


def test_a_damaged_best_epoch_is_refused(tmp_path: Path) -> None:
    import torch

    from netbuilder.train.checkpoint import CheckpointError, checkpoint_payload

    payload = checkpoint_payload(image_net(), {}, best_epoch=1)
    payload["best_epoch"] = "three"
    path = tmp_path / "bad.pt"
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="best epoch"):
        load_checkpoint(path)
