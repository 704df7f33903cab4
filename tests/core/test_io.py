"""The .nbd file format: exact round trips, fixtures per version, atomic saves, bad files."""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.core import io
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import DiagramFileError, dumps, load, loads, save
from netbuilder.core.shapes import check
from netbuilder.resources import EXAMPLES_DIR
from tests.core.diagram_strategies import grow_diagram

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.nbd"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_exactly(path: Path, tmp_path: Path) -> None:
    original = json.loads(path.read_text("utf-8"))
    d = load(path)
    assert json.loads(dumps(d)) == original
    save(d, tmp_path / "copy.nbd")
    assert json.loads((tmp_path / "copy.nbd").read_text("utf-8")) == original
    again = load(tmp_path / "copy.nbd")
    assert again.to_dict() == d.to_dict()
    assert check(again).ok


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_have_training_settings(path: Path) -> None:
    training = load(path).training
    for key in ("dataset", "loss", "optimizer", "lr", "batch_size", "epochs", "seed"):
        assert key in training, key


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_diagrams_round_trip_exactly(data: st.DataObject) -> None:
    d = grow_diagram(data)
    d.set_label(next(iter(d.nodes)), data.draw(st.text(max_size=20)))
    text = dumps(d)
    again = loads(text)
    assert again.to_dict() == d.to_dict()
    assert dumps(again) == text
    assert check(again).ok


def test_every_format_version_has_a_fixture() -> None:
    for version in range(1, io.FORMAT_VERSION + 1):
        assert (FIXTURES / f"diagram_v{version}.nbd").is_file(), version


def test_fixture_v1_migrates_output_names_to_block_names() -> None:
    """Version 1 Outputs had a ``name`` parameter beside the block's name; v2 keeps one."""
    d = load(FIXTURES / "diagram_v1.nbd")
    assert d.nodes["logits"].label == "logits" and d.nodes["cell"].label == "cell"
    assert d.nodes["logits"].params == {} and d.nodes["cell"].params == {}
    assert d.nodes["head"].label == "classifier head", "other labels are kept"
    v2_text = (FIXTURES / "diagram_v2.nbd").read_text("utf-8").replace("v2 fixture", "v1 fixture")
    assert dumps(d).replace("v2 fixture", "v1 fixture") == _as_current(v2_text)


def test_migration_keeps_an_output_label_and_drops_an_empty_name() -> None:
    doc = json.loads((FIXTURES / "diagram_v1.nbd").read_text("utf-8"))
    for n in doc["nodes"]:
        if n["id"] == "logits":
            n["label"] = "scores"
        if n["id"] == "cell":
            n["params"]["name"] = "  "
    d = loads(json.dumps(doc))
    assert d.nodes["logits"].label == "scores"
    assert d.nodes["cell"].label == "" and d.nodes["cell"].params == {}


def test_fixture_v2_loads_to_the_known_diagram() -> None:
    path = FIXTURES / "diagram_v2.nbd"
    d = load(path)
    assert list(d.nodes)[:3] == ["image", "conv", "relu"]
    assert d.nodes["head"].label == "classifier head"
    assert d.nodes["conv"].params["padding"] == "same"
    assert d.training["dataset"] == "builtin:shapes"
    analysis = check(d)
    assert analysis.ok
    assert analysis.output_nodes() == ["logits", "cell"]
    assert analysis.nodes["concat"].outputs["out"].shape == (20,)
    assert analysis.total_params == 433
    assert not d.definitions, "version 2 had no sub-blocks"
    assert dumps(d) == _as_current(path.read_text("utf-8")), "saving changes only the version"


def _as_current(v2_text: str) -> str:
    """A version-2 file as this NetBuilder saves it: v3 only added sub-block definitions."""
    assert io.FORMAT_VERSION == 3
    return v2_text.replace('"format_version": 2,', '"format_version": 3,', 1)


def test_dumps_is_stable_and_pretty() -> None:
    d = load(FIXTURES / "diagram_v2.nbd")
    text = dumps(d)
    assert text == dumps(Diagram.from_dict(d.to_dict()))
    assert text.startswith('{\n  "format": "netbuilder-diagram",\n  "format_version": 3,')


def test_save_is_atomic_when_writing_fails(tmp_path: Path, monkeypatch: Any) -> None:
    target = tmp_path / "model.nbd"
    save(load(FIXTURES / "diagram_v1.nbd"), target)
    before = target.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    d = load(EXAMPLES[0])
    with pytest.raises(DiagramFileError, match=r"model\.nbd"):
        save(d, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.nbd"], "no temp file left"


def test_save_refuses_unwritable_content_before_touching_the_file(tmp_path: Path) -> None:
    target = tmp_path / "model.nbd"
    d = load(FIXTURES / "diagram_v1.nbd")
    d.training["lr"] = float("nan")
    with pytest.raises(DiagramFileError, match=r"model\.nbd"):
        save(d, target)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_save_into_missing_folder_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DiagramFileError, match="nowhere"):
        save(Diagram(), tmp_path / "nowhere" / "x.nbd")


