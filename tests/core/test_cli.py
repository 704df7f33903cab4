"""`netbuilder check` and `netbuilder export-code`: tables, exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder import __version__
from netbuilder.cli import main
from netbuilder.core.io import load, save
from netbuilder.core.shapes import check
from netbuilder.resources import EXAMPLES_DIR
from tests.core.test_codegen import load_generated, ruff_problems
from tests.core.test_diagnostics import seed_cnn

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.nbd"))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netbuilder", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"netbuilder {__version__}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_passes_check(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    d = load(path)
    for nid in d.nodes:
        assert nid in out
    assert f"total parameters: {check(d).total_params:,}" in out
    assert out.rstrip().endswith("OK")


def test_check_table_lists_block_shape_and_params(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES_DIR / "lenet5.nbd")]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if "output shape" in line)
    assert header.split() == ["node", "block", "output", "shape", "params"]
    c1 = next(line for line in lines if line.split()[:1] == ["c1"])
    assert c1.split() == ["c1", "Conv2d", "B×6×28×28", "156"]
    assert "total parameters: 61,706" in "\n".join(lines)


def test_check_reports_node_attributed_problems(tmp_path: Path) -> None:
    path = tmp_path / "seed.nbd"
    save(seed_cnn(128 * 56 * 56), path)
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert "[fc1]" in result.stdout and "401408" in result.stdout and "128" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_unreadable_file_is_exit_2_without_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.nbd"
    broken.write_bytes(b'{"format": "netbuilder-diagram", "format_version": 1, "nodes": [')
    result = run_cli("check", str(broken), str(tmp_path / "missing.nbd"))
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "broken.nbd" in errors[0] and "missing.nbd" in errors[1]
    assert "Traceback" not in result.stderr


def test_check_worst_exit_code_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "seed.nbd"
    save(seed_cnn(401408), bad)
    assert main(["check", str(EXAMPLES[0]), str(bad)]) == 1
    assert main(["check", str(bad), str(tmp_path / "nope.nbd")]) == 2
    capsys.readouterr()
    assert main(["check", "-q", str(EXAMPLES[0])]) == 0
    assert "total parameters" not in capsys.readouterr().out


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert main(["export-code", str(EXAMPLES[0])]) == 2  # -o is required


def test_export_code_writes_a_runnable_module(tmp_path: Path) -> None:
    out = tmp_path / "model.py"
    result = run_cli("export-code", str(EXAMPLES_DIR / "small_resnet.nbd"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    assert ruff_problems(out) == ""
    source = out.read_text("utf-8")
    name = source.split("\nclass ")[-1].split("(")[0]
    model = load_generated(out, name)
    assert (
        sum(p.numel() for p in model.parameters())
        == check(load(EXAMPLES_DIR / "small_resnet.nbd")).total_params
    )


def test_export_code_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "seed.nbd"
    save(seed_cnn(401408), bad)
    assert main(["export-code", str(bad), "-o", str(tmp_path / "a.py")]) == 1
    assert "fc1" in capsys.readouterr().err
    assert main(["export-code", str(tmp_path / "nope.nbd"), "-o", str(tmp_path / "b.py")]) == 2
    lenet = str(EXAMPLES_DIR / "lenet5.nbd")
    assert main(["export-code", lenet, "-o", str(tmp_path / "c.py"), "--class-name", "a b"]) == 2
    assert "identifier" in capsys.readouterr().err
    assert main(["export-code", lenet, "-o", str(tmp_path / "no" / "d.py")]) == 2
    assert not any(tmp_path.glob("*.py"))
    assert main(["export-code", lenet, "-o", str(tmp_path / "e.py"), "--class-name", "LeNet"]) == 0
    assert "class LeNet(nn.Module)" in (tmp_path / "e.py").read_text("utf-8")


def test_check_on_an_ascii_console(tmp_path: Path) -> None:
    """Shapes hold '×'; a console that cannot show it gets '?' instead of a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "netbuilder", "check", str(EXAMPLES_DIR / "lenet5.nbd")],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert b"B?6?28?28" in result.stdout
