"""Rebuild the layer a group of ATen operations came from (``.pt2`` programs).

``torch.export`` keeps, on every operation, the stack of modules it ran in
(``nn_module_stack``: path and class). The operations of one ``Conv2d`` or one
``TransformerEncoder`` call are gathered into a group; the layer is rebuilt on the meta
device from its weights' shapes and the operations' arguments, and then mapped to a block
by the same rules as a traced module (``torch_map.map_module``), so both importers agree.
Settings that leave no trace in an evaluation-mode program (attention dropout) take the
block's default; the output comparison at the end of every import catches a wrong guess.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import fx, nn

from netbuilder.core import layers
from netbuilder.importers.torch_map import NETBUILDER_LAYERS, Unmapped

TORCH_CLASSES = {
    "Conv2d",
    "Conv1d",
    "ConvTranspose2d",
    "Linear",
    "BatchNorm2d",
    "BatchNorm1d",
    "LayerNorm",
    "MaxPool2d",
    "AvgPool2d",
    "MaxPool1d",
    "AvgPool1d",
    "AdaptiveAvgPool2d",
    "ReLU",
    "LeakyReLU",
    "GELU",
    "SiLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "Dropout",
    "Flatten",
    "Embedding",
    "LSTM",
    "GRU",
    "RNN",
    "MultiheadAttention",
    "TransformerEncoderLayer",
    "TransformerEncoder",
}


def layer_kind(class_path: str) -> str | None:
    """``torch.nn.modules.conv.Conv2d`` → ``Conv2d``; NetBuilder's layers by name."""
    name = class_path.rsplit(".", 1)[-1]
    if class_path.startswith("torch.nn.modules.") and name in TORCH_CLASSES:
        return name
    if name in NETBUILDER_LAYERS:
        return name
    return None


def op_name(node: fx.Node) -> str:
    """``aten.conv2d.default`` → ``conv2d``."""
    text = str(node.target)
    parts = text.split(".")
    return parts[1] if len(parts) >= 3 and parts[0] == "aten" else text


def arguments(node: fx.Node) -> dict[str, Any]:
    """The node's arguments by schema name, defaults filled in."""
    schema = getattr(node.target, "_schema", None)
    if schema is None:
        return {str(i): a for i, a in enumerate(node.args)}
    out: dict[str, Any] = {}
    for i, a in enumerate(schema.arguments):
        if i < len(node.args):
            out[a.name] = node.args[i]
        elif a.name in node.kwargs:
            out[a.name] = node.kwargs[a.name]
        elif a.has_default_value():
            out[a.name] = a.default_value
    return out


def _find(nodes: list[fx.Node], *names: str) -> fx.Node | None:
    return next((n for n in nodes if op_name(n) in names), None)


def _need(nodes: list[fx.Node], kind: str, *names: str) -> dict[str, Any]:
    node = _find(nodes, *names)
    if node is None:
        raise Unmapped(f"the {kind} call holds no {'/'.join(names)} operation")
    return arguments(node)


def _shape(node: Any) -> tuple[Any, ...] | None:
    val = node.meta.get("val") if isinstance(node, fx.Node) else None
    return tuple(val.shape) if isinstance(val, torch.Tensor) else None


def _pair(value: Any, default: int) -> Any:
    if value is None or value == []:
        return default
    return value


def _heads(nodes: list[fx.Node], embed: int) -> int:
    sdpa = _find(nodes, "scaled_dot_product_attention", "_native_multi_head_attention")
    bmm = _find(nodes, "bmm", "baddbmm")
    if sdpa is None and bmm is not None:  # the path that also returns attention weights
        shape = _shape(bmm.args[1] if op_name(bmm) == "baddbmm" else bmm.args[0])
        if shape and isinstance(shape[-1], int) and shape[-1] and embed % shape[-1] == 0:
            return embed // int(shape[-1])
    if sdpa is None:
        raise Unmapped("no attention operation found to read the number of heads from")
    if op_name(sdpa) == "_native_multi_head_attention":
        return int(arguments(sdpa)["num_head"])
    shape = _shape(sdpa.args[0])
    if not shape or len(shape) != 4:
        raise Unmapped("the attention operation has no readable head count")
    return int(shape[1])


def _causal(nodes: list[fx.Node]) -> bool:
    sdpa = _find(nodes, "scaled_dot_product_attention")
    if sdpa is None:
        return False
    args = arguments(sdpa)
    return bool(args.get("is_causal")) or args.get("attn_mask") is not None


