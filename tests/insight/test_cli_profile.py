"""`netbuilder check --profile`: the table, totals, "—" with reasons, the memory verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from netbuilder.cli import main
from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import save
from netbuilder.resources import example_paths


def _example(stem: str) -> Path:
    return next(p for p in example_paths() if p.stem == stem)


def test_profile_table_totals_and_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            "--profile",
            "--batch-size",
            "8",
            "--device",
            "cpu",
            str(_example("cnn_image_classifier")),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "FLOPs/sample" in out and "fwd+bwd ms @8" in out
    table = out.split("FLOPs/sample", 1)[1]
    conv1 = next(line for line in table.splitlines() if line.strip().startswith("conv1 "))
    assert "885 k" in conv1  # 2 · 16 · 3 · 9 · 32 · 32 = 884,736
    assert "total: 3.51 MFLOPs per sample (1.75 MMACs), 136,614 parameters" in out
    assert "measured forward+backward on cpu at batch 8" in out
    assert "predicted peak training memory" in out and "at batch size 8 on cpu" in out


def test_unprofilable_blocks_show_a_dash_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = Diagram()
    chain(
        d,
        ("TabularInput", {"features": 4}, "x"),
        ("Linear", {"out_features": 2}, "fc"),
        ("Output", {}, "out"),
    )
    d.add_node("Linear", {"out_features": 3}, node_id="loose")
    path = tmp_path / "partial.nbd"
    save(d, path)
    code = main(["check", "--profile", "-q", str(path)])
    out, err = capsys.readouterr()
    assert code == 1  # the diagram has an error; profiling it is not an error of its own
    assert "Traceback" not in out + err
    assert "— loose: shape unknown: Input 'in' of Linear is not connected." in out
    assert "timing: — (not timed: the diagram has errors)" in out


def test_predicted_oom_warns_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            "--profile",
            "--batch-size",
            "60000000",
            "--device",
            "cpu",
            str(_example("small_resnet")),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "warning: predicted peak training memory" in out and "may not fit" in out
    assert "largest batch that fits:" in out


def test_unavailable_device_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("cuda is available here")
    code = main(["check", "--profile", "--device", "cuda", str(_example("mlp_regressor"))])
    assert code == 2
    assert "device 'cuda' is not available" in capsys.readouterr().out
