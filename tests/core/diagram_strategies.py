"""Hypothesis strategies that grow random *valid* diagrams over every block family.

A diagram is grown one block at a time: a block type is drawn, then parameters suited to
the tensor it will receive; the block's own shape rule decides whether the candidate is
kept. Whether the kept shapes are *right* is what the property tests then check against a
real forward pass, so using the rule as a filter does not make those tests circular.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from netbuilder.core.blocks import BLOCKS, IMPORT_ONLY_CATEGORIES
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.diagram import Diagram
from netbuilder.core.tensor import TensorSpec

Value = tuple[str, str, TensorSpec]  # (node id, output port, what flows out of it)

# PythonOp (import-only) runs code from an import and cannot be drawn from nothing
LAYER_TYPES = sorted(
    t
    for t, s in BLOCKS.items()
    if s.role == "layer" and s.merge is None and s.category not in IMPORT_ONLY_CATEGORIES
)
MERGE_TYPES = ("Add", "Multiply", "Concatenate")
_ANY_FLOAT = [
    "ReLU",
    "LeakyReLU",
    "GELU",
    "SiLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LayerNorm",
    "Dropout",
    "Linear",
    "Flatten",
    "Reshape",
    "Permute",
    "Transpose",
]
# Blocks that suit a tensor of a given rank, so that every family is reached often.
_SUITED: dict[tuple[str, int], list[str]] = {
    ("float", 1): ["Linear", "BatchNorm1d", "Reshape", "Softmax", "Dropout", "LayerNorm"],
    ("float", 2): [
        "Conv1d",
        "MaxPool1d",
        "AvgPool1d",
        "BatchNorm1d",
        "RNN",
        "LSTM",
        "GRU",
        "PositionalEncoding",
        "SelfAttention",
        "TransformerEncoderLayer",
        "TransformerEncoder",
        "SequencePool",
        "GlobalAvgPool",
    ],
    ("float", 3): [
        "Conv2d",
        "ConvTranspose2d",
        "MaxPool2d",
        "AvgPool2d",
        "AdaptiveAvgPool2d",
        "GlobalAvgPool",
        "BatchNorm2d",
    ],
}


def _suited(x: TensorSpec) -> list[str]:
    if x.dtype == "long":
        return ["Embedding", "Embedding", "Embedding", "Reshape", "Permute", "Transpose", "Flatten"]
    return _SUITED.get(("float", x.rank), []) or _ANY_FLOAT


# Small values keep each forward pass cheap; several per parameter keep the rules honest.
_CHOICES: dict[str, list[Any]] = {
    "out_channels": [1, 2, 4, 6],
    "kernel_size": [1, 2, 3],
    "stride": [1, 2, 3],
    "dilation": [1, 2],
    "groups": [1, 2],
    "output_padding": [0, 1],
    "hidden_size": [2, 3, 4],
    "num_layers": [1, 2],
    "embedding_dim": [4, 6, 8],
    "num_heads": [1, 2],
    "nhead": [1, 2],
    "dim_feedforward": [4, 8],
    "out_features": [1, 3, 5],
    "output_size": [1, 2, 3],
    "dim": [-1, 1, 2, 3],
    "start_dim": [1, 2, -1, -2],
    "end_dim": [-1, 2, 3],
    "dim0": [1, 2, 3, -1],
    "dim1": [1, 2, 3, -1],
    "p": [0.0, 0.3],
    "dropout": [0.0, 0.2],
}


def _draw_param(data: st.DataObject, block: str, name: str, x: TensorSpec | None) -> Any:
    spec = BLOCKS[block].param_map[name]
    if name == "padding":
        options: list[Any] = [0, 1, 2] if spec.kind == "int" else [0, 1, "same", "valid"]
        return data.draw(st.sampled_from(options))
    if name == "stride" and spec.optional:  # pooling: empty means "the window size"
        return data.draw(st.sampled_from([None, 1, 2]))
    if name == "max_len":
        return data.draw(st.sampled_from([None, 12]))
    if name == "num_embeddings":
        return data.draw(st.sampled_from([None, 40]))
    if name == "dims" and x is not None:
        order = data.draw(st.permutations(list(range(1, x.rank + 1))))
        return [0, *order]
    if name == "shape" and x is not None:
        n = x.numel
        divisors = [d for d in range(1, n + 1) if n % d == 0]
        a = data.draw(st.sampled_from(divisors))
        return data.draw(st.sampled_from([[-1], [a, -1], [-1, a], [n // a, a], [a, 1, -1]]))
    if spec.optional:  # sizes inferred from the wire; sometimes given explicitly (and right)
        return None
    if name in _CHOICES:
        return data.draw(st.sampled_from(_CHOICES[name]))
    if spec.kind == "bool":
        return data.draw(st.booleans())
    if spec.kind == "choice":
        return data.draw(st.sampled_from(list(spec.choices)))
    return spec.default


def _explicit_sizes(block: str, params: dict[str, Any], x: TensorSpec) -> None:
    """Fill an inferable size with its right value now and then (the "checked" path)."""
    inferred = {
        "in_channels": lambda: x.shape[0],
        "in_features": lambda: x.shape[-1],
        "input_size": lambda: x.shape[-1],
        "num_features": lambda: x.shape[0],
        "normalized_shape": lambda: x.shape[-1],
        "embed_dim": lambda: x.shape[-1],
        "d_model": lambda: x.shape[-1],
    }
    for name in params:
        if name in inferred and x.rank:
            params[name] = inferred[name]()


def _fits(block: str, params: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec] | None:
    spec = BLOCKS[block]
    full, problems = spec.validate_params(params)
    if problems:
        return None
    try:
        return spec.infer(full, ins)
    except ShapeError:
        return None


def _add_layer(data: st.DataObject, d: Diagram, values: list[Value]) -> None:
    src, port, x = data.draw(st.sampled_from(values))
    for _attempt in range(12):
        pool = _suited(x) if data.draw(st.integers(0, 3)) else LAYER_TYPES
        block = data.draw(st.sampled_from(pool))
        params = {name: _draw_param(data, block, name, x) for name in BLOCKS[block].param_map}
        if data.draw(st.integers(0, 3)) == 0:
            _explicit_sizes(block, params, x)
        outs = _fits(block, params, [x])
        if outs is None or any(o.numel > 4096 or o.numel == 0 for o in outs):
            continue
        nid = d.add_node(block, params)
        d.connect(src, port, nid, "in")
        ports = BLOCKS[block].output_ports(BLOCKS[block].validate_params(params)[0])
        values.extend((nid, p, o) for p, o in zip(ports, outs, strict=True))
        return


def _add_merge(data: st.DataObject, d: Diagram, values: list[Value]) -> None:
    block = data.draw(st.sampled_from(MERGE_TYPES))
    kind = "float" if block != "Concatenate" else data.draw(st.sampled_from(["float", "long"]))
    floats = [v for v in values if v[2].dtype == kind]  # Concatenate also joins token ids
    if not floats:
        return
    first = data.draw(st.sampled_from(floats))
    params: dict[str, Any] = {"num_inputs": data.draw(st.sampled_from([2, 2, 3]))}
    if block == "Concatenate":
        params["dim"] = data.draw(st.integers(-first[2].rank, first[2].rank).filter(bool))
    partners = [v for v in floats if _fits(block, params, [first[2], v[2]]) is not None]
    if not partners:  # make a branch of the same shape: the residual pattern
        if kind == "float":
            act = d.add_node(data.draw(st.sampled_from(["ReLU", "Tanh", "SiLU"])))
        else:  # token ids: a Reshape to the same shape keeps them ids
            act = d.add_node("Reshape", {"shape": list(first[2].shape)})
        d.connect(first[0], first[1], act, "in")
        partners = [(act, "out", first[2])]
    chosen = [first] + [
        data.draw(st.sampled_from(partners)) for _ in range(params["num_inputs"] - 1)
    ]
    outs = _fits(block, params, [c[2] for c in chosen])
    if outs is None or outs[0].numel > 4096:
        return
    nid = d.add_node(block, params)
    for i, (src, port, _x) in enumerate(chosen, start=1):
        d.connect(src, port, nid, f"in{i}")
    values.append((nid, "out", outs[0]))


def _add_input(data: st.DataObject, d: Diagram, values: list[Value]) -> None:
    kind = data.draw(st.sampled_from(["ImageInput", "SequenceInput", "TokenInput", "TabularInput"]))
    small = st.integers(2, 9)
    params = {
        "ImageInput": lambda: {
            "channels": data.draw(st.integers(1, 4)),
            "height": data.draw(small),
            "width": data.draw(small),
        },
        "SequenceInput": lambda: {
            "length": data.draw(st.integers(1, 7)),
            "features": data.draw(st.sampled_from([2, 4, 6])),
        },
        "TokenInput": lambda: {
            "length": data.draw(st.integers(1, 7)),
            "vocab_size": data.draw(st.integers(2, 30)),
        },
        "TabularInput": lambda: {"features": data.draw(st.integers(1, 8))},
    }[kind]()
    nid = d.add_node(kind, params)
    values.append((nid, "out", BLOCKS[kind].infer(BLOCKS[kind].validate_params(params)[0], [])[0]))


def grow_diagram(data: st.DataObject, max_blocks: int = 8) -> Diagram:
    """A valid diagram: 1-2 inputs, up to ``max_blocks`` layers and merges, 1+ outputs.

    Every value nobody consumes is wired into an Output (so every port is compiled and can
    be compared); recurrent state ports are sometimes consumed, sometimes output.
    """
    d = Diagram()
    values: list[Value] = []
    for _ in range(data.draw(st.integers(1, 2))):
        _add_input(data, d, values)
    for _ in range(data.draw(st.integers(1, max_blocks))):
        if data.draw(st.integers(0, 4)) == 0:
            _add_merge(data, d, values)
        else:
            _add_layer(data, d, values)
    used = {(e.source, e.source_port) for e in d.edges}
    for nid, port, _x in values:
        if (nid, port) not in used:
            out = d.add_node("Output")
            d.connect(nid, port, out, "in")
    return d


def all_port_values(d: Diagram) -> list[tuple[str, str]]:
    """Every (node, output port) of the diagram that some wire reads."""
    return sorted({(e.source, e.source_port) for e in d.edges})
