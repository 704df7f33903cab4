"""`netbuilder export`: exit 0 written and verified, 1 verification failed, 2 bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from netbuilder.cli import main
from netbuilder.core.codegen import class_name_for
from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import dumps, load
from netbuilder.export import onnx_format, python_source
from netbuilder.train.checkpoint import checkpoint_payload, save_checkpoint

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    diagram = load(EXAMPLES / "lenet5.nbd")
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ckpt") / "lenet.pt"
    save_checkpoint(path, diagram, compile_diagram(diagram), classes=[str(i) for i in range(10)])
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("fmt", "out"), [("pt2", "m.pt2"), ("python", "code")])
def test_export_writes_and_reports_difference(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, out: str
) -> None:
    code, stdout, err = run(
        capsys, "export", str(checkpoint), "--format", fmt, "-o", str(tmp_path / out)
    )
    assert code == 0, err
    assert "largest difference" in stdout
    written = tmp_path / out
    assert (written if fmt == "pt2" else written / "model.py").is_file()


def test_default_output_goes_next_to_the_checkpoint(
    checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "export", str(checkpoint), "--format", "python")
    assert code == 0, err
    assert (checkpoint.parent / "lenet_export" / "model.py").is_file()
    assert (checkpoint.parent / "lenet_export" / "model_weights.pt").is_file()


def test_output_without_suffix_gets_one(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "export", str(checkpoint), "-f", "pt2", "-o", str(tmp_path / "m"))
    assert code == 0, err
    assert (tmp_path / "m.pt2").is_file()


def test_diagram_exports_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = EXAMPLES / "mlp_regressor.nbd"
    code, _out, err = run(capsys, "export", str(src), "-f", "pt2", "-o", str(tmp_path / "m.pt2"))
    assert code == 0
    assert "without trained weights" in err


def test_unknown_format_is_bad_input(checkpoint: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "export", str(checkpoint), "--format", "tflite")
    assert code == 2
    assert "unknown format 'tflite'" in err and "pt2, onnx, python" in err


def test_missing_onnx_says_how_to_install(
    checkpoint: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_format, "missing_onnx_packages", lambda: ["onnx", "onnxscript"])
    code, _out, err = run(capsys, "export", str(checkpoint), "--format", "onnx")
    assert code == 2
    assert "pip install" in err and "netbuilder[onnx]" in err and "onnxscript" in err


def _bad_files(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """name → (file, words the error must contain)."""
    data = good.read_bytes()
    diagram = load(EXAMPLES / "lenet5.nbd")
    model = compile_diagram(diagram)
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, content: bytes | None, words: str, payload: object = None) -> None:
        path = folder / f"{name}.pt"
        if payload is not None:
            torch.save(payload, path)
        elif content is not None:
            path.write_bytes(content)
        files[name] = (path, words)

    put("missing", None, "does not exist")
    put("empty", b"", "empty")
    put("text", b"just some text\n", "neither a PyTorch archive nor a pickle")
    put("truncated", data[: len(data) // 2], "truncated or damaged")
    put("cut_tail", data[:-200], "truncated or damaged")
    put("foreign", None, "not written by NetBuilder", {"weights": torch.zeros(3)})
    newer = checkpoint_payload(diagram, model)
    newer["format_version"] = 99
    put("newer", None, "newer than this NetBuilder", newer)
    broken = checkpoint_payload(diagram, model)
    broken["diagram"] = dumps(diagram)[:-40]
    put("bad_diagram", None, "embedded diagram is damaged", broken)
    misfit = checkpoint_payload(diagram, model)
    misfit["state_dict"]["f7.weight"] = torch.zeros(3, 3)
    put("misfit", None, "do not fit the diagram", misfit)
    no_weights = checkpoint_payload(diagram, model)
    no_weights["state_dict"] = "gone"
    put("no_weights", None, "state_dict", no_weights)
    (folder / "folder.pt").mkdir()
    files["folder"] = (folder / "folder.pt", "not a file")
    return files


BAD = [
    "missing",
    "empty",
    "text",
    "truncated",
    "cut_tail",
    "foreign",
    "newer",
    "bad_diagram",
    "misfit",
    "no_weights",
    "folder",
]


@pytest.mark.parametrize("name", BAD)
def test_bad_files_exit_2_with_a_reason(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path, words = _bad_files(tmp_path, checkpoint)[name]
    code, _out, err = run(capsys, "export", str(path), "-f", "pt2", "-o", str(tmp_path / "o.pt2"))
    assert code == 2, err
    assert words in err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.pt2").exists()


def test_pt2_input_is_refused(
    checkpoint: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "export", str(checkpoint), "-f", "pt2", "-o", str(tmp_path / "m.pt2"))
    code, _out, err = run(capsys, "export", str(tmp_path / "m.pt2"), "-f", "onnx")
    assert code == 2 and "already a standalone export" in err


def test_failed_verification_exits_1(
    checkpoint: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A written model.py that computes something else is caught and reported."""
    real = python_source._import_isolated
    cls_name = class_name_for(load(EXAMPLES / "lenet5.nbd"))

    def tampered(path: Path) -> object:
        module = real(path)
        cls = getattr(module, cls_name)

        class Off(cls):  # type: ignore[misc, valid-type]
            def forward(self, *xs: torch.Tensor) -> torch.Tensor:
                return super().forward(*xs) + 1e-3

        setattr(module, cls_name, Off)
        return module

    monkeypatch.setattr(python_source, "_import_isolated", tampered)
    code, _out, err = run(
        capsys, "export", str(checkpoint), "-f", "python", "-o", str(tmp_path / "x")
    )
    assert code == 1
    assert "verification failed" in err and "differs" in err and "0.001" in err


def test_real_process_exit_code_for_malicious_file(tmp_path: Path) -> None:
    """The installed entry point, end to end: refused, exit 2, nothing run."""
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.pt"
    import builtins

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (builtins.exec, (f"open({str(marker)!r}, 'w').close()",))

    torch.save({"format": "netbuilder-checkpoint", "state_dict": Evil()}, evil)
    proc = subprocess.run(
        [sys.executable, "-m", "netbuilder", "export", str(evil), "-f", "pt2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "refused" in proc.stderr and "Traceback" not in proc.stderr
    assert not marker.exists()
