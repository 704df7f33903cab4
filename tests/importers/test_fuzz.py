"""Mutated Mermaid, .pt2 and ONNX inputs: a result or a ModelImportError, never a crash or hang.

Each case runs the real importer; anything other than ``ModelImportError`` escaping is a
bug. The mutations are seeded, so a failure names a reproducible case.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.export import export_model
from netbuilder.importers import ModelImportError, import_path
from netbuilder.importers.mermaid import from_mermaid, to_mermaid
from netbuilder.resources import EXAMPLES_DIR, example_paths

TOKENS = ["-->", "---", "==>", "-.->", "|", '"', "[", "]", "(", ")", "{", "}", "&", ";", "%%",
          "subgraph", "end", "x", "-1", "0", "99999999", "k0", "=", "Conv2d", "Add", "Output",
          "\n", " ", "é", "\x00", "<br>", "#quot;", "graph LR", ":", "h:"]  # fmt: skip


def _mutate_text(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        pos = rng.randrange(len(text) + 1)
        if kind < 0.35:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif kind < 0.6:
            text = text[:pos] + text[pos + rng.randint(1, 12) :]
        elif kind < 0.8:
            lines = text.splitlines()
            rng.shuffle(lines)
            text = "\n".join(lines)
        else:
            text = text[:pos] + chr(rng.randrange(32, 0x3000)) + text[pos + 1 :]
    return text


def _expect_clean(run) -> str:
    try:
        run()
    except ModelImportError:
        return "refused"
    return "imported"


@pytest.mark.timeout(240)
def test_mermaid_fuzz() -> None:
    sources = [to_mermaid(load(p)) for p in example_paths()]
    rng = random.Random(1234)
    outcomes = {"refused": 0, "imported": 0}
    for _case in range(600):
        text = _mutate_text(rng.choice(sources), rng)
        outcomes[_expect_clean(lambda t=text: from_mermaid(t))] += 1
    assert outcomes["refused"] > 100 and outcomes["imported"] > 5, outcomes


@pytest.mark.timeout(60)
def test_mermaid_pathological_sizes() -> None:
    long_line = "graph LR\n" + "A" + "-->A" * 20_000 + "\n"
    deep = "graph LR\n" + "subgraph s\n" * 5000 + "end\n" * 5000
    wide = "graph LR\n" + "\n".join(f"n{i}[ReLU] --> n{i + 1}[ReLU]" for i in range(6000))
    for text in (long_line, deep, wide, "graph LR\n" + "[" * 100_000, "\ufeffgraph LR\n"):
        _expect_clean(lambda t=text: from_mermaid(t))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("fuzz")
    diagram = load(EXAMPLES_DIR / "cnn_image_classifier.nbd")
    torch.manual_seed(0)
    model = compile_diagram(diagram)
    out: dict[str, bytes] = {}
    for fmt in ("pt2", "onnx"):
        if fmt == "onnx":
            pytest.importorskip("onnxscript")
        path = folder / f"net.{fmt}"
        export_model(diagram, model, fmt, path)
        out[fmt] = path.read_bytes()
    return out


def _flip(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    kind = rng.random()
    if kind < 0.2:
        return bytes(buf[: rng.randrange(len(buf))])
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _mutate_json(value, rng: random.Random):
    """Change one scalar somewhere in a JSON document."""
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        value[key] = _mutate_json(value[key], rng)
        return value
    if isinstance(value, list) and value:
        i = rng.randrange(len(value))
        if rng.random() < 0.15:
            del value[i]
        else:
            value[i] = _mutate_json(value[i], rng)
        return value
    return rng.choice([0, -1, 3, 2**40, 1.5, "", "aten.relu.default", "torch.ops.aten.add.Tensor",
                       "s0", None, True, [], {}, "x" * 50])  # fmt: skip


def _mutate_pt2(data: bytes, rng: random.Random) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    model = next(n for n in source.namelist() if "/models/" in n and n.endswith(".json"))
    doc = json.loads(source.read(model))
    for _ in range(rng.randint(1, 3)):
        _mutate_json(doc, rng)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            payload = json.dumps(doc).encode() if info.filename == model else source.read(info)
            target.writestr(info, payload)
    return out.getvalue()


def _run_file(tmp_path: Path, suffix: str, data: bytes) -> str:
    path = tmp_path / f"case{suffix}"
    path.write_bytes(data)
    return _expect_clean(lambda: import_path(str(path)))


@pytest.mark.timeout(600)
def test_pt2_fuzz(exported: dict[str, bytes], tmp_path: Path) -> None:
    rng = random.Random(99)
    outcomes = {"refused": 0, "imported": 0}
    for case in range(120):
        data = exported["pt2"]
        data = _flip(data, rng) if case % 2 else _mutate_pt2(data, rng)
        outcomes[_run_file(tmp_path, ".pt2", data)] += 1
    assert outcomes["refused"] > 50, outcomes


@pytest.mark.timeout(600)
def test_onnx_fuzz(exported: dict[str, bytes], tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    rng = random.Random(7)
    base = onnx.load_model_from_string(exported["onnx"])
    outcomes = {"refused": 0, "imported": 0}
    for case in range(120):
        if case % 2:
            data = _flip(exported["onnx"], rng)
        else:
            model = onnx.ModelProto()
            model.CopyFrom(base)
            node = rng.choice(model.graph.node)
            choice = rng.random()
            if choice < 0.25 and node.attribute:
                attr = rng.choice(node.attribute)
                if attr.ints:
                    attr.ints[rng.randrange(len(attr.ints))] = rng.choice([0, -1, 7, 2**31])
                else:
                    attr.i = rng.choice([0, -1, 5])
            elif choice < 0.5:
                node.op_type = rng.choice(["Relu", "Conv", "Gemm", "LSTM", "Foo", "Reshape"])
            elif choice < 0.75 and node.input:
                node.input[rng.randrange(len(node.input))] = rng.choice(["", "nope", "image"])
            else:
                init = rng.choice(model.graph.initializer)
                if init.dims:
                    init.dims[0] = rng.choice([0, 1, 3])
            data = model.SerializeToString()
        outcomes[_run_file(tmp_path, ".onnx", data)] += 1
    assert outcomes["refused"] > 50, outcomes
