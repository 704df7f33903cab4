"""Generated code: ruff-clean, torch-only, same state_dict as the compiled module, same outputs."""

from __future__ import annotations

import ast
import importlib.util
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from netbuilder.core.builder import chain
from netbuilder.core.codegen import class_name_for, generate_code
from netbuilder.core.compile import CompileError, compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.resources import EXAMPLES_DIR
from tests.core.diagram_strategies import grow_diagram

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.nbd"))
_counter = itertools.count()


def ruff_problems(*files: Path) -> str:
    """``ruff check`` output for ``files`` under the project's configuration ("" if clean)."""
    exe = shutil.which("ruff")
    cmd = [exe] if exe else [sys.executable, "-m", "ruff"]
    result = subprocess.run(
        [*cmd, "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), *map(str, files)],
        capture_output=True,
        text=True,
    )
    return "" if result.returncode == 0 else result.stdout + result.stderr


def imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    return roots


def load_generated(path: Path, class_name: str) -> nn.Module:
    """Import the generated file as a fresh module, in a clean namespace, and build it."""
    spec = importlib.util.spec_from_file_location(f"generated_{next(_counter)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, class_name)()


def assert_equivalent(d: Diagram, tmp_path: Path, lint: bool = True) -> Path:
    """The generated module matches the compiled one in keys, shapes and outputs."""
    analysis = check(d)
    source = generate_code(d, analysis)
    path = tmp_path / f"model_{next(_counter)}.py"
    path.write_text(source, "utf-8")
    assert imported_roots(source) == {"torch"}
    if lint:
        assert ruff_problems(path) == "", source
    compiled = compile_diagram(d, analysis).eval()
    generated = load_generated(path, class_name_for(d)).eval()
    want = {k: tuple(v.shape) for k, v in compiled.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in generated.state_dict().items()}
    assert got == want
    generated.load_state_dict(compiled.state_dict(), strict=True)
    torch.manual_seed(1)
    inputs = [analysis.nodes[n].outputs["out"].example(2) for n in analysis.input_nodes()]
    with torch.no_grad():
        a, b = compiled(*inputs), generated(*inputs)
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        torch.testing.assert_close(x, y, rtol=0, atol=1e-6)
    return path


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_generate_equivalent_clean_code(path: Path, tmp_path: Path) -> None:
    assert_equivalent(load(path), tmp_path)


def test_random_diagrams_generate_equivalent_clean_code(tmp_path: Path) -> None:
    """Many random diagrams, one ruff run over all their files (ruff starts in ~50 ms)."""
    files: list[Path] = []

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def one(data: st.DataObject) -> None:
        torch.manual_seed(0)
        files.append(assert_equivalent(grow_diagram(data), tmp_path, lint=False))

    one()
    assert files
    assert ruff_problems(*files) == ""


def nasty_names() -> Diagram:
    """Ids that clash after sanitising, shadow builtins or keywords, and run very long."""
    d = Diagram()
    d.meta = {"name": "lstm block", "description": 'Tricky """quotes""" and a back\\slash \\'}
    chain(d, ("SequenceInput", {"length": 5, "features": 4}, "input"))
    chain(d, ("LSTM", {"hidden_size": 4}, "lstm"), after="input")
    chain(d, ("Linear", {"out_features": 4}, "lstm_h"), after="lstm", after_port="h")
    add = d.add_node("Add", {"num_inputs": 3}, node_id="a-b")
    d.connect("lstm", "out", add, "in1")
    d.connect("lstm_h", "out", add, "in2")
    d.connect("lstm", "h", add, "in3")  # must still be the LSTM's h, not the Linear's
    long_id = "a_very_long_node_identifier_that_goes_on_and_on_and_on_for_ever"
    chain(
        d,
        ("ReLU", {}, "a_b"),
        ("Linear", {"out_features": 3}, long_id),
        ("Output", {}, "class"),
        after=add,
    )
    chain(d, ("Output", {}, "self"), after="lstm", after_port="c")
    for odd in ("training", "forward", "torch", "nn", "x", "None", "super", "lstm_out"):
        chain(d, ("Tanh", {}, odd), ("Output", {}, f"o_{odd}"), after="lstm")
    cat = d.add_node("Concatenate", {"num_inputs": 4}, node_id=f"{long_id[:60]}_cat")
    for i, src in enumerate(("training", "forward", "torch", "nn"), start=1):
        d.connect(src, "out", cat, f"in{i}")
    chain(d, ("Output", {}, "o_cat"), after=cat)
    return d


def test_names_that_clash_or_shadow_stay_correct(tmp_path: Path) -> None:
    d = nasty_names()
    assert check(d).ok
    path = assert_equivalent(d, tmp_path)
    source = path.read_text("utf-8")
    assert "class LstmBlock(nn.Module)" in source
    assert max(len(line) for line in source.splitlines()) <= 100


def test_class_name_keyword_and_helper_clash(tmp_path: Path) -> None:
    d = Diagram()
    chain(d, ("SequenceInput", {}, "s"), ("LSTM", {}, "l"), "Output")
    d.meta["name"] = "none"
    assert "class NoneModel(nn.Module)" in generate_code(d)
    source = generate_code(d, class_name="LSTMBlock")  # the copied helper has that name
    assert "class LSTMBlockModel(nn.Module)" in source
    path = tmp_path / "m.py"
    path.write_text(source, "utf-8")
    assert ruff_problems(path) == ""
    with pytest.raises(ValueError, match="identifier"):
        generate_code(d, class_name="my model")


def test_code_of_a_broken_diagram_is_refused() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("Linear", {"in_features": 3}, "fc"), "Output")
    with pytest.raises(CompileError) as info:
        generate_code(d)
    assert info.value.diagnostics[0].node_id == "fc"


def test_compiled_module_exports_with_torch_export() -> None:
    d = load(EXAMPLES_DIR / "lenet5.nbd")
    model = compile_diagram(d).eval()
    x = torch.randn(2, 1, 32, 32)
    program = torch.export.export(model, (x,))
    torch.testing.assert_close(program.module()(x), model(x))
