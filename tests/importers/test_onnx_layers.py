"""ONNX recurrent, attention and Transformer layers import back as their blocks.

torch's exporter writes an LSTM as an ``LSTM`` node in ONNX gate order (i, o, f, c) framed
by Transpose/Shape/Expand/Slice/Reshape nodes, and attention as MatMul/Reshape/Softmax
subgraphs; each case here exports a diagram, imports the file and checks that the same
blocks come back with the weights in torch order (the import itself already compares the
outputs with onnxruntime within 1e-5; the test compares them with the original model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import check
from netbuilder.export import export_model
from netbuilder.export.verify import model_inputs
from netbuilder.importers import ModelImportError, UnmappedError, import_path

pytest.importorskip("onnxruntime")


def _chain(first: tuple[str, dict], *blocks: tuple[str, dict], outputs: int = 1) -> Diagram:
    d = Diagram()
    prev = d.add_node(*first)
    for block, params in blocks:
        nid = d.add_node(block, params)
        d.connect(prev, "out", nid, "in")
        prev = nid
    out = d.add_node("Output")
    d.connect(prev, "out", out, "in")
    return d


def _randomise(model: torch.nn.Module, seed: int) -> None:
    """Distinct values per gate and per bias, so a gate mix-up cannot go unnoticed."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)


