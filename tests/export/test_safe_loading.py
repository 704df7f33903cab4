"""Opening a .pt or .pt2 never runs code from the file.

Each malicious file here would create a marker file if anything executed it. The first
tests prove that by letting plain ``pickle``/``torch.export.load`` open copies in a child
process (the marker appears); the others show NetBuilder refusing the same bytes with a
clear message and the marker staying absent.
"""

from __future__ import annotations

import builtins
import io
import json
import pickle
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.export.errors import UnsafeFileError
from netbuilder.export.pt2 import export_pt2
from netbuilder.export.safe_load import _check_sym_expr, safe_load_pt2, validate_pt2
from netbuilder.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


class RunsCode:
    """Unpickling this calls ``builtins.exec`` on ``source``."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (builtins.exec, (self.source,))


# Child-process script: evaluate argv[1] for each later argument ``p``, ignoring errors.
LOAD_EACH = (
    "import sys, torch\n"
    "for p in sys.argv[2:]:\n"
    "    try:\n"
    "        eval(sys.argv[1])\n"
    "    except Exception:\n"
    "        pass\n"
)


def touch(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').close()"


# ------------------------------------------------------------------------------- .pt


def evil_pt_files(folder: Path, marker: Path) -> dict[str, Path]:
    """Three ways to hide code in a .pt: torch zip format, raw pickles, inside a checkpoint."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    files["zip"] = folder / "zip.pt"
    torch.save({"x": RunsCode(touch(marker))}, files["zip"])
    for protocol in (2, 4):
        files[f"raw{protocol}"] = folder / f"raw{protocol}.pt"
        files[f"raw{protocol}"].write_bytes(pickle.dumps(RunsCode(touch(marker)), protocol))
    diagram = load(EXAMPLES / "mlp_regressor.nbd")
    good = folder / "good.pt"
    save_checkpoint(good, diagram, compile_diagram(diagram))
    payload = torch.load(good, weights_only=True)
    payload["metrics"] = {"train_loss": RunsCode(touch(marker))}
    files["checkpoint"] = folder / "checkpoint.pt"
    torch.save(payload, files["checkpoint"])
    return files


def test_the_malicious_pt_files_really_run_code(tmp_path: Path) -> None:
    """Without weights_only, torch.load runs every one of them."""
    kinds = evil_pt_files(tmp_path / "probe", tmp_path / "probe" / "ran")
    paths = [evil_pt_files(tmp_path / k, tmp_path / k / "ran")[k] for k in kinds]
    subprocess.run(
        [sys.executable, "-c", LOAD_EACH, "torch.load(p, weights_only=False)", *map(str, paths)],
        capture_output=True,
        timeout=120,
    )
    ran = [k for k in kinds if (tmp_path / k / "ran").exists()]
    assert ran == list(kinds)


@pytest.mark.parametrize("kind", ["zip", "raw2", "raw4", "checkpoint"])
def test_malicious_pt_is_refused_without_running(tmp_path: Path, kind: str) -> None:
    marker = tmp_path / "ran"
    path = evil_pt_files(tmp_path, marker)[kind]
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    assert info.value.unsafe
    assert "refused" in str(info.value) and "builtins.exec" in str(info.value)
    assert str(path) in str(info.value)
    assert not marker.exists()


# ------------------------------------------------------------------------------ .pt2


@pytest.fixture(scope="module")
def good_pt2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    diagram = load(EXAMPLES / "mlp_regressor.nbd")
    path = tmp_path_factory.mktemp("pt2") / "model.pt2"
    export_pt2(diagram, compile_diagram(diagram), path)
    return path


def rewrite(src: Path, dst: Path, edit: Callable[[dict[str, bytes], str], None]) -> Path:
    """Copy a .pt2 zip with ``edit(records, root)`` applied to its records."""
    with zipfile.ZipFile(src) as archive:
        records = {n: archive.read(n) for n in archive.namelist()}
    root = next(n for n in records if n.endswith("/archive_format"))[: -len("archive_format")]
    edit(records, root)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as archive:
        for name, data in records.items():
            archive.writestr(name, data)
    return dst


def _program(records: dict[str, bytes], root: str) -> dict:
    return json.loads(records[f"{root}models/model.json"])


def _store(records: dict[str, bytes], root: str, program: dict) -> None:
    records[f"{root}models/model.json"] = json.dumps(program).encode()


def _first_expr(obj: object) -> dict | None:
    if isinstance(obj, dict):
        if isinstance(obj.get("expr_str"), str):
            return obj
        values = list(obj.values())
    elif isinstance(obj, list):
        values = obj
    else:
        return None
    for value in values:
        found = _first_expr(value)
        if found is not None:
            return found
    return None