def _encoder_kwargs(nodes: list[fx.Node], w: dict[str, torch.Tensor], prefix: str) -> dict:
    d_model = w[f"{prefix}self_attn.in_proj_weight"].shape[1]
    dropout = _find(nodes, "dropout")
    first_norm = next((i for i, n in enumerate(nodes) if op_name(n) == "layer_norm"), 0)
    first_linear = next((i for i, n in enumerate(nodes) if op_name(n) == "linear"), 0)
    return dict(
        d_model=d_model,
        nhead=_heads(nodes, d_model),
        dim_feedforward=w[f"{prefix}linear1.weight"].shape[0],
        dropout=float(arguments(dropout)["p"]) if dropout is not None else 0.0,
        activation="gelu" if _find(nodes, "gelu") is not None else "relu",
        norm_first=first_norm < first_linear,
    )


def _recurrent(kind: str, nodes: list[fx.Node], w: dict[str, torch.Tensor]) -> nn.Module:
    base = {"LSTM": "LSTM", "LSTMBlock": "LSTM", "GRU": "GRU", "GRUBlock": "GRU"}.get(kind, "RNN")
    op = _find(nodes, "lstm", "gru", "rnn_tanh", "rnn_relu")
    if op is None:
        raise Unmapped(f"the {kind} call holds no recurrent operation")
    a = arguments(op)
    kwargs = dict(
        input_size=w["weight_ih_l0"].shape[1],
        hidden_size=w["weight_hh_l0"].shape[1],
        num_layers=int(a["num_layers"]),
        bias=bool(a["has_biases"]),
        dropout=float(a["dropout"]),
        bidirectional=bool(a["bidirectional"]),
    )
    if not a["batch_first"] and not kind.endswith("Block"):
        raise Unmapped("batch_first=False: NetBuilder sequences are batch × time × features")
    if base == "RNN":
        kwargs["nonlinearity"] = "relu" if op_name(op) == "rnn_relu" else "tanh"
    if kind.endswith("Block"):
        last = any(op_name(n) == "select" and arguments(n).get("dim") == 1 for n in nodes)
        cls = {"LSTM": layers.LSTMBlock, "GRU": layers.GRUBlock, "RNN": layers.RNNBlock}[base]
        return cls(**kwargs, last_only=last)
    return getattr(nn, base)(**kwargs, batch_first=True)


def rebuild(kind: str, nodes: list[fx.Node], w: dict[str, torch.Tensor]) -> nn.Module:
    """The layer of class ``kind`` that ran ``nodes`` with weights ``w`` (on the meta device)."""
    with torch.device("meta"):
        return _rebuild(kind, nodes, w)