def test_saved_file_is_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "model.nbd"
    save(Diagram(), target)
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_newer_version_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "diagram_v1.nbd").read_text("utf-8"))
    doc["format_version"] = io.FORMAT_VERSION + 1
    path = tmp_path / "future.nbd"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(DiagramFileError) as info:
        load(path)
    assert "future.nbd" in str(info.value) and "newer" in str(info.value)


# ----------------------------------------------------------------- mutated files


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every (key/index path) inside a JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


WRONG_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "x",
    "",
    [],
    {},
    [1, [2]],
    {"a": {"b": []}},
    10**30,
    -(10**30),
    1e308,
    2**63,
    "\u00e9\u2603",
    "a" * 5000,
]


def _mutations(seed: int) -> list[tuple[str, bytes]]:
    """A few hundred damaged versions of the examples and the fixture."""
    rng = random.Random(seed)
    sources = [*EXAMPLES, FIXTURES / "diagram_v1.nbd"]
    out: list[tuple[str, bytes]] = []
    for src in sources:
        raw = src.read_bytes()
        doc = json.loads(raw)
        paths = [p for p in _paths(doc) if p]
        for _ in range(12):
            cut = rng.randrange(0, len(raw))
            out.append(("truncated", raw[:cut]))
        for _ in range(10):
            mutated = copy.deepcopy(doc)
            p = rng.choice(paths)
            parent = _parent(mutated, p)
            del parent[p[-1]]
            out.append(("key deleted", json.dumps(mutated).encode()))
        for _ in range(16):
            mutated = copy.deepcopy(doc)
            p = rng.choice(paths)
            _parent(mutated, p)[p[-1]] = rng.choice(WRONG_VALUES)
            out.append(("wrong type", json.dumps(mutated).encode()))
        for token in ("NaN", "Infinity", "-Infinity", "1e999", "-1e999", '"\\ud800"'):
            text = raw.decode()
            i = text.index('"position": [') + len('"position": [')
            out.append(("special number", (text[:i] + token + ", " + text[i:]).encode()))
        mutated = copy.deepcopy(doc)
        mutated["nodes"][-1]["type"] = "QuantumLayer"
        out.append(("unknown block", json.dumps(mutated).encode()))
        for version in (io.FORMAT_VERSION + 1, 0, -3, "1", 1.0, None, 10**20):
            mutated = copy.deepcopy(doc)
            mutated["format_version"] = version
            out.append(("bad version", json.dumps(mutated).encode()))
        mutated = copy.deepcopy(doc)
        mutated["edges"].append(dict(mutated["edges"][0]))
        out.append(("duplicate edge", json.dumps(mutated).encode()))
        mutated = copy.deepcopy(doc)
        mutated["nodes"].append(copy.deepcopy(mutated["nodes"][0]))
        out.append(("duplicate id", json.dumps(mutated).encode()))
        out.append(("binary garbage", bytes(rng.randrange(256) for _ in range(200))))
        out.append(("garbage after json", raw + b"\x00\xff{"))
    for depth in (40, 1000, 100_000):
        out.append(("deep nesting", b'{"format": "netbuilder-diagram", "x": ' + b"[" * depth))
        nested: Any = 1
        for _ in range(depth if depth < 1000 else 60):
            nested = [nested]
        doc = json.loads(sources[0].read_bytes())
        doc["meta"]["deep"] = nested
        out.append(("deep nesting", json.dumps(doc).encode()))
    out.append(("huge merge", _huge_merge()))
    out += [
        ("empty", b""),
        ("not an object", b"[1, 2]"),
        ("null", b"null"),
        ("bom", b"\xef\xbb\xbf" + sources[0].read_bytes()),
        ("utf16", "{}".encode("utf-16")),
    ]
    return out


def _huge_merge() -> bytes:
    doc = json.loads((FIXTURES / "diagram_v1.nbd").read_text("utf-8"))
    for n in doc["nodes"]:
        if n["type"] == "Concatenate":
            n["params"]["num_inputs"] = 10**9
    return json.dumps(doc).encode()


MUTATIONS = _mutations(seed=2)


def test_there_are_a_few_hundred_mutations() -> None:
    assert len(MUTATIONS) >= 300


@pytest.mark.parametrize("chunk", range(4))
def test_mutated_files_give_the_documented_error_and_nothing_else(
    chunk: int, tmp_path: Path
) -> None:
    refused = 0
    for i, (kind, data) in enumerate(MUTATIONS[chunk::4]):
        path = tmp_path / f"damaged_{i}.nbd"
        path.write_bytes(data)
        try:
            d = load(path)
        except DiagramFileError as exc:
            refused += 1
            assert path.name in str(exc), (kind, str(exc))
            assert str(exc).strip() != str(path), f"{kind}: message must say what is wrong"
            continue
        # Some mutations leave a readable diagram (a label deleted, a value the checker
        # reports instead). Those must behave: check without raising, save and reload.
        check(d)
        again = loads(dumps(d), path)
        assert again.to_dict() == d.to_dict(), kind
    assert refused >= len(MUTATIONS[chunk::4]) // 2


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DiagramFileError, match="does not exist"):
        load(tmp_path / "nope.nbd")
    with pytest.raises(DiagramFileError, match="folder"):
        load(tmp_path)
