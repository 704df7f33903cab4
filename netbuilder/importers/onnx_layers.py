"""Rebuild recurrent, attention, Transformer and positional layers from an ONNX file.

torch's ONNX exporter writes such a layer as many small operators: an ``LSTM`` node framed
by Transpose/Shape/Slice/Expand/Reshape nodes that build zero initial states and turn the
time-major result back into batch-first; a ``MultiheadAttention`` as MatMul, Reshape,
Transpose and Softmax nodes. It also notes on every node the module it ran in
(``pkg.torch.onnx.name_scopes`` / ``class_hierarchy``). The nodes of one such layer are
gathered into a group (as ``aten_modules`` does for ``.pt2`` programs); the layer is
rebuilt from the group's weight-holding nodes (the LSTM node's W/R/B with the gate order
converted, the attention's projections, the norms) and mapped to a block by the same rules
as a traced module (``torch_map.map_module``). The import's final output comparison checks
each rebuild against onnxruntime.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from netbuilder.core import layers
from netbuilder.importers.onnx_groups import (
    ATTENTION,
    ENCODER,
    ENCODER_LAYER,
    RECURRENT,
    Group,
    inner_scope,
)
from netbuilder.importers.torch_map import Unmapped

# ONNX gate order → torch gate order (rows of W, R and each half of B)
GATES = {"LSTM": (4, [0, 2, 3, 1]), "GRU": (3, [1, 0, 2]), "RNN": (1, [0])}
DEFAULT_ACTIVATIONS = {"LSTM": ["sigmoid", "tanh", "tanh"], "GRU": ["sigmoid", "tanh"]}


class GroupReader:
    """What the rebuilders need from the file: constants, producers, attributes, shapes."""

    def __init__(self, group: Group, consts: dict[str, np.ndarray], probe: dict[str, list]):
        from onnx import helper

        self.group = group
        self.consts = consts
        self.probe = probe
        self.producer = {o: n for n in group.nodes for o in n.output if o}
        self.consumers: dict[str, list[Any]] = {}
        for n in group.nodes:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)
        self._attr = helper.get_attribute_value

    def attrs(self, node: Any) -> dict[str, Any]:
        out = {a.name: self._attr(a) for a in node.attribute}
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in out.items()}

    def const(self, name: str, what: str) -> np.ndarray:
        if name not in self.consts:
            raise Unmapped(f"the {what} is computed at run time, not stored in the file")
        return self.consts[name]

    def in_scope(self, path: str) -> list[Any]:
        return [n for n in self.group.nodes if inner_scope(n) == path]

    def under(self, path: str) -> list[Any]:
        return [
            n
            for n in self.group.nodes
            if inner_scope(n) == path or inner_scope(n).startswith(path + ".")
        ]

    def linears(self, path: str) -> list[dict[str, np.ndarray]]:
        """The Linear layers (MatMul [+ Add] or Gemm with stored weights) run in ``path``."""
        found = []
        for n in self.in_scope(path):
            if n.op_type == "Gemm" and len(n.input) > 1 and n.input[1] in self.consts:
                a = self.attrs(n)
                if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
                    raise Unmapped("Gemm with transA, alpha or beta inside a layer")
                w = self.consts[n.input[1]]
                w = w if a.get("transB", 0) else w.T
                entry = {"weight": w}
                if len(n.input) > 2 and n.input[2]:
                    entry["bias"] = self.const(n.input[2], "bias")
                found.append(entry)
            elif n.op_type == "MatMul" and n.input[1] in self.consts:
                entry = {"weight": self.consts[n.input[1]].T}
                for user in self.consumers.get(n.output[0], []):
                    other = [i for i in user.input if i != n.output[0]]
                    if user.op_type == "Add" and other and other[0] in self.consts:
                        entry["bias"] = self.consts[other[0]].reshape(-1)
                found.append(entry)
        return found

    def norm(self, path: str) -> tuple[dict[str, np.ndarray], float]:
        nodes = [n for n in self.in_scope(path) if n.op_type == "LayerNormalization"]
        if len(nodes) != 1:
            raise Unmapped(f"{path} holds {len(nodes)} LayerNormalization nodes, not one")
        n = nodes[0]
        scale = self.const(n.input[1], "scale")
        bias = self.const(n.input[2], "bias") if len(n.input) > 2 and n.input[2] else None
        weights = {"weight": scale, "bias": bias if bias is not None else np.zeros_like(scale)}
        return weights, float32_value(self.attrs(n).get("epsilon", 1e-5))

    def zeros(self, name: str, depth: int = 0) -> bool:
        """Whether ``name`` is all zeros whatever the batch (an initial state made by
        Expand/ConstantOfShape from the input's shape)."""
        if not name:
            return True
        if name in self.consts:
            return not np.any(self.consts[name])
        n = self.producer.get(name)
        if n is None or depth > 32:
            return False
        if n.op_type == "ConstantOfShape":
            value = self.attrs(n).get("value")
            return value is None or not np.any(_array(value))
        if n.op_type in ("Expand", "Slice", "Gather", "Squeeze", "Unsqueeze", "Reshape",
                         "Identity", "Transpose", "Cast", "Tile"):  # fmt: skip
            return self.zeros(n.input[0], depth + 1)
        if n.op_type == "Concat":
            return all(self.zeros(i, depth + 1) for i in n.input)
        return False

    def takes_batch_first(self, external: str) -> bool:
        """The layer swaps batch and time first (batch_first=True), as torch exports it."""
        for n in self.consumers.get(external, []):
            if n.op_type == "Transpose" and list(self.attrs(n).get("perm", [])) == [1, 0, 2]:
                return True
        return False


def float32_value(value: Any) -> float:
    """An attribute stored as float32 (1e-5 reads 9.99999974e-06) as the number written."""
    return float(f"{float(value):.7g}")


def _array(tensor: Any) -> np.ndarray:
    from onnx import numpy_helper

    return numpy_helper.to_array(tensor)


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float32, copy=True))