def _rebuild(kind: str, nodes: list[fx.Node], w: dict[str, torch.Tensor]) -> nn.Module:
    simple = {"ReLU": nn.ReLU, "SiLU": nn.SiLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh}
    if kind in simple:
        return simple[kind]()
    if kind in ("Conv2d", "Conv1d"):
        a = _need(nodes, kind, "conv2d", "conv1d", "convolution")
        weight = w["weight"]
        groups = int(a.get("groups", 1))
        cls = nn.Conv2d if kind == "Conv2d" else nn.Conv1d
        return cls(
            weight.shape[1] * groups,
            weight.shape[0],
            tuple(weight.shape[2:]),
            stride=_pair(a.get("stride"), 1),
            padding=_pair(a.get("padding"), 0),
            dilation=_pair(a.get("dilation"), 1),
            groups=groups,
            bias="bias" in w,
        )
    if kind == "ConvTranspose2d":
        a = _need(nodes, kind, "conv_transpose2d")
        weight, groups = w["weight"], int(a.get("groups", 1))
        return nn.ConvTranspose2d(
            weight.shape[0],
            weight.shape[1] * groups,
            tuple(weight.shape[2:]),
            stride=_pair(a.get("stride"), 1),
            padding=_pair(a.get("padding"), 0),
            output_padding=_pair(a.get("output_padding"), 0),
            groups=groups,
            dilation=_pair(a.get("dilation"), 1),
            bias="bias" in w,
        )
    if kind == "Linear":
        return nn.Linear(w["weight"].shape[1], w["weight"].shape[0], bias="bias" in w)
    if kind in ("BatchNorm2d", "BatchNorm1d"):
        a = _need(nodes, kind, "batch_norm", "_native_batch_norm_legit_no_training")
        cls = nn.BatchNorm2d if kind == "BatchNorm2d" else nn.BatchNorm1d
        return cls(w["running_mean"].shape[0], eps=float(a["eps"]), momentum=float(a["momentum"]))
    if kind == "LayerNorm":
        a = _need(nodes, kind, "layer_norm")
        return nn.LayerNorm(
            list(a["normalized_shape"]),
            eps=float(a["eps"]),
            elementwise_affine="weight" in w,
            bias="bias" in w or "weight" not in w,
        )
    if kind in ("MaxPool2d", "MaxPool1d"):
        a = _need(nodes, kind, "max_pool2d", "max_pool1d", "max_pool2d_with_indices")
        cls = nn.MaxPool2d if kind == "MaxPool2d" else nn.MaxPool1d
        k = a["kernel_size"]
        return cls(k, _pair(a.get("stride"), k), a.get("padding", 0), a.get("dilation", 1),
                   ceil_mode=bool(a.get("ceil_mode", False)))  # fmt: skip
    if kind in ("AvgPool2d", "AvgPool1d"):
        a = _need(nodes, kind, "avg_pool2d", "avg_pool1d")
        cls = nn.AvgPool2d if kind == "AvgPool2d" else nn.AvgPool1d
        k = a["kernel_size"]
        extra = {"divisor_override": a.get("divisor_override")} if kind == "AvgPool2d" else {}
        return cls(k, _pair(a.get("stride"), k), a.get("padding", 0),
                   ceil_mode=bool(a.get("ceil_mode", False)),
                   count_include_pad=bool(a.get("count_include_pad", True)), **extra)  # fmt: skip
    if kind == "AdaptiveAvgPool2d":
        out = _shape(nodes[-1])
        if not out or not isinstance(out[-1], int):
            raise Unmapped("the pooled size cannot be read")
        return nn.AdaptiveAvgPool2d((int(out[-2]), int(out[-1])))
    if kind == "LeakyReLU":
        a = _need(nodes, kind, "leaky_relu")
        return nn.LeakyReLU(float(a.get("negative_slope", 0.01)))
    if kind == "GELU":
        return nn.GELU(approximate=str(_need(nodes, kind, "gelu").get("approximate", "none")))
    if kind == "Softmax":
        return nn.Softmax(int(_need(nodes, kind, "softmax", "_softmax")["dim"]))
    if kind == "Dropout":
        return nn.Dropout(float(_need(nodes, kind, "dropout")["p"]))
    if kind == "Flatten":
        a = _need(nodes, kind, "flatten")
        return nn.Flatten(int(a.get("start_dim", 0)), int(a.get("end_dim", -1)))
    if kind == "Embedding":
        return nn.Embedding(w["weight"].shape[0], w["weight"].shape[1])
    if kind in ("LSTM", "GRU", "RNN", "LSTMBlock", "GRUBlock", "RNNBlock"):
        return _recurrent(kind, nodes, w)
    if kind in ("MultiheadAttention", "SelfAttention"):
        embed = w["in_proj_weight"].shape[1]
        bias = "in_proj_bias" in w
        if kind == "SelfAttention":
            heads = _heads(nodes, embed)
            return layers.SelfAttention(embed, heads, bias=bias, causal=_causal(nodes))
        return nn.MultiheadAttention(embed, _heads(nodes, embed), bias=bias, batch_first=True)
    if kind in ("TransformerEncoderLayer", "TransformerBlock"):
        kw = _encoder_kwargs(nodes, w, "")
        if kind == "TransformerBlock":
            return layers.TransformerBlock(**kw, causal=_causal(nodes))
        return nn.TransformerEncoderLayer(**kw, batch_first=True)
    if kind in ("TransformerEncoder", "TransformerStack"):
        count = len({k.split(".")[1] for k in w if k.startswith("layers.")})
        kw = _encoder_kwargs(nodes, w, "layers.0.")
        if kind == "TransformerStack":
            return layers.TransformerStack(**kw, num_layers=count, causal=_causal(nodes))
        layer = nn.TransformerEncoderLayer(**kw, batch_first=True)
        return nn.TransformerEncoder(layer, count, enable_nested_tensor=False)
    return _rebuild_own(kind, nodes, w)


def _rebuild_own(kind: str, nodes: list[fx.Node], w: dict[str, torch.Tensor]) -> nn.Module:
    if kind in ("SinusoidalPositionalEncoding", "LearnedPositionalEncoding"):
        table = w.get("pe", w.get("weight"))
        if table is None:
            raise Unmapped("the positional table is missing")
        cls = getattr(layers, kind)
        return cls(int(table.shape[1]), int(table.shape[2]))
    if kind == "GlobalAvgPool":
        return layers.GlobalAvgPool()
    if kind == "SequencePool":
        select = _find(nodes, "select")
        if select is None:
            return layers.SequencePool("mean")
        return layers.SequencePool("first" if arguments(select)["index"] == 0 else "last")
    if kind == "Reshape":
        out = _shape(nodes[-1])
        if not out or not all(isinstance(d, int) for d in out[1:]):
            raise Unmapped("the reshaped size is not fixed")
        return layers.Reshape(tuple(int(d) for d in out[1:]))
    if kind == "Permute":
        return layers.Permute(tuple(_need(nodes, kind, "permute")["dims"]))
    if kind == "Transpose":
        a = _need(nodes, kind, "transpose")
        return layers.Transpose(int(a["dim0"]), int(a["dim1"]))
    raise Unmapped(f"{kind} cannot be rebuilt from a .pt2 program")
