"""Messages echo user values at a readable length, and unknown block types get a suggestion.

Issue 15 item 3 (a 5,000-character node id) and issue 17 item 5 (``Conv2D``, ``Linaer``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.core.blocks import UnknownBlockError, get_block, suggest_block
from netbuilder.core.diagnostics import Diagnostic
from netbuilder.core.diagram import Diagram, DiagramError
from netbuilder.core.io import DiagramFileError, load
from netbuilder.core.shapes import ShapeChecker
from netbuilder.core.text import quoted, shorten, shorten_words
from netbuilder.resources import EXAMPLES_DIR

REPO = Path(__file__).resolve().parents[2]
CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"
LONG = "n" + "x" * 4999
WIDE = 200  # no message line may be longer than this


def mutated(tmp_path: Path, name: str, change) -> Path:
    """The CNN example with one node changed by ``change(doc, node)``."""
    doc = json.loads(CNN.read_text("utf-8"))
    change(doc, doc["nodes"][1])
    path = tmp_path / name
    path.write_text(json.dumps(doc), "utf-8")
    return path


def long_id(doc: dict, node: dict) -> None:
    old, node["id"] = node["id"], LONG
    for edge in doc["edges"]:
        for end in ("source", "target"):
            if edge[end] == old:
                edge[end] = LONG


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netbuilder", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_shorten_keeps_both_ends() -> None:
    assert shorten("conv1") == "conv1"
    cut = shorten("a" * 30 + "b" * 5000 + "c" * 30, 60)
    assert len(cut) == 60 and cut.startswith("a" * 30) and cut.endswith("c" * 19)
    assert "…" in cut
    assert quoted("x" * 5000).startswith("'x") and quoted("x" * 5000).endswith("x'")
    assert shorten_words(f"see {'p' * 500} here") == f"see {shorten('p' * 500, 120)} here"


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "{f}"],
        ["train", "{f}", "--epochs", "1"],
        ["export", "{f}", "-f", "python", "-o", "{out}"],
        ["export-code", "{f}", "-o", "{out}.py"],
    ],
    ids=["check", "train", "export", "export-code"],
)
def test_a_5000_character_node_id_is_shortened_in_every_command(
    argv: list[str], tmp_path: Path
) -> None:
    path = mutated(tmp_path, "long.nbd", long_id)
    result = run_cli(*(a.format(f=path, out=tmp_path / "out") for a in argv))
    assert result.returncode == 2
    text = (result.stdout + result.stderr).replace(str(tmp_path), "TMP")
    lines = text.strip().splitlines()
    assert lines and all(len(line) <= WIDE for line in lines), max(map(len, lines))
    assert "node id 'nxxx" in result.stderr and "…" in result.stderr


def test_diagnostics_and_errors_shorten_ids_ports_and_values() -> None:
    diag = Diagnostic(LONG, "Input 'in' of Linear is not connected.", "Wire it.", port="p" * 900)
    assert len(str(diag)) <= WIDE and str(diag).startswith("[nxxx") and "…" in str(diag)
    d = Diagram()
    with pytest.raises(DiagramError) as info:
        d.add_node("Linear", node_id=LONG)
    assert len(str(info.value)) <= WIDE
    fc = d.add_node("Linear")
    with pytest.raises(DiagramError) as info:
        d.connect(fc, "o" * 5000, fc + "x", "in")
    assert len(str(info.value)) <= WIDE
    d.set_param(fc, "bias", "y" * 5000)  # a bad value is reported, not echoed in full
    messages = [x.message for x in ShapeChecker().check(d).diagnostics]
    assert any("'bias' must be true or false" in m for m in messages)
    assert all(len(m) <= WIDE for m in messages)


def test_a_long_table_column_name_is_shortened(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    del torch
    from netbuilder.core.tensor import TensorSpec
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.data import DataError
    from netbuilder.train.tables import load_table

    table = tmp_path / "t.csv"
    long_name = "c" * 5000
    table.write_text(f"a,b,{long_name}\n1,2,x\n4,5,6\n7,8,9\n", "utf-8")
    config = TrainConfig.from_dict({"dataset_options": {"target": "a"}})
    with pytest.raises(DataError) as info:
        load_table(table, TensorSpec((2,)), "features", config)
    message = str(info.value).replace(str(tmp_path), "TMP")
    assert len(message) <= WIDE and "…" in message, message


# ---------------------------------------------------------------- did you mean (issue 17.5)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("Conv2D", ["Conv2d"]), ("Linaer", ["Linear"]), ("relu", ["ReLU"]), ("dense", ["Linear"])],
)
def test_unknown_block_types_suggest_the_closest(typo: str, meant: list[str]) -> None:
    assert suggest_block(typo) == meant
    with pytest.raises(UnknownBlockError) as info:
        get_block(typo)
    assert str(info.value) == f"unknown block type '{typo}'; did you mean {meant[0]}?"
    assert suggest_block("Frobnicator") == []


@pytest.mark.parametrize(("typo", "meant"), [("Conv2D", "Conv2d"), ("Linaer", "Linear")])
def test_a_file_with_a_mistyped_block_type_says_did_you_mean(
    typo: str, meant: str, tmp_path: Path
) -> None:
    def retype(doc: dict, node: dict) -> None:
        node["type"] = typo
        node["params"] = {}

    path = mutated(tmp_path, "typo.nbd", retype)
    with pytest.raises(DiagramFileError) as info:
        load(path)
    assert f"unknown block type '{typo}'; did you mean {meant}?" in str(info.value)
    result = run_cli("check", str(path))
    assert result.returncode == 2
    assert f"did you mean {meant}?" in result.stderr


def test_the_api_and_the_checker_suggest_too() -> None:
    d = Diagram()
    with pytest.raises(DiagramError, match=r"'Conv2D'; did you mean Conv2d\?"):
        d.add_node("Conv2D")
    nid = d.add_node("Linear")
    d.nodes[nid].type = "Linaer"  # e.g. set by code that bypasses add_node
    messages = [x.message for x in ShapeChecker().check(d).for_node(nid)]
    assert any("did you mean Linear?" in m for m in messages), messages


def test_a_long_unknown_type_gets_no_suggestion_and_a_short_message(tmp_path: Path) -> None:
    def retype(doc: dict, node: dict) -> None:
        node["type"] = "T" * 5000

    with pytest.raises(DiagramFileError) as info:
        load(mutated(tmp_path, "t.nbd", retype))
    message = str(info.value).replace(str(tmp_path), "TMP")
    assert len(message) <= WIDE and "did you mean" not in message
