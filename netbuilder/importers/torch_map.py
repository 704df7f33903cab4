"""Which NetBuilder block a ``torch.nn`` layer is, with its parameters and weights.

A layer maps only when the block computes exactly what the layer computes: a setting the
block cannot express (a non-square kernel, ``ceil_mode``, ``batch_first=False``...) makes
the layer unmapped with that setting named, rather than imported as something close.
NetBuilder's own layers (``netbuilder.core.layers``, also copied into exported ``.py``
files) are recognised by class name and base class, so exported code imports back.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F


class Unmapped(Exception):
    """This layer or call has no exact NetBuilder block; the message says why."""


# block, params; weights are the layer's own state_dict (the block's layer has the same keys)
Mapping = tuple[str, dict[str, Any]]

NETBUILDER_LAYERS = {
    "Reshape": nn.Module,
    "Permute": nn.Module,
    "Transpose": nn.Module,
    "GlobalAvgPool": nn.Module,
    "SequencePool": nn.Module,
    "SinusoidalPositionalEncoding": nn.Module,
    "LearnedPositionalEncoding": nn.Module,
    "SelfAttention": nn.MultiheadAttention,
    "TransformerBlock": nn.TransformerEncoderLayer,
    "TransformerStack": nn.TransformerEncoder,
    "RNNBlock": nn.RNN,
    "GRUBlock": nn.GRU,
    "LSTMBlock": nn.LSTM,
}


def netbuilder_layer(m: nn.Module) -> str | None:
    """The NetBuilder layer class name of ``m`` (or of the copy in an exported .py)."""
    name = type(m).__name__
    base = NETBUILDER_LAYERS.get(name)
    return name if base is not None and isinstance(m, base) else None


def _one(name: str, value: Any) -> int:
    """A size given as ``3`` or ``(3, 3)``; different sizes per axis are not a block."""
    if isinstance(value, int):
        return value
    values = tuple(value)
    if len(set(values)) != 1 or not isinstance(values[0], int):
        raise Unmapped(f"{name} {values} differs per axis; NetBuilder blocks use one size")
    return values[0]


def _conv(m: nn.Module, block: str) -> Mapping:
    if m.padding_mode != "zeros":
        raise Unmapped(f"padding_mode '{m.padding_mode}' (only zero padding is a block)")
    pad = m.padding if isinstance(m.padding, str) else _one("padding", m.padding)
    params: dict[str, Any] = {
        "out_channels": m.out_channels,
        "kernel_size": _one("kernel_size", m.kernel_size),
        "stride": _one("stride", m.stride),
        "padding": pad,
        "dilation": _one("dilation", m.dilation),
        "groups": m.groups,
        "bias": m.bias is not None,
    }
    if block == "ConvTranspose2d":
        params["output_padding"] = _one("output_padding", m.output_padding)
    return block, params


def _pool(m: nn.Module, block: str) -> Mapping:
    if getattr(m, "ceil_mode", False):
        raise Unmapped("ceil_mode=True (NetBuilder pools round down)")
    if getattr(m, "return_indices", False):
        raise Unmapped("return_indices=True")
    if "Max" in block and _one("dilation", m.dilation) != 1:
        raise Unmapped("dilation other than 1")
    if "Avg" in block and (not m.count_include_pad or m.divisor_override is not None):
        raise Unmapped("count_include_pad=False or divisor_override (not a block setting)")
    k = _one("kernel_size", m.kernel_size)
    stride = _one("stride", m.stride) if m.stride is not None else k
    return block, {"kernel_size": k, "stride": stride, "padding": _one("padding", m.padding)}


def _batchnorm(m: nn.Module, block: str) -> Mapping:
    if not m.affine or not m.track_running_stats or m.momentum is None:
        raise Unmapped("affine=False, track_running_stats=False or momentum=None")
    return block, {"momentum": m.momentum, "eps": m.eps}


def _layernorm(m: nn.LayerNorm) -> Mapping:
    if len(m.normalized_shape) != 1:
        raise Unmapped(f"normalized_shape {tuple(m.normalized_shape)} spans several dimensions")
    if m.elementwise_affine and getattr(m, "bias", None) is None:
        raise Unmapped("bias=False (the block always learns a shift with its scale)")
    return "LayerNorm", {
        "eps": m.eps,
        "elementwise_affine": m.elementwise_affine,
    }


def _recurrent(m: nn.Module, block: str, last: bool = False) -> Mapping:
    if not m.batch_first:
        raise Unmapped("batch_first=False: NetBuilder sequences are batch × time × features")
    if getattr(m, "proj_size", 0):
        raise Unmapped("proj_size (projected LSTM)")
    params: dict[str, Any] = {
        "hidden_size": m.hidden_size,
        "num_layers": m.num_layers,
        "bidirectional": m.bidirectional,
        "dropout": float(m.dropout),
        "output": "last" if last else "sequence",
        "bias": m.bias,
    }
    if block == "RNN":
        params["nonlinearity"] = m.nonlinearity
    return block, params


def _attention(m: nn.MultiheadAttention, causal: bool = False) -> Mapping:
    if not m.batch_first:
        raise Unmapped("batch_first=False: NetBuilder sequences are batch × time × features")
    if not m._qkv_same_embed_dim or m.bias_k is not None or m.add_zero_attn:
        raise Unmapped("kdim/vdim, add_bias_kv or add_zero_attn (not a block setting)")
    return "SelfAttention", {
        "num_heads": m.num_heads,
        "dropout": float(m.dropout),
        "causal": causal,
        "bias": m.in_proj_bias is not None,
    }


def _encoder_layer_params(layer: nn.TransformerEncoderLayer) -> dict[str, Any]:
    attn = layer.self_attn
    if not attn.batch_first:
        raise Unmapped("batch_first=False: NetBuilder sequences are batch × time × features")
    if layer.norm1.eps != 1e-5 or layer.linear1.bias is None:
        raise Unmapped("layer_norm_eps other than 1e-5 or bias=False")
    act = layer.activation
    if act is F.relu or isinstance(act, nn.ReLU):
        activation = "relu"
    elif act is F.gelu or (isinstance(act, nn.GELU) and act.approximate == "none"):
        activation = "gelu"
    else:
        raise Unmapped(f"feed-forward activation {act!r} (relu or gelu only)")
    return {
        "nhead": attn.num_heads,
        "dim_feedforward": layer.linear1.out_features,
        "dropout": float(layer.dropout.p),
        "activation": activation,
        "norm_first": bool(layer.norm_first),
    }


def _encoder(m: nn.TransformerEncoder, causal: bool = False) -> Mapping:
    if m.norm is not None:
        raise Unmapped("a final norm inside TransformerEncoder (add a LayerNorm block after it)")
    configs = [_encoder_layer_params(layer) for layer in m.layers]
    if any(c != configs[0] for c in configs[1:]):
        raise Unmapped("its layers differ from each other")
    return "TransformerEncoder", {
        **configs[0],
        "num_layers": len(configs),
        "causal": causal,
    }


def _positional(m: nn.Module, kind: str) -> Mapping:
    table = m.pe if kind == "sinusoidal" else m.weight
    return "PositionalEncoding", {"kind": kind, "max_len": int(table.shape[1])}


def _embedding(m: nn.Embedding) -> Mapping:
    if m.max_norm is not None or m.scale_grad_by_freq or m.sparse:
        raise Unmapped("max_norm, scale_grad_by_freq or sparse (not block settings)")
    return "Embedding", {"embedding_dim": m.embedding_dim, "num_embeddings": m.num_embeddings}


def _simple(m: nn.Module) -> Mapping | None:
    """Layers without options that matter, or with one or two plain ones."""
    if type(m) in (nn.ReLU, nn.SiLU, nn.Sigmoid, nn.Tanh):
        return type(m).__name__, {}
    if type(m) is nn.LeakyReLU:
        return "LeakyReLU", {"negative_slope": float(m.negative_slope)}
    if type(m) is nn.GELU:
        return "GELU", {"approximate": m.approximate}
    if type(m) is nn.Softmax:
        if m.dim is None:
            raise Unmapped("Softmax without dim (give the dimension explicitly)")
        return "Softmax", {"dim": m.dim}
    if type(m) is nn.Dropout:
        return "Dropout", {"p": float(m.p)}
    if type(m) is nn.Flatten:
        return "Flatten", {"start_dim": m.start_dim, "end_dim": m.end_dim}
    if type(m) is nn.Linear:
        return "Linear", {
            "out_features": m.out_features,
            "bias": m.bias is not None,
        }
    if type(m) is nn.AdaptiveAvgPool2d:
        size = m.output_size
        n = _one("output_size", size if not isinstance(size, int) else (size,))
        if n is None:
            raise Unmapped("output_size None keeps an axis (not a block setting)")
        return "AdaptiveAvgPool2d", {"output_size": n}
    return None


def map_module(m: nn.Module) -> Mapping:
    """The block and parameters for layer ``m``; raises ``Unmapped`` with the reason."""
    own = netbuilder_layer(m)
    if own is not None:
        return _map_own(m, own)
    simple = _simple(m)
    if simple is not None:
        return simple
    kind = type(m)
    table = {
        nn.Conv2d: lambda: _conv(m, "Conv2d"),
        nn.Conv1d: lambda: _conv(m, "Conv1d"),
        nn.ConvTranspose2d: lambda: _conv(m, "ConvTranspose2d"),
        nn.MaxPool2d: lambda: _pool(m, "MaxPool2d"),
        nn.AvgPool2d: lambda: _pool(m, "AvgPool2d"),
        nn.MaxPool1d: lambda: _pool(m, "MaxPool1d"),
        nn.AvgPool1d: lambda: _pool(m, "AvgPool1d"),
        nn.BatchNorm2d: lambda: _batchnorm(m, "BatchNorm2d"),
        nn.BatchNorm1d: lambda: _batchnorm(m, "BatchNorm1d"),
        nn.LayerNorm: lambda: _layernorm(m),  # type: ignore[arg-type]
        nn.LSTM: lambda: _recurrent(m, "LSTM"),
        nn.GRU: lambda: _recurrent(m, "GRU"),
        nn.RNN: lambda: _recurrent(m, "RNN"),
        nn.Embedding: lambda: _embedding(m),  # type: ignore[arg-type]
        nn.MultiheadAttention: lambda: _attention(m),  # type: ignore[arg-type]
        nn.TransformerEncoderLayer: lambda: (
            "TransformerEncoderLayer",
            {**_encoder_layer_params(m), "causal": False},  # type: ignore[arg-type]
        ),
        nn.TransformerEncoder: lambda: _encoder(m),  # type: ignore[arg-type]
    }
    if kind in table:
        return table[kind]()
    raise Unmapped(f"{kind.__module__}.{kind.__qualname__} has no NetBuilder block")


def _map_own(m: Any, name: str) -> Mapping:
    if name == "Reshape":
        return "Reshape", {"shape": list(m.shape)}
    if name == "Permute":
        return "Permute", {"dims": list(m.dims)}
    if name == "Transpose":
        return "Transpose", {"dim0": m.dim0, "dim1": m.dim1}
    if name == "GlobalAvgPool":
        return "GlobalAvgPool", {}
    if name == "SequencePool":
        return "SequencePool", {"mode": m.mode}
    if name == "SinusoidalPositionalEncoding":
        return _positional(m, "sinusoidal")
    if name == "LearnedPositionalEncoding":
        return _positional(m, "learned")
    if name == "SelfAttention":
        return _attention(m, bool(m.causal))
    if name == "TransformerBlock":
        return "TransformerEncoderLayer", {**_encoder_layer_params(m), "causal": bool(m.causal)}
    if name == "TransformerStack":
        return _encoder(m, bool(m.causal))
    block = {"RNNBlock": "RNN", "GRUBlock": "GRU", "LSTMBlock": "LSTM"}[name]
    return _recurrent(m, block, last=bool(m.last_only))


def layer_weights(m: nn.Module) -> dict[str, torch.Tensor]:
    """The state the block's layer must receive (non-persistent buffers are rebuilt)."""
    return {k: v.detach() for k, v in m.state_dict().items()}