def _evil_sample_inputs(marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        buffer = io.BytesIO()
        torch.save((RunsCode(touch(marker)),), buffer)
        records[f"{root}data/sample_inputs/model.pt"] = buffer.getvalue()

    return edit


def _evil_expression(marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        program = _program(records, root)
        holder = _first_expr(program)
        assert holder is not None, "the exported program has no symbolic shapes"
        holder["expr_str"] = f"__import__('pathlib').Path({str(marker)!r}).touch() or 1"
        _store(records, root, program)

    return edit


def _evil_guards(marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        program = _program(records, root)
        program["guards_code"] = [f"__import__('pathlib').Path({str(marker)!r}).touch()"]
        _store(records, root, program)

    return edit


def _evil_target(_marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        text = records[f"{root}models/model.json"].decode()
        records[f"{root}models/model.json"] = text.replace(
            "torch.ops.aten.linear.default", "torch.serialization.os.system", 1
        ).encode()

    return edit


def _evil_pickled_weight(marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        name = f"{root}data/weights/model_weights_config.json"
        config = json.loads(records[name])
        meta = next(iter(config["config"].values()))
        meta["use_pickle"] = True
        buffer = io.BytesIO()
        torch.save(RunsCode(touch(marker)), buffer)
        records[f"{root}data/weights/{meta['path_name']}"] = buffer.getvalue()
        records[name] = json.dumps(config).encode()

    return edit


def _compiled_code(_marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        records[f"{root}data/aotinductor/model/model.so"] = b"\x7fELF not really"

    return edit


def _opaque_constant(marker: Path) -> Callable[[dict[str, bytes], str], None]:
    def edit(records: dict[str, bytes], root: str) -> None:
        name = f"{root}data/constants/model_constants_config.json"
        config = {"config": {"evil": {"path_name": "opaque_obj_0", "use_pickle": True}}}
        records[name] = json.dumps(config).encode()
        records[f"{root}data/constants/opaque_obj_0"] = pickle.dumps(RunsCode(touch(marker)))

    return edit


ATTACKS = {
    "sample_inputs": _evil_sample_inputs,
    "shape_expression": _evil_expression,
    "guards_code": _evil_guards,
    "call_target": _evil_target,
    "pickled_weight": _evil_pickled_weight,
    "compiled_code": _compiled_code,
    "opaque_constant": _opaque_constant,
}


def test_plain_torch_export_load_runs_code_from_crafted_pt2(good_pt2: Path, tmp_path: Path) -> None:
    """Why NetBuilder validates .pt2 files itself: torch 2.13 runs these on load or first call."""
    names = ("sample_inputs", "shape_expression", "guards_code")
    files = [
        rewrite(good_pt2, tmp_path / f"{n}.pt2", ATTACKS[n](tmp_path / f"ran_{n}")) for n in names
    ]
    subprocess.run(
        [
            sys.executable,
            "-c",
            LOAD_EACH,
            "torch.export.load(p).module()(torch.zeros(2, 8))",
            *map(str, files),
        ],
        capture_output=True,
        timeout=120,
    )
    ran = [n for n in names if (tmp_path / f"ran_{n}").exists()]
    assert ran == list(names), f"torch.export.load ran only {ran}"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_crafted_pt2_is_refused_without_running(
    good_pt2: Path, tmp_path: Path, attack: str
) -> None:
    marker = tmp_path / "ran"
    evil = rewrite(good_pt2, tmp_path / "evil.pt2", ATTACKS[attack](marker))
    with pytest.raises(UnsafeFileError):
        safe_load_pt2(evil)
    assert not marker.exists()


def test_untouched_rewrite_still_loads(good_pt2: Path, tmp_path: Path) -> None:
    """The rewriting helper itself does not break archives (so refusals are real)."""
    copy = rewrite(good_pt2, tmp_path / "copy.pt2", lambda records, root: None)
    program = safe_load_pt2(copy)
    assert program.module()(torch.zeros(4, 8)).shape == (4, 1)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a .pt2"),
        (b"hello", "not a .pt2"),
        (b"PK\x03\x04 truncated", "truncated or damaged"),
    ],
)
def test_damaged_pt2_gives_a_reason(content: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_pt2(content)


def test_truncated_pt2_is_refused(good_pt2: Path, tmp_path: Path) -> None:
    data = good_pt2.read_bytes()
    cut = tmp_path / "cut.pt2"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or damaged"):
        safe_load_pt2(cut)


@pytest.mark.parametrize(
    "expr",
    [
        "Symbol('s52', positive=True, integer=True)",
        "Mul(Integer(64), Symbol('s52', positive=True, integer=True))",
        "Min(Integer(64), Mul(Integer(64), Symbol('s1', integer=True)))",
        "FloorDiv(Symbol('s0', integer=True), Integer(2)) + 1",
        "s0*2 - 1",
    ],
)
def test_shape_expressions_torch_writes_are_accepted(expr: str) -> None:
    _check_sym_expr(expr)


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('true')",
        "Symbol('s0').__class__",
        "Symbol('__import__')",
        "Integer(1).evalf.__globals__",
        "[c for c in ()]",
        "(lambda: 1)()",
        "Integer(2)[0]",
        "eval('1')",
        "Pow(Integer(10), Integer(10**9))",
        "Pow(Integer(10), Integer(1000000000))",
        "Integer(10) ** Integer(10**9)",
        "Symbol('s0' + 'x')",
    ],
)
def test_anything_else_in_a_shape_expression_is_refused(expr: str) -> None:
    with pytest.raises(UnsafeFileError):
        _check_sym_expr(expr)


class CallsProgram:
    """Unpickling this would run ``true`` through ``callable``."""

    def __init__(self, callable_: Callable[..., object], arg: object) -> None:
        self.callable, self.arg = callable_, arg

    def __reduce__(self) -> tuple[object, tuple[object]]:
        return (self.callable, (self.arg,))


@pytest.mark.parametrize("protocol", [2, 4])
@pytest.mark.parametrize(
    ("callable_", "arg", "shown"),
    [
        (subprocess.call, ["true"], "subprocess.call"),
        (__import__("os").system, "true", "os.system"),
    ],
)
def test_refusal_names_the_callable_as_python_3_users_know_it(
    tmp_path: Path, protocol: int, callable_: Callable[..., object], arg: object, shown: str
) -> None:
    """Protocol 2 spells subprocess.call 'commands call' and os.system 'posix system'."""
    path = tmp_path / "payload.pt"
    path.write_bytes(pickle.dumps(CallsProgram(callable_, arg), protocol))
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert f"would import and call {shown}" in message
    assert "commands." not in message and "posix." not in message
