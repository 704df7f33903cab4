"""The compiler: an explicit fx graph, named after the diagram, deterministic and trainable."""

from __future__ import annotations

import io as stdio
import operator

import torch
from torch import nn

from netbuilder.core.builder import chain
from netbuilder.core.compile import compile_diagram, find_failing_node
from netbuilder.core.diagram import Diagram
from tests.core.reference_models import lenet5_diagram, resnet_diagram


def two_in_two_out() -> Diagram:
    d = Diagram()
    chain(d, ("SequenceInput", {"length": 6, "features": 3}, "seq"))
    chain(d, ("TabularInput", {"features": 5}, "tab"))
    chain(d, ("GRU", {"hidden_size": 4}, "gru"), after="seq")
    cat = d.add_node("Concatenate", node_id="cat")
    d.connect("gru", "out", cat, "in1")
    d.connect("tab", "out", cat, "in2")
    chain(d, ("Linear", {"out_features": 2}, "head"), ("Output", {}, "y"), after=cat)
    chain(d, ("Output", {}, "state"), after="gru", after_port="h")
    return d


def test_submodules_placeholders_and_node_ids() -> None:
    model = compile_diagram(two_in_two_out())
    assert [n for n, _ in model.named_children()] == ["gru", "head"]
    placeholders = [n.target for n in model.graph.nodes if n.op == "placeholder"]
    assert placeholders == ["seq", "tab"]
    for n in model.graph.nodes:
        if n.op in ("call_module", "call_function"):
            assert n.meta["node_id"] in {"gru", "cat", "head"}, n
    getitems = [n for n in model.graph.nodes if n.target is operator.getitem]
    assert {n.args[1] for n in getitems} == {0, 1}
    y, state = model(torch.randn(2, 6, 3), torch.randn(2, 5))
    assert y.shape == (2, 2) and state.shape == (2, 4)


def test_compilation_is_deterministic() -> None:
    d = resnet_diagram(widths=(8, 16), blocks=1, classes=3, size=16, stem_kernel=3)
    torch.manual_seed(3)
    a = compile_diagram(d)
    torch.manual_seed(3)
    b = compile_diagram(d)
    assert a.code == b.code
    assert list(a.state_dict()) == list(b.state_dict())
    for key, value in a.state_dict().items():
        assert torch.equal(value, b.state_dict()[key]), key


def test_state_dict_round_trip_and_training() -> None:
    d = lenet5_diagram()
    torch.manual_seed(0)
    model = compile_diagram(d)
    x, y = torch.randn(8, 1, 32, 32), torch.randint(0, 10, (8,))
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(15):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.5
    buffer = stdio.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    fresh = compile_diagram(d)
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    torch.testing.assert_close(fresh(x), model(x))


def test_find_failing_node_points_at_the_block() -> None:
    model = compile_diagram(lenet5_diagram())
    node, error = find_failing_node(model, torch.randn(2, 1, 36, 36))  # not what it was built for
    assert node == "c5"
    assert isinstance(error, RuntimeError)
    node, _ = find_failing_node(model, torch.randn(2, 1, 32, 32))
    assert node is None


def test_outputs_are_returned_in_diagram_order() -> None:
    """Output A comes first in the diagram but last in topological order."""
    d = Diagram()
    d.add_node("TabularInput", {"features": 3}, node_id="x")
    d.add_node("Output", {}, node_id="A")
    d.add_node("Output", {}, node_id="B")
    chain(
        d, ("Linear", {"out_features": 5}, "c1"), ("Linear", {"out_features": 7}, "c2"), after="x"
    )
    d.connect("c2", "out", "A", "in")
    d.connect("x", "out", "B", "in")
    a, b = compile_diagram(d)(torch.randn(2, 3))
    assert (a.shape, b.shape) == ((2, 7), (2, 3))


def test_concatenated_token_ids_stay_ids() -> None:
    """Two token inputs joined in time feed one Embedding sized for the larger vocabulary."""
    from netbuilder.core.shapes import check

    d = Diagram()
    chain(d, ("TokenInput", {"length": 4, "vocab_size": 50}, "a"))
    chain(d, ("TokenInput", {"length": 6, "vocab_size": 80}, "b"))
    cat = d.add_node("Concatenate", node_id="cat")
    d.connect("a", "out", cat, "in1")
    d.connect("b", "out", cat, "in2")
    chain(d, ("Embedding", {"embedding_dim": 8}, "emb"), "Output", after=cat)
    analysis = check(d)
    assert analysis.ok, [str(x) for x in analysis.errors]
    assert analysis.nodes["emb"].param_count == 80 * 8
    out = compile_diagram(d)(torch.randint(0, 50, (2, 4)), torch.randint(0, 80, (2, 6)))
    assert out.shape == (2, 10, 8)
    chain(d, ("TabularInput", {"features": 3}, "t"))
    cat2 = d.add_node("Concatenate", node_id="mixed")
    d.connect("t", "out", cat2, "in1")
    d.connect("b", "out", cat2, "in2")
    chain(d, "Output", after=cat2)
    (error,) = check(d).errors
    assert error.node_id == "mixed" and "token ids" in error.message
