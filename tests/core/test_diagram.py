"""The diagram model: every edit is a method that emits one event; bad edits are refused."""

from __future__ import annotations

import pytest

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram, DiagramError, Edge
from netbuilder.core.events import DiagramEvent


def recorded(d: Diagram) -> list[DiagramEvent]:
    events: list[DiagramEvent] = []
    d.changed.connect(events.append)
    return events


def test_each_edit_emits_one_event() -> None:
    d = Diagram()
    events = recorded(d)
    x = d.add_node("TabularInput", {"features": 4})
    fc = d.add_node("Linear")
    edge = d.connect(x, "out", fc, "in")
    d.set_param(fc, "out_features", 3)
    d.set_label(fc, "head")
    d.move(fc, (10, 20))
    d.set_training({"epochs": 2})
    d.disconnect(edge)
    d.remove_node(fc)
    kinds = [e.kind for e in events]
    assert kinds == [
        "node_added",
        "node_added",
        "edge_added",
        "node_changed",
        "node_changed",
        "node_moved",
        "training_changed",
        "edge_removed",
        "node_removed",
    ]
    assert events[3].name == "out_features" and events[2].edge == edge
    assert d.revision == len(events)


def test_remove_and_restore_keep_id_order_and_wires() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "r"), ("Output", {}, "o"))
    before = d.to_dict()
    node, edges = d.remove_node("r")
    assert "r" not in d.nodes and not d.edges
    d.restore_node(node, index=1)
    for e in edges:
        d.connect(e.source, e.source_port, e.target, e.target_port)
    assert d.to_dict() == before


def test_readable_unique_ids() -> None:
    d = Diagram()
    assert [d.add_node("Conv2d") for _ in range(3)] == ["conv1", "conv2", "conv3"]
    d.remove_node("conv2")
    assert d.add_node("Conv1d") == "conv2"
    assert d.add_node("MaxPool2d") == "maxpool2d1"


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d.add_node("NoSuchBlock"), "unknown block type"),
        (lambda d: d.add_node("ReLU", node_id="x"), "already exists"),
        (lambda d: d.add_node("ReLU", node_id="1bad id"), "must start with a letter"),
        (lambda d: d.connect("x", "out", "x", "in"), "itself"),
        (lambda d: d.connect("x", "nope", "r", "in"), "no output port"),
        (lambda d: d.connect("x", "out", "r", "in2"), "no input port"),
        (lambda d: d.connect("x", "out", "r", "in"), "already wired"),
        (lambda d: d.connect("ghost", "out", "r", "in"), "no node"),
        (lambda d: d.set_param("r", "slope", 1), "no parameter"),
        (lambda d: d.disconnect(Edge("r", "out", "x", "in")), "no such wire"),
        (lambda d: d.remove_node("ghost"), "no node"),
    ],
)
def test_bad_edits_raise_diagram_error(edit, words: str) -> None:  # type: ignore[no-untyped-def]
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "r"))
    events = recorded(d)
    before = d.to_dict()
    with pytest.raises(DiagramError, match=words):
        edit(d)
    assert d.to_dict() == before and not events, "a refused edit changes nothing"


def test_params_are_copied_not_shared() -> None:
    d = Diagram()
    shape = [2, -1]
    nid = d.add_node("Reshape", {"shape": shape})
    shape.append(5)
    assert d.nodes[nid].params["shape"] == [2, -1]
    data = d.to_dict()
    data["nodes"][0]["params"]["shape"].append(9)
    assert d.nodes[nid].params["shape"] == [2, -1]


def test_fragment_copy_and_replace() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "r"), ("Tanh", {}, "t"), ("Output", {}, "o"))
    frag = d.fragment(["r", "t"])
    assert [n["id"] for n in frag["nodes"]] == ["r", "t"]
    assert frag["edges"] == [Edge("r", "out", "t", "in").to_dict()]
    clone = d.copy()
    assert clone.to_dict() == d.to_dict() and clone is not d
    other = Diagram()
    events = recorded(other)
    other.replace_with(d)
    assert [e.kind for e in events] == ["reset"]
    assert other.to_dict() == d.to_dict()
    other.move("r", (5, 5))
    assert d.nodes["r"].position == (0.0, 0.0), "replace_with copies, it does not share"


def test_edits_on_a_node_of_unknown_type_are_refused_cleanly() -> None:
    from netbuilder.core.diagram import Node

    d = Diagram()
    chain(d, ("TabularInput", {}, "x"))
    d.nodes["alien"] = Node("alien", "Frobnicate")
    with pytest.raises(DiagramError, match="Frobnicate"):
        d.connect("x", "out", "alien", "in")
    with pytest.raises(DiagramError, match="Frobnicate"):
        d.set_param("alien", "strength", 3)
    d.remove_node("alien")


def test_a_file_with_the_same_wire_twice_is_refused() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "r"))
    data = d.to_dict()
    data["edges"].append(dict(data["edges"][0]))
    with pytest.raises(DiagramError, match="already wired"):
        Diagram.from_dict(data)
    assert Diagram.from_dict(d.to_dict()).edges == d.edges  # one of each is fine