def _roundtrip(diagram: Diagram, tmp_path: Path, seed: int = 0, fresh: bool = False) -> Any:
    torch.manual_seed(seed)
    model = compile_diagram(diagram)
    if not fresh:
        _randomise(model, seed)
    out = tmp_path / "model.onnx"
    export_model(diagram, model, "onnx", out)
    result = import_path(str(out))
    types = sorted(n.type for n in diagram.nodes.values())
    assert sorted(n.type for n in result.diagram.nodes.values()) == types
    assert result.parameter_count == check(diagram).total_params
    rebuilt = compile_diagram(result.diagram)
    rebuilt.load_state_dict(result.state_dict)
    xs = model_inputs(diagram).example(4, seed=3)
    model.eval()
    rebuilt.eval()
    with torch.no_grad():
        mine, theirs = rebuilt(*xs), model(*xs)
    mine = mine if isinstance(mine, tuple) else (mine,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for a, b in zip(mine, theirs, strict=True):
        assert torch.allclose(a, b, atol=1e-5, rtol=0)
    return result


SEQ = ("SequenceInput", {"length": 7, "features": 5})


@pytest.mark.parametrize(
    ("block", "params"),
    [
        ("LSTM", {"hidden_size": 6, "output": "sequence"}),
        ("LSTM", {"hidden_size": 6, "num_layers": 2, "output": "last"}),
        ("LSTM", {"hidden_size": 4, "bidirectional": True, "output": "sequence"}),
        ("GRU", {"hidden_size": 6, "output": "last"}),
        ("GRU", {"hidden_size": 5, "num_layers": 2, "bidirectional": True, "output": "sequence"}),
    ],
)
def test_recurrent_blocks_roundtrip(block: str, params: dict, tmp_path: Path) -> None:
    diagram = _chain(SEQ, (block, params), ("Linear", {"out_features": 3}))
    result = _roundtrip(diagram, tmp_path)
    node = next(n for n in result.diagram.nodes.values() if n.type == block)
    for key, value in params.items():
        assert node.params[key] == value


def test_lstm_final_state_port_roundtrip(tmp_path: Path) -> None:
    """The block's h output (the top layer's final state) is read from the LSTM node's Y_h."""
    d = Diagram()
    x = d.add_node(*SEQ)
    lstm = d.add_node("LSTM", {"hidden_size": 6, "num_layers": 2, "output": "sequence"})
    pool = d.add_node("SequencePool", {"mode": "last"})
    add = d.add_node("Add", {"num_inputs": 2})
    out = d.add_node("Output")
    d.connect(x, "out", lstm, "in")
    d.connect(lstm, "out", pool, "in")
    d.connect(pool, "out", add, "in1")
    d.connect(lstm, "h", add, "in2")
    d.connect(add, "out", out, "in")
    _roundtrip(d, tmp_path)


def test_gate_order_is_converted(tmp_path: Path) -> None:
    """The file's W is in ONNX order (i, o, f, c); the block gets torch's (i, f, g, o)."""
    import onnx
    from onnx import numpy_helper

    diagram = _chain(SEQ, ("LSTM", {"hidden_size": 3, "output": "sequence"}))
    torch.manual_seed(0)
    model = compile_diagram(diagram)
    _randomise(model, 1)
    out = tmp_path / "lstm.onnx"
    export_model(diagram, model, "onnx", out)
    proto = onnx.load(out)
    lstm = next(n for n in proto.graph.node if n.op_type == "LSTM")
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    w = inits[lstm.input[1]][0]  # 4H × F, gates i, o, f, c
    ours = next(iter(model.children())).weight_ih_l0.detach().numpy()  # i, f, g, o
    h = 3
    assert np.allclose(w[h : 2 * h], ours[3 * h :])  # o
    assert np.allclose(w[2 * h : 3 * h], ours[h : 2 * h])  # f
    result = import_path(str(out))
    key = next(k for k in result.state_dict if k.endswith("weight_ih_l0"))
    assert torch.equal(result.state_dict[key], torch.from_numpy(ours))


@pytest.mark.parametrize("causal", [False, True])
def test_self_attention_roundtrip(causal: bool, tmp_path: Path) -> None:
    diagram = _chain(
        SEQ,
        ("Linear", {"out_features": 8}),
        ("SelfAttention", {"num_heads": 2, "causal": causal}),
        ("SequencePool", {"mode": "mean"}),
    )
    result = _roundtrip(diagram, tmp_path)
    node = next(n for n in result.diagram.nodes.values() if n.type == "SelfAttention")
    assert node.params["num_heads"] == 2 and node.params["causal"] is causal


def test_fresh_attention_with_zero_biases_roundtrip(tmp_path: Path) -> None:
    """The exporter's optimiser drops an all-zero bias input (a fresh attention's output
    projection, bias-free convolutions): the block still has its bias, as zeros."""
    diagram = _chain(
        ("ImageInput", {"channels": 3, "height": 8, "width": 8}),
        ("Conv2d", {"out_channels": 4, "kernel_size": 3, "bias": False}),
        ("BatchNorm2d", {}),
        ("Reshape", {"shape": [9, 16]}),
        ("SelfAttention", {"num_heads": 4}),
        ("SequencePool", {"mode": "mean"}),
    )
    _roundtrip(diagram, tmp_path, fresh=True)


@pytest.mark.parametrize(
    "params",
    [
        {"nhead": 2, "dim_feedforward": 16},
        {"nhead": 4, "dim_feedforward": 12, "activation": "gelu", "norm_first": True},
    ],
)
def test_transformer_layer_roundtrip(params: dict, tmp_path: Path) -> None:
    diagram = _chain(
        SEQ,
        ("Linear", {"out_features": 8}),
        ("TransformerEncoderLayer", params),
        ("SequencePool", {"mode": "last"}),
    )
    result = _roundtrip(diagram, tmp_path)
    node = next(n for n in result.diagram.nodes.values() if n.type == "TransformerEncoderLayer")
    for key, value in params.items():
        assert node.params[key] == value


def test_transformer_stack_and_positions_roundtrip(tmp_path: Path) -> None:
    diagram = _chain(
        ("TokenInput", {"length": 6, "vocab_size": 20}),
        ("Embedding", {"embedding_dim": 8}),
        ("PositionalEncoding", {"kind": "learned"}),
        ("TransformerEncoder", {"nhead": 2, "num_layers": 3, "dim_feedforward": 16}),
        ("SequencePool", {"mode": "first"}),
    )
    result = _roundtrip(diagram, tmp_path)
    node = next(n for n in result.diagram.nodes.values() if n.type == "TransformerEncoder")
    assert node.params["num_layers"] == 3


def _lstm_file(tmp_path: Path, **attrs: Any) -> Path:
    """A hand-made ONNX LSTM (no exporter metadata), to check what is refused and why."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    h, f = 3, 2
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((1, 4 * h, f)).astype(np.float32), "W")
    r = numpy_helper.from_array(rng.standard_normal((1, 4 * h, h)).astype(np.float32), "R")
    swap = helper.make_node("Transpose", ["x"], ["xt"], perm=[1, 0, 2])
    node = helper.make_node("LSTM", ["xt", "W", "R"], ["y"], hidden_size=h, **attrs)
    sin = helper.make_node("Sin", ["y"], ["z"], name="wobble")
    graph = helper.make_graph(
        [swap, node, sin],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 5, f])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, [5, 1, "batch", h])],
        [w, r],
    )
    path = tmp_path / "hand.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def test_unmapped_nodes_are_reported_each_with_its_reason(tmp_path: Path) -> None:
    """An LSTM torch cannot run (clip) is refused with that reason, named by its layer;
    an operator without a block is listed too; nothing else is (no follow-on noise)."""
    with pytest.raises(UnmappedError) as info:
        import_path(str(_lstm_file(tmp_path, clip=1.0)))
    text = info.value.details()
    assert "LSTM layer" in text and "clip" in text
    assert "Sin node 'wobble': the Sin operator has no NetBuilder block" in text
    assert len(info.value.problems) == 2


def test_a_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07garbage")
    with pytest.raises(ModelImportError) as info:
        import_path(str(path))
    assert "bad.onnx" in str(info.value)


class _Tagger(torch.nn.Module):
    def __init__(self, cell: type[torch.nn.Module], **kwargs: Any) -> None:
        super().__init__()
        self.rnn = cell(5, 6, batch_first=True, **kwargs)
        self.head = torch.nn.Linear(6 * (2 if kwargs.get("bidirectional") else 1), 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.rnn(x)
        return self.head(y[:, -1])


@pytest.mark.parametrize(
    ("cell", "kwargs"),
    [(torch.nn.LSTM, {"num_layers": 2, "bidirectional": True}), (torch.nn.GRU, {})],
)
def test_files_without_scope_notes_map_cells_by_their_pattern(
    cell: type[torch.nn.Module], kwargs: dict, tmp_path: Path
) -> None:
    """torch's legacy exporter notes no module scopes: the LSTM/GRU node is found with its
    Transpose, ConstantOfShape zero states and Squeeze/Transpose(/Reshape) by structure."""
    import warnings

    model = _Tagger(cell, **kwargs).eval()
    _randomise(model, 2)
    path = tmp_path / "legacy.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.randn(2, 7, 5),),
            str(path),
            dynamo=False,
            input_names=["x"],
            dynamic_axes={"x": {0: "batch"}},
        )
    result = import_path(str(path))
    types = [n.type for n in result.diagram.nodes.values()]
    assert types.count(cell.__name__) == 1 and "SequencePool" in types
    assert result.parameter_count == sum(p.numel() for p in model.parameters())
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5


@pytest.mark.timeout(900)
def test_mutated_recurrent_and_attention_files_end_cleanly(tmp_path: Path) -> None:
    """Damaged LSTM/attention files (gate attributes, weight shapes, scope notes, wiring):
    a diagram or one ModelImportError, never another exception."""
    import random

    import onnx

    bases = []
    for diagram in (
        _chain(SEQ, ("LSTM", {"hidden_size": 4, "num_layers": 2, "output": "last"})),
        _chain(
            SEQ,
            ("Linear", {"out_features": 8}),
            ("TransformerEncoderLayer", {"nhead": 2, "dim_feedforward": 8}),
            ("SequencePool", {"mode": "mean"}),
        ),
    ):
        torch.manual_seed(0)
        path = tmp_path / "base.onnx"
        export_model(diagram, compile_diagram(diagram), "onnx", path)
        bases.append(onnx.load(path))
    rng = random.Random(14)
    outcomes = {"refused": 0, "imported": 0}
    for case in range(40):
        model = onnx.ModelProto()
        model.CopyFrom(bases[case % 2])
        nodes = list(model.graph.node)
        targets = [n for n in nodes if n.op_type in ("LSTM", "MatMul", "Softmax", "Gemm")]
        node = rng.choice(targets or nodes)
        choice = rng.random()
        if choice < 0.3 and node.attribute:
            attr = rng.choice(node.attribute)
            if attr.type == onnx.AttributeProto.INT:
                attr.i = rng.choice([0, 1, 3, -1])
            elif attr.type == onnx.AttributeProto.STRING:
                attr.s = rng.choice([b"reverse", b"bidirectional", b""])
        elif choice < 0.5 and node.metadata_props:
            prop = rng.choice(node.metadata_props)
            prop.value = rng.choice(["[]", "['', 'x']", "[", "['', 'lstm1', 'lstm1.9', 'q']"])
        elif choice < 0.7:
            init = rng.choice(model.graph.initializer)
            if init.dims:
                init.dims[0] = rng.choice([1, 2, 5])
        elif choice < 0.85 and node.input:
            node.input[rng.randrange(len(node.input))] = rng.choice(["", "nope", "sequence1"])
        else:
            model.graph.node.remove(node)
        path = tmp_path / f"case{case}.onnx"
        path.write_bytes(model.SerializeToString())
        try:
            import_path(str(path))
            outcomes["imported"] += 1
        except ModelImportError:
            outcomes["refused"] += 1
    assert outcomes["refused"] >= 10, outcomes