# ---------------------------------------------------------------------- recurrent layers
def rebuild_recurrent(r: GroupReader, external: str) -> nn.Module:
    kind = r.group.kind
    base = kind.removesuffix("Block")
    cells = [n for n in r.group.nodes if n.op_type in ("LSTM", "GRU", "RNN")]
    if not cells and base == "RNN":  # torch's exporter writes nn.RNN out step by step
        from netbuilder.importers.onnx_unrolled import unrolled_last_only, unrolled_rnn

        kwargs, state = unrolled_rnn(r)
        return _recurrent_module(r, kwargs, state, external, 0, unrolled_last_only(r))
    if not cells or any(n.op_type != base for n in cells):
        raise Unmapped(
            f"the {kind} layer holds no {base} node (torch's exporter writes a plain RNN "
            "out step by step; NetBuilder reads ONNX LSTM, GRU and RNN nodes)"
        )
    first = r.attrs(cells[0])
    hidden = int(first["hidden_size"])
    direction = first.get("direction", "forward")
    if direction not in ("forward", "bidirectional"):
        raise Unmapped(f"direction {direction!r} (only forward or bidirectional)")
    dirs = 2 if direction == "bidirectional" else 1
    state: dict[str, torch.Tensor] = {}
    has_bias = None
    nonlinearity = "tanh"
    for layer, node in enumerate(cells):
        a = r.attrs(node)
        if int(a["hidden_size"]) != hidden or a.get("direction", "forward") != direction:
            raise Unmapped("its stacked layers differ in size or direction")
        if a.get("clip") is not None or a.get("input_forget", 0):
            raise Unmapped("clip or input_forget (not in torch's recurrent layers)")
        if base == "GRU" and not a.get("linear_before_reset", 0):
            raise Unmapped("GRU with linear_before_reset=0 (torch applies the reset after)")
        # helper.get_attribute_value gives a list of strings as bytes
        acts = [(s.decode() if isinstance(s, bytes) else str(s)).lower()
                for s in a.get("activations", [])]  # fmt: skip
        if base == "RNN":
            if acts and (len(set(acts)) != 1 or acts[0] not in ("tanh", "relu")):
                raise Unmapped(f"RNN activations {acts}")
            nonlinearity = acts[0] if acts else "tanh"
        elif acts and acts != DEFAULT_ACTIVATIONS[base] * dirs:
            raise Unmapped(f"{base} activations {acts} (torch's are fixed)")
        ins = list(node.input) + [""] * 8
        if ins[4]:
            raise Unmapped("sequence_lens (padded batches are not a block)")
        for i in (5, 6, 7):
            if ins[i] and not r.zeros(ins[i]):
                raise Unmapped("an initial state that is not zero (a block starts from zeros)")
        w, rr = r.const(ins[1], "input weight W"), r.const(ins[2], "recurrent weight R")
        b = r.const(ins[3], "bias B") if ins[3] else None
        if has_bias is not None and has_bias != (b is not None):
            raise Unmapped("some stacked layers have biases and others not")
        has_bias = b is not None
        gates, order = GATES[base]
        for d in range(dirs):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            state[f"weight_ih{suffix}"] = _gates(w[d], gates, order)
            state[f"weight_hh{suffix}"] = _gates(rr[d], gates, order)
            if b is not None:
                state[f"bias_ih{suffix}"] = _gates(b[d][: gates * hidden], gates, order)
                state[f"bias_hh{suffix}"] = _gates(b[d][gates * hidden :], gates, order)
    input_size = int(state["weight_ih_l0"].shape[1])
    kwargs: dict[str, Any] = dict(
        input_size=input_size,
        hidden_size=hidden,
        num_layers=len(cells),
        bias=bool(has_bias),
        bidirectional=dirs == 2,
    )
    if base == "RNN":
        kwargs["nonlinearity"] = nonlinearity
    last = any(n.op_type == "Gather" and int(r.attrs(n).get("axis", 0)) == 1 for n in r.group.nodes)
    return _recurrent_module(r, kwargs, state, external, first.get("layout", 0), last)


