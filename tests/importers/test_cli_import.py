"""`netbuilder import` and `netbuilder export-mermaid`: files written, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from netbuilder.cli import main
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.resources import EXAMPLES_DIR

REPO = Path(__file__).resolve().parents[2]
MODEL = """\
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8, classes)

    def forward(self, x):
        x = torch.relu(self.conv(x)).mean(dim=(2, 3))
        return self.fc(x)


class Odd(nn.Module):
    def forward(self, x):
        return torch.roll(x, 1, dims=1)
"""


def test_import_module_writes_diagram_and_weights(tmp_path: Path, capsys) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    out = tmp_path / "net.nbd"
    code = main(["import", f"{tmp_path / 'model.py'}:Net", "--args", "[4]",
                 "--input-shape", "1x3x16x16", "-o", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "outputs match the source" in capsys.readouterr().out
    diagram = load(out)
    assert check(diagram).total_params == 3 * 8 * 9 + 8 + 8 * 4 + 4
    from netbuilder.train.checkpoint import load_checkpoint

    ckpt = load_checkpoint(out.with_suffix(".pt"))
    assert set(ckpt.state_dict) and all(
        isinstance(v, torch.Tensor) for v in ckpt.state_dict.values()
    )


def test_unmapped_module_exits_2_with_the_list(tmp_path: Path, capsys) -> None:
    (tmp_path / "model.py").write_text(MODEL)
    code = main(["import", f"{tmp_path / 'model.py'}:Odd", "--input-shape", "1x5",
                 "-o", str(tmp_path / "odd.nbd")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "torch.roll has no NetBuilder block" in err and "model.py:18" in err
    assert not (tmp_path / "odd.nbd").exists()  # no half-made diagram


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["missing.onnx"], "does not exist"),
        (["model.py"], "name the class"),
        (["weights.bin"], "imports"),
        (["net.mmd", "-o", "net.txt"], "must end in .nbd or .pt"),
    ],
)
def test_bad_sources(tmp_path: Path, capsys, args: list[str], words: str) -> None:
    (tmp_path / "weights.bin").write_bytes(b"\x00" * 10)
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "net.mmd").write_text("graph LR\nA[TabularInput 2] --> B[Output]\n")
    args = [str(tmp_path / args[0]), *args[1:]]
    if "-o" in args:
        args[args.index("-o") + 1] = str(tmp_path / args[args.index("-o") + 1])
    assert main(["import", *args]) == 2
    assert words in capsys.readouterr().err


def test_mermaid_export_and_import_in_a_real_process(tmp_path: Path) -> None:
    mmd = tmp_path / "resnet.mmd"
    run = [sys.executable, "-m", "netbuilder"]
    first = subprocess.run([*run, "export-mermaid", str(EXAMPLES_DIR / "small_resnet.nbd"),
                            "-o", str(mmd), "--direction", "TD"],
                           capture_output=True, text=True, cwd=REPO, timeout=120)  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert mmd.read_text().splitlines()[1] == "graph TD"
    back = tmp_path / "back.nbd"
    second = subprocess.run([*run, "import", str(mmd), "-o", str(back)],
                            capture_output=True, text=True, cwd=REPO, timeout=120)  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert (
        check(load(back)).total_params
        == check(load(EXAMPLES_DIR / "small_resnet.nbd")).total_params
    )
    bad = tmp_path / "bad.mmd"
    bad.write_text("graph LR\nA[ReLU] --> B[Nope]\n")
    third = subprocess.run([*run, "import", str(bad)], capture_output=True, text=True,
                           cwd=REPO, timeout=120)  # fmt: skip
    assert third.returncode == 2 and "line 2" in third.stderr and "Traceback" not in third.stderr


def test_help_says_code_runs(capsys) -> None:
    assert main(["import", "--help"]) == 0
    assert "RUNS THAT FILE'S CODE" in capsys.readouterr().out.replace("\n", " ")
