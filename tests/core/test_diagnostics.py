"""Every problem is a Diagnostic on the node (and port) that causes it; nothing raises."""

from __future__ import annotations

from typing import Any

import pytest

from netbuilder.core.builder import chain
from netbuilder.core.compile import CompileError, compile_diagram
from netbuilder.core.diagnostics import Severity
from netbuilder.core.diagram import Diagram, Edge, Node
from netbuilder.core.shapes import Analysis, ShapeChecker, check


def seed_cnn(in_features: int) -> Diagram:
    """The seed document's CNNModel, on 3×224×224 images."""
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 3, "height": 224, "width": 224}, "x"),
        ("Conv2d", {"out_channels": 64, "kernel_size": 3, "padding": 1}, "conv1"),
        ("ReLU", {}, "relu1"),
        ("Conv2d", {"out_channels": 128, "kernel_size": 3, "padding": 1}, "conv2"),
        ("ReLU", {}, "relu2"),
        ("AdaptiveAvgPool2d", {"output_size": 1}, "pool"),
        ("Flatten", {}, "flatten"),
        ("Linear", {"in_features": in_features, "out_features": 1024}, "fc1"),
        ("ReLU", {}, "relu3"),
        ("Linear", {"in_features": 1024, "out_features": 10}, "fc2"),
        ("Output", {}, "out"),
    )
    return d


def errors_by_node(analysis: Analysis) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for diag in analysis.errors:
        out.setdefault(diag.node_id, []).append(f"{diag.message} | {diag.hint}")
    return out


def test_seed_cnn_bug_is_flagged_at_the_first_linear() -> None:
    analysis = check(seed_cnn(128 * 56 * 56))
    errors = errors_by_node(analysis)
    assert list(errors) == ["fc1"], errors
    (diag,) = analysis.errors
    assert "401408" in diag.message and "128" in diag.message
    assert diag.hint, "a learner needs a hint on how to fix it"
    assert "128" in diag.hint
    # Everything upstream still has its shape, so the canvas can show where it went wrong.
    assert analysis.nodes["flatten"].outputs["out"].shape == (128,)
    with pytest.raises(CompileError) as info:
        compile_diagram(seed_cnn(128 * 56 * 56))
    assert info.value.diagnostics[0].node_id == "fc1"


@pytest.mark.parametrize("in_features", [128, None])
def test_fixing_in_features_clears_the_seed_bug(in_features: int | None) -> None:
    d = seed_cnn(128 * 56 * 56)
    d.set_param("fc1", "in_features", in_features)
    analysis = check(d)
    assert analysis.ok, [str(x) for x in analysis.diagnostics]
    assert analysis.nodes["fc2"].outputs["out"].shape == (10,)
    assert analysis.total_params == 1792 + 73856 + 128 * 1024 + 1024 + 10250


def test_flatten_hint_when_linear_gets_a_feature_map() -> None:
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 3, "height": 8, "width": 8}),
        ("Linear", {"in_features": 192, "out_features": 4}, "fc"),
        "Output",
    )
    (diag,) = check(d).errors
    assert diag.node_id == "fc" and "Flatten" in diag.hint and "192" in diag.hint


def test_cycle_is_reported_on_every_node_of_the_loop() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "a"), ("Tanh", {}, "b"), ("Output", {}, "o"))
    d.connect("b", "out", "a", "in")  # a second wire into a, making a loop a → b → a
    analysis = check(d)
    nodes = errors_by_node(analysis)
    assert any("loop" in m for m in nodes["a"]) and any("loop" in m for m in nodes["b"])
    assert "x" not in nodes and "o" not in nodes
    assert not any(d.node_id == "x" for d in analysis.diagnostics), "x does reach the output"


def test_unconnected_input_port_is_keyed_by_port() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("ReLU", {}, "r"))
    add = d.add_node("Add", node_id="add")
    d.connect("r", "out", add, "in1")
    chain(d, "Output", after=add)
    (diag,) = check(d).errors
    assert (diag.node_id, diag.port) == ("add", "in2")
    assert "not connected" in diag.message


def test_two_wires_into_one_input() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("ReLU", {}, "a"))
    chain(d, ("Tanh", {}, "b"), after="x")
    chain(d, ("Linear", {"out_features": 2}, "fc"), "Output", after="a")
    d.connect("b", "out", "fc", "in")
    errors = check(d).errors
    assert [(e.node_id, e.port) for e in errors] == [("fc", "in")]
    assert "2 wires" in errors[0].message