def _recurrent_module(
    r: GroupReader,
    kwargs: dict[str, Any],
    state: dict[str, torch.Tensor],
    external: str,
    layout: int,
    last: bool,
) -> nn.Module:
    """torch's layer (or NetBuilder's block layer, ``last`` step only or not) of ``r.group``
    with ``state`` loaded."""
    kind = r.group.kind
    if kind.endswith("Block"):
        module: nn.Module = getattr(layers, kind)(**kwargs, last_only=last)
    else:
        batch_first = r.takes_batch_first(external) or layout == 1
        module = getattr(nn, kind.removesuffix("Block"))(**kwargs, batch_first=batch_first)
    module.load_state_dict(state, strict=True)
    return module


def _gates(a: np.ndarray, gates: int, order: list[int]) -> torch.Tensor:
    chunks = np.split(np.asarray(a), gates, axis=0)
    return _t(np.concatenate([chunks[i] for i in order], axis=0))


def recurrent_port(r: GroupReader, value: str) -> int | None:
    """Which result of the top recurrent node (0 Y, 1 Y_h, 2 Y_c) ``value`` comes from."""
    cells = [n for n in r.group.nodes if n.op_type in ("LSTM", "GRU", "RNN")]
    top = cells[-1] if cells else None
    stack, seen, found = [value], set(), set()
    while stack:
        cur = stack.pop()
        if cur in seen:
            continue
        seen.add(cur)
        n = r.producer.get(cur)
        if n is None:
            continue
        if n.op_type in ("LSTM", "GRU", "RNN"):
            index = list(n.output).index(cur)
            if n is top or index > 0:
                found.add(index)
            continue
        if n.op_type in ("Shape", "Size"):
            continue
        stack.extend(i for i in n.input if i and i not in r.consts)
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------------- attention
def _attention_parts(r: GroupReader, path: str) -> tuple[dict[str, torch.Tensor], int, bool]:
    """Weights (MultiheadAttention keys), head count and causality of the attention at
    ``path``."""
    found = r.linears(path)
    if len(found) != 2:
        raise Unmapped(
            f"the attention at {path} holds {len(found)} projections; NetBuilder reads one "
            "packed input projection and one output projection"
        )
    inp, out = found
    embed = out["weight"].shape[0]
    if inp["weight"].shape != (3 * embed, embed):
        raise Unmapped("separate query/key/value sizes (kdim/vdim)")
    state = {"in_proj_weight": _t(inp["weight"]), "out_proj.weight": _t(out["weight"])}
    if "bias" in inp and "bias" not in out:  # an all-zero bias left out by an optimiser
        out["bias"] = np.zeros(embed, dtype=np.float32)
    if "bias" in out and "bias" not in inp:
        raise Unmapped("a bias on the output projection only")
    if "bias" in inp:
        state["in_proj_bias"] = _t(inp["bias"])
        state["out_proj.bias"] = _t(out["bias"])
    heads = None
    for n in r.under(path):
        if n.op_type == "MatMul" and not any(i in r.consts for i in n.input):
            shape = r.probe.get(n.output[0])
            if shape and len(shape) == 4 and isinstance(shape[1], int) and shape[1] > 0:
                heads = int(shape[1])
                break
    if heads is None or embed % heads:
        raise Unmapped("the number of attention heads cannot be read from the file")
    causal = any(n.op_type in ("Where", "Trilu", "CumSum") for n in r.under(path)) or any(
        n.op_type == "Add"
        and any(i in r.consts and np.isneginf(r.consts[i]).any() for i in n.input)
        for n in r.under(path)
    )
    return state, heads, causal


