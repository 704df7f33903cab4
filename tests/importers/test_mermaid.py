"""Mermaid: every example round-trips; the reader's features and refusals, by line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.core.subblock_edits import flatten
from netbuilder.importers import ModelImportError, import_path
from netbuilder.importers.mermaid import from_mermaid, to_mermaid
from netbuilder.importers.mermaid_chart import parse_chart
from netbuilder.importers.mermaid_labels import label_for, parse_label
from netbuilder.resources import example_paths

SEED = Path("/work/shared/seeds/000_1d66942a4bc45f88.txt")


def _canonical(diagram) -> tuple:
    analysis = check(diagram)
    nodes = sorted(
        (n.type, tuple(sorted((k, str(v)) for k, v in analysis.nodes[nid].params.items())))
        for nid, n in diagram.nodes.items()
    )
    wires = sorted(
        (diagram.nodes[e.source].type, e.source_port, diagram.nodes[e.target].type, e.target_port)
        for e in diagram.edges
    )
    return nodes, wires, analysis.total_params


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
@pytest.mark.parametrize("direction", ["LR", "TD"])
def test_examples_roundtrip(path: Path, direction: str) -> None:
    diagram = load(path)
    text = to_mermaid(diagram, direction)
    assert text.splitlines()[1] == f"graph {direction}"
    body = "\n".join(text.splitlines()[2:])
    assert not set(body) - set(
        'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.:="[]|>\n'
    ), "only Mermaid-safe characters"
    result = from_mermaid(text)
    assert result.state_dict is None
    # sub-blocks are written out block by block (Mermaid has no block types of its own)
    assert _canonical(result.diagram) == _canonical(flatten(diagram))


def test_labels_roundtrip_every_parameter() -> None:
    params = {"out_channels": 32, "kernel_size": 5, "stride": 2, "padding": "valid", "bias": False}
    label = label_for("Conv2d", params)
    assert label == "Conv2d 32 k5 s2 pvalid bias=false"
    assert parse_label(label) == ("Conv2d", params)
    assert parse_label("conv2d 32 k3") == ("Conv2d", {"out_channels": 32, "kernel_size": 3})
    assert parse_label("ImageInput 1x28x28")[1] == {"channels": 1, "height": 28, "width": 28}
    assert parse_label("Permute dims=0x2x1")[1] == {"dims": [0, 2, 1]}


CHART = """\
%% a hand-written network
flowchart TD
    subgraph features [Feature extractor]
        direction LR
        x(["ImageInput 1x28x28"]) --> c1[Conv2d 8 k3 p1] --> r1((ReLU))
    end
    r1 -- Bx8x28x28 --> p["MaxPool2d"];  %% trailing comment
    p ==> f{Flatten}
    f --- l>Linear 10]
    l -.-> o[Output]
    style o fill:#f9f
"""


def test_reader_features() -> None:
    chart = parse_chart(CHART)
    assert chart.direction == "TD" and len(chart.nodes) == 7 and len(chart.links) == 6
    result = from_mermaid(CHART)
    types = [n.type for n in result.diagram.nodes.values()]
    assert types.count("Conv2d") == 1 and "Output" in types
    assert check(result.diagram).ok


def test_ampersand_and_ports() -> None:
    text = """graph LR
    s[SequenceInput 16x4] --> l[LSTM 8 output=sequence]
    l -->|h: Bx8| a[Linear 8]
    l -->|c| b[Linear 8]
    a & b --> m[Add]
    m --> o[Output]
    """
    diagram = from_mermaid(text).diagram
    ports = {(e.source, e.source_port, e.target_port) for e in diagram.edges}
    assert ("l", "h", "in") in ports and ("l", "c", "in") in ports
    assert {("a", "out", "in1"), ("b", "out", "in2")} <= ports


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("graph LR\nA[ReLU] --> B[Blorp 3]\n", 2, "'Blorp' is not a NetBuilder block"),
        ("graph LR\nA[Conv2d 3 zz]\n", 2, "neither a size"),
        ("sequenceDiagram\nA->>B: hi\n", 1, "starts with 'graph LR'"),
        ("graph LR\nA[ReLU] <-- B\n", 2, "backwards"),
        ("graph LR\nA[ReLU\n", 2, "not closed"),
        ("graph LR\nclick A callback\n", 2, "click"),
        ("graph LR\nsubgraph x\nA[ReLU]\n", 3, "not closed with 'end'"),
        ("graph LR\nend\n", 2, "without a subgraph"),
        ("graph LR\nA[ReLU] --> B[ReLU] --> A\n", 2, "loop"),
        ("graph LR\ni[TabularInput 4] --> m[Add]\nm --> o[Output]\n", 2, "takes 2 input"),
        ('graph LR\nA["Linear "x" 3"]\n', 2, "quote"),
    ],
)
def test_refusals_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ModelImportError) as info:
        from_mermaid(text)
    detail = info.value.details()
    assert f"line {line}" in detail and words in detail, detail


def test_unknown_labels_are_all_listed() -> None:
    text = "graph LR\nA[Conv9d] --> B[ReLU]\nB --> C[Squish]\n"
    with pytest.raises(ModelImportError) as info:
        from_mermaid(text)
    assert [p.where for p in info.value.problems] == ["line 2", "line 3"]


def test_shape_errors_come_back_as_problems() -> None:
    text = "graph LR\ni[TabularInput 4] --> c[Conv2d 8]\nc --> o[Output]\n"
    with pytest.raises(ModelImportError) as info:
        from_mermaid(text)
    assert "shape check" in info.value.summary and "image" in info.value.details()


@pytest.mark.skipif(not SEED.exists(), reason="the seed document is not in this checkout")
def test_seed_concept_map_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ModelImportError) as info:
        import_path(str(SEED))
    err = info.value
    assert "concept map" in err.summary
    assert [p.where for p in err.problems] == ["line 29", "line 30", "line 31", "line 32"]
    assert "神经网络" in err.problems[0].reason


def test_markdown_fence_is_read(tmp_path: Path) -> None:
    page = tmp_path / "notes.md"
    page.write_text("# Net\n\nText.\n\n```mermaid\ngraph LR\nA[TabularInput 3] --> B[Linear 2]\n"
                    "B --> C[Output]\n```\n")  # fmt: skip
    result = import_path(str(page))
    assert check(result.diagram).total_params == 8