@pytest.mark.parametrize(
    ("block", "name", "value", "words"),
    [
        ("Conv2d", "kernel_size", 0, "at least 1"),
        ("Conv2d", "kernel_size", "three", "whole number"),
        ("Conv2d", "padding", "sometimes", "whole number"),
        ("Conv2d", "bias", "yes", "true or false"),
        ("Dropout", "p", 1.5, "at most"),
        ("Dropout", "p", float("nan"), "finite"),
        ("Linear", "out_features", 10**40, "at most"),
        ("Linear", "out_features", None, "needs a value"),
        ("LSTM", "output", "everything", "one of"),
        ("Reshape", "shape", [], "non-empty"),
        ("Reshape", "shape", [2, "x"], "whole number"),
        ("Add", "num_inputs", 1000, "at most"),
        ("Add", "num_inputs", "two", "whole number"),
    ],
)
def test_invalid_parameter_values_are_diagnostics(
    block: str, name: str, value: Any, words: str
) -> None:
    d = Diagram()
    if block == "Add":
        chain(d, ("TabularInput", {"features": 4}, "x"))
        nid = d.add_node("Add", node_id="n")
        d.connect("x", "out", nid, "in1")
        d.connect("x", "out", nid, "in2")
        chain(d, "Output", after=nid)
    else:
        first = {"LSTM": "SequenceInput", "Conv2d": "ImageInput"}.get(block, "TabularInput")
        chain(d, (first, {}, "x"), (block, {}, "n"), "Output")
    d.set_param("n", name, value)
    analysis = check(d)
    mine = [x for x in analysis.errors if x.node_id == "n"]
    assert mine, [str(x) for x in analysis.diagnostics]
    assert mine[0].port == name
    assert words in mine[0].message


def test_unknown_block_type_inserted_directly() -> None:
    """A node of a type outside BLOCKS (e.g. from a plugin that is gone) is a diagnostic."""
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("ReLU", {}, "r"))
    d.nodes["alien"] = Node("alien", "Frobnicate", {"strength": 11})
    d.edges.append(Edge("r", "out", "alien", "in"))
    out = d.add_node("Output", node_id="o")
    d.edges.append(Edge("alien", "out", out, "in"))
    analysis = check(d)
    errors = errors_by_node(analysis)
    assert list(errors) == ["alien"]
    assert "Frobnicate" in errors["alien"][0]
    assert analysis.nodes["r"].outputs["out"].shape == (4,)
    with pytest.raises(CompileError):
        compile_diagram(d)


def test_empty_and_outputless_diagrams() -> None:
    assert check(Diagram()).ok
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "r"))
    analysis = check(d)
    assert [x.node_id for x in analysis.errors] == [None]
    assert "Output" in analysis.errors[0].message


def test_dead_end_is_a_warning_not_an_error() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {}, "x"), ("ReLU", {}, "r"), "Output")
    chain(d, ("Tanh", {}, "dangling"), after="x")
    analysis = check(d)
    assert analysis.ok
    (warning,) = analysis.diagnostics
    assert (warning.node_id, warning.severity) == ("dangling", Severity.WARNING)


def test_shape_errors_name_the_node_and_both_numbers() -> None:
    d = Diagram()
    chain(d, ("ImageInput", {"channels": 3, "height": 16, "width": 16}, "x"))
    chain(d, ("Conv2d", {"out_channels": 8, "in_channels": 4}, "c"), "Output", after="x")
    (diag,) = check(d).errors
    assert diag.node_id == "c" and "4" in diag.message and "3" in diag.message


def test_wire_into_a_port_that_no_longer_exists() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"))
    add = d.add_node("Add", {"num_inputs": 3}, node_id="add")
    for port in ("in1", "in2", "in3"):
        d.connect("x", "out", add, port)
    chain(d, "Output", after=add)
    assert check(d).ok
    d.set_param("add", "num_inputs", 2)
    (diag,) = check(d).errors
    assert (diag.node_id, diag.port) == ("add", "in3")


def test_recheck_after_edit_uses_fresh_results() -> None:
    """The per-node cache never returns a stale shape after a parameter edit."""
    checker = ShapeChecker()
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("Linear", {"out_features": 3}, "a"))
    chain(d, ("Linear", {"out_features": 2}, "b"), "Output", after="a")
    assert checker.check(d).nodes["b"].inputs["in"].shape == (3,)  # type: ignore[union-attr]
    d.set_param("a", "out_features", 7)
    analysis = checker.check(d)
    assert analysis.nodes["b"].inputs["in"].shape == (7,)  # type: ignore[union-attr]
    assert analysis.nodes["b"].param_count == 7 * 2 + 2


def test_cache_keeps_true_and_one_apart() -> None:
    """True == 1 in Python; as parameter values one is valid and the other is not."""
    checker = ShapeChecker()
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("Linear", {"bias": True}, "fc"), "Output")
    assert checker.check(d).ok
    d.set_param("fc", "bias", 1)
    assert [x.node_id for x in checker.check(d).errors] == ["fc"]
    d.set_param("fc", "bias", True)
    assert checker.check(d).ok
    d.set_param("fc", "bias", {1, 2})  # unhashable, set through the Python API
    assert [x.port for x in checker.check(d).errors] == ["bias"]


def test_self_loop_and_dangling_wire_inserted_directly() -> None:
    """Wires that Diagram.connect refuses can still be put in by code; none may raise."""
    d = Diagram()
    chain(d, ("TabularInput", {"features": 4}, "x"), ("ReLU", {}, "r"), ("Output", {}, "o"))
    d.edges.append(Edge("r", "out", "r", "in"))
    d.edges.append(Edge("ghost", "out", "o", "in"))
    analysis = check(d)
    assert any(x.node_id == "r" and "loop" in x.message for x in analysis.errors)
    assert "x" in analysis.nodes