def rebuild_attention(r: GroupReader, external: str) -> nn.Module:
    state, heads, causal = _attention_parts(r, r.group.path)
    embed = int(state["out_proj.weight"].shape[0])
    bias = "in_proj_bias" in state
    if r.group.kind == "SelfAttention":
        module: nn.Module = layers.SelfAttention(embed, heads, bias=bias, causal=causal)
    else:
        if causal:
            raise Unmapped("a MultiheadAttention with a mask (use a causal SelfAttention block)")
        batch_first = r.takes_batch_first(external)
        module = nn.MultiheadAttention(embed, heads, bias=bias, batch_first=batch_first)
    module.load_state_dict(state, strict=True)
    return module


def _encoder_layer(r: GroupReader, path: str) -> tuple[dict[str, Any], dict, bool]:
    """Constructor arguments, state (TransformerEncoderLayer keys) and causality."""
    attn, heads, causal = _attention_parts(r, f"{path}.self_attn")
    state = {f"self_attn.{k}": v for k, v in attn.items()}
    eps = None
    for name in ("linear1", "linear2"):
        found = r.linears(f"{path}.{name}")
        if len(found) != 1 or "bias" not in found[0]:
            raise Unmapped(f"{path}.{name} is not one Linear with a bias")
        state.update({f"{name}.{k}": _t(v) for k, v in found[0].items()})
    for name in ("norm1", "norm2"):
        weights, eps = r.norm(f"{path}.{name}")
        state.update({f"{name}.{k}": _t(v) for k, v in weights.items()})
    own = r.in_scope(path)
    ops = {n.op_type for n in own}
    if "Gelu" in ops or "Erf" in ops:
        activation = "gelu"
    elif "Relu" in ops:
        activation = "relu"
    else:
        raise Unmapped(f"the feed-forward activation of {path} is neither relu nor gelu")
    order = [inner_scope(n) for n in r.under(path)]
    first_norm = next((i for i, s in enumerate(order) if s == f"{path}.norm1"), 0)
    first_attn = next((i for i, s in enumerate(order) if s.startswith(f"{path}.self_attn")), 0)
    kwargs = dict(
        d_model=int(state["linear2.weight"].shape[0]),
        nhead=heads,
        dim_feedforward=int(state["linear1.weight"].shape[0]),
        dropout=0.0,
        activation=activation,
        norm_first=first_norm < first_attn,
        layer_norm_eps=eps or 1e-5,
    )
    return kwargs, state, causal


def rebuild_encoder_layer(r: GroupReader, external: str) -> nn.Module:
    kwargs, state, causal = _encoder_layer(r, r.group.path)
    if r.group.kind == "TransformerBlock":
        kwargs.pop("layer_norm_eps")
        module: nn.Module = layers.TransformerBlock(**kwargs, causal=causal)
    else:
        if causal:
            raise Unmapped("a TransformerEncoderLayer with a mask (use a causal block)")
        module = nn.TransformerEncoderLayer(**kwargs, batch_first=r.takes_batch_first(external))
    module.load_state_dict(state, strict=True)
    return module


def rebuild_encoder(r: GroupReader, external: str) -> nn.Module:
    path = r.group.path
    prefix = f"{path}.layers."
    indices = sorted(
        {int(s[len(prefix) :].split(".")[0]) for n in r.group.nodes
         if (s := inner_scope(n)).startswith(prefix)}
    )  # fmt: skip
    if not indices or indices != list(range(len(indices))):
        raise Unmapped(f"the layers of {path} cannot be told apart")
    if r.in_scope(f"{path}.norm"):
        raise Unmapped("a final norm inside TransformerEncoder (add a LayerNorm block after it)")
    state: dict[str, torch.Tensor] = {}
    configs, causal = [], False
    for i in indices:
        kwargs, layer_state, c = _encoder_layer(r, f"{prefix}{i}")
        configs.append(kwargs)
        causal = causal or c
        state.update({f"layers.{i}.{k}": v for k, v in layer_state.items()})
    if any(c != configs[0] for c in configs[1:]):
        raise Unmapped("its layers differ from each other")
    kwargs = dict(configs[0])
    if r.group.kind == "TransformerStack":
        kwargs.pop("layer_norm_eps")
        module: nn.Module = layers.TransformerStack(**kwargs, num_layers=len(indices),
                                                    causal=causal)  # fmt: skip
    else:
        if causal:
            raise Unmapped("a TransformerEncoder with a mask (use a causal block)")
        layer = nn.TransformerEncoderLayer(**kwargs, batch_first=r.takes_batch_first(external))
        module = nn.TransformerEncoder(layer, len(indices), enable_nested_tensor=False)
    module.load_state_dict(state, strict=True)
    return module


def rebuild_positional(r: GroupReader, external: str) -> nn.Module:
    adds = [n for n in r.group.nodes if n.op_type == "Add"]
    tables = [r.consts[i] for n in adds for i in n.input if i in r.consts]
    if len(adds) != 1 or len(tables) != 1 or tables[0].ndim != 3:
        raise Unmapped("the position code is not one stored table added to the input")
    table = tables[0]
    length, width = int(table.shape[1]), int(table.shape[2])
    if r.group.kind == "SinusoidalPositionalEncoding":
        module: nn.Module = layers.SinusoidalPositionalEncoding(length, width)
        if not np.allclose(module.pe.numpy(), table, atol=1e-6):
            raise Unmapped("the stored table is not the sine/cosine position code")
        return module
    module = layers.LearnedPositionalEncoding(length, width)
    module.load_state_dict({"weight": _t(table)}, strict=True)
    return module


def rebuild(r: GroupReader, external: str) -> nn.Module:
    """The layer of ``r.group`` with its weights (on the CPU, to be mapped and copied)."""
    kind = r.group.kind
    if kind in RECURRENT:
        return rebuild_recurrent(r, external)
    if kind in ATTENTION:
        return rebuild_attention(r, external)
    if kind in ENCODER_LAYER:
        return rebuild_encoder_layer(r, external)
    if kind in ENCODER:
        return rebuild_encoder(r, external)
    return rebuild_positional(r, external)
