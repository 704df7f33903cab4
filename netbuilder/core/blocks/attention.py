"""Embedding, positional encoding, self-attention and Transformer encoder blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netbuilder.core.blocks.spec import (
    BlockSpec,
    Param,
    need_rank,
    no_parameters,
    own_layer,
    single,
    spec_text,
    torch_layer,
)
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec

if TYPE_CHECKING:
    from torch import nn


def _infer_embedding(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = single(ins)
    if x.dtype != "long":
        raise ShapeError(
            _("Embedding needs token ids but receives real numbers {shape}").format(
                shape=spec_text(x)
            ),
            _("Wire a Token input into the Embedding; use Linear for real values."),
        )
    vocab = p["num_embeddings"]
    if vocab is not None and x.vocab is not None and vocab < x.vocab:
        raise ShapeError(
            _("Embedding has {rows} rows but token ids go up to {largest}").format(
                rows=vocab, largest=x.vocab - 1
            ),
            _("Set num_embeddings to at least {vocab}, or leave it empty.").format(vocab=x.vocab),
        )
    if vocab is None and x.vocab is None:
        raise ShapeError(_("Embedding cannot tell the vocabulary size"), _("Set num_embeddings."))
    return [TensorSpec((*x.shape, p["embedding_dim"]))]


def _embedding_module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
    return torch_layer("Embedding"), dict(
        num_embeddings=p["num_embeddings"] or ins[0].vocab, embedding_dim=p["embedding_dim"]
    )


def _embedding_count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
    return (p["num_embeddings"] or ins[0].vocab) * p["embedding_dim"]


def _sequence(block: str, ins: list[TensorSpec]) -> TensorSpec:
    x = single(ins)
    need_rank(block, x, (2,), N_("a sequence of vectors (time × features)"))
    return x


def _check_dim(block: str, name: str, p: dict[str, Any], x: TensorSpec) -> int:
    d = x.shape[-1]
    if p[name] is not None and p[name] != d:
        raise ShapeError(
            _("{block} expects {name} {expected} but receives vectors of size {actual}").format(
                block=block, name=name, expected=p[name], actual=d
            ),
            _("Set {name} to {actual}, or leave it empty to infer it.").format(name=name, actual=d),
        )
    return d


def _infer_posenc(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = _sequence("PositionalEncoding", ins)
    if p["max_len"] is not None and p["max_len"] < x.shape[0]:
        raise ShapeError(
            _(
                "PositionalEncoding covers {positions} positions but the sequence has {length}"
            ).format(positions=p["max_len"], length=x.shape[0]),
            _("Set max_len to at least {length}.").format(length=x.shape[0]),
        )
    return [x]


def _posenc_module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
    kind = "Learned" if p["kind"] == "learned" else "Sinusoidal"
    cls = own_layer(f"{kind}PositionalEncoding")
    return cls, dict(max_len=p["max_len"] or ins[0].shape[0], d_model=ins[0].shape[1])


def _posenc_count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
    """A learned vector per position; the sinusoidal code is a fixed buffer."""
    return (p["max_len"] or ins[0].shape[0]) * ins[0].shape[1] if p["kind"] == "learned" else 0


def _check_heads(block: str, d: int, heads: int) -> None:
    if d % heads:
        raise ShapeError(
            _("{block}: {heads} heads cannot split vectors of size {size} evenly").format(
                block=block, heads=heads, size=d
            ),
            _("Choose a number of heads that divides the embedding size."),
        )


def _infer_attention(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = _sequence("SelfAttention", ins)
    _check_heads("SelfAttention", _check_dim("SelfAttention", "embed_dim", p, x), p["num_heads"])
    return [x]


def _attention_module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
    return own_layer("SelfAttention"), dict(
        embed_dim=ins[0].shape[1],
        num_heads=p["num_heads"],
        dropout=p["dropout"],
        bias=p["bias"],
        causal=p["causal"],
    )


def _attention_weights(d: int, bias: bool) -> int:
    """nn.MultiheadAttention: the packed q/k/v projection (3d × d) and the output one."""
    return 4 * d * d + (4 * d if bias else 0)


def _attention_count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
    return _attention_weights(ins[0].shape[1], p["bias"])


def _infer_encoder(block: str):
    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = _sequence(block, ins)
        _check_heads(block, _check_dim(block, "d_model", p, x), p["nhead"])
        return [x]

    return infer


def _encoder_module(stack: bool):
    def module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
        kwargs = dict(
            d_model=ins[0].shape[1],
            nhead=p["nhead"],
            dim_feedforward=p["dim_feedforward"],
            dropout=p["dropout"],
            activation=p["activation"],
            norm_first=p["norm_first"],
            causal=p["causal"],
        )
        if stack:
            kwargs["num_layers"] = p["num_layers"]
            return own_layer("TransformerStack"), kwargs
        return own_layer("TransformerBlock"), kwargs

    return module


def _encoder_count(stack: bool):
    """Per layer: attention, two feed-forward Linears, two LayerNorms (all with biases)."""

    def count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
        d, ff = ins[0].shape[1], p["dim_feedforward"]
        one = _attention_weights(d, True) + (d * ff + ff) + (ff * d + d) + 2 * (2 * d)
        return one * (p["num_layers"] if stack else 1)

    return count


def _encoder_params(stack: bool) -> tuple[Param, ...]:
    layers_param = (Param("num_layers", "int", 2, "Identical layers stacked.", 1, 128),)
    return (
        Param("nhead", "int", 4, "Attention heads (must divide d_model).", 1, 1024),
        *(layers_param if stack else ()),
        Param("dim_feedforward", "int", 128, "Width of the feed-forward sub-layer.", 1, 1 << 20),
        Param("dropout", "float", 0.1, "Dropout probability inside the layer.", 0.0, 0.99),
        Param("activation", "choice", "relu", "Feed-forward activation.", choices=("relu", "gelu")),
        Param("norm_first", "bool", False, "LayerNorm before attention (pre-norm, like GPT)."),
        Param("causal", "bool", False, "Each position sees only earlier ones."),
        Param(
            "d_model", "int", None, "Vector size; inferred when empty.", 1, 1 << 20, optional=True
        ),
    )


def _infer_seqpool(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
    x = _sequence("SequencePool", ins)
    return [TensorSpec((x.shape[1],))]


SPECS = [
    BlockSpec(
        type="Embedding",
        category="Attention",
        doc="Looks up a learned vector for each token id.",
        params=(
            Param("embedding_dim", "int", 64, "Size of each token vector.", 1, 1 << 20),
            Param(
                "num_embeddings",
                "int",
                None,
                "Vocabulary size; inferred when empty.",
                1,
                10_000_000,
                optional=True,
            ),
        ),
        infer=_infer_embedding,
        module=_embedding_module,
        count=_embedding_count,
        key_params=("embedding_dim",),
    ),
    BlockSpec(
        type="PositionalEncoding",
        category="Attention",
        doc="Adds position information to each vector so attention knows the token order.",
        params=(
            Param(
                "kind",
                "choice",
                "sinusoidal",
                "Fixed sine/cosine code or learned vectors.",
                choices=("sinusoidal", "learned"),
            ),
            Param(
                "max_len",
                "int",
                None,
                "Longest sequence; the input length when empty.",
                1,
                1_000_000,
                optional=True,
            ),
        ),
        infer=_infer_posenc,
        module=_posenc_module,
        count=_posenc_count,
        key_params=("kind",),
    ),
    BlockSpec(
        type="SelfAttention",
        category="Attention",
        doc="Multi-head self-attention: every position looks at every other one.",
        params=(
            Param("num_heads", "int", 4, "Attention heads (must divide embed_dim).", 1, 1024),
            Param("dropout", "float", 0.0, "Dropout on attention weights.", 0.0, 0.99),
            Param("causal", "bool", False, "Each position sees only earlier ones."),
            Param("bias", "bool", True, "Learn projection biases."),
            Param(
                "embed_dim",
                "int",
                None,
                "Vector size; inferred when empty.",
                1,
                1 << 20,
                optional=True,
            ),
        ),
        infer=_infer_attention,
        module=_attention_module,
        count=_attention_count,
        key_params=("num_heads", "causal"),
        aliases=("MultiheadAttention",),
    ),
    BlockSpec(
        type="TransformerEncoderLayer",
        category="Attention",
        doc="One Transformer encoder layer: self-attention then a feed-forward network, "
        "each with a residual add and LayerNorm.",
        params=_encoder_params(stack=False),
        infer=_infer_encoder("TransformerEncoderLayer"),
        module=_encoder_module(stack=False),
        count=_encoder_count(stack=False),
        key_params=("nhead", "dim_feedforward"),
    ),
    BlockSpec(
        type="TransformerEncoder",
        category="Attention",
        doc="A stack of N identical Transformer encoder layers.",
        params=_encoder_params(stack=True),
        infer=_infer_encoder("TransformerEncoder"),
        module=_encoder_module(stack=True),
        count=_encoder_count(stack=True),
        key_params=("num_layers", "nhead", "dim_feedforward"),
    ),
    BlockSpec(
        type="SequencePool",
        category="Attention",
        doc="Turns a sequence into one vector: the mean, the first token or the last step.",
        params=(
            Param(
                "mode",
                "choice",
                "mean",
                "How to reduce the time axis.",
                choices=("mean", "first", "last"),
            ),
        ),
        infer=_infer_seqpool,
        module=lambda p, ins: (own_layer("SequencePool"), dict(mode=p["mode"])),
        count=no_parameters,
        key_params=("mode",),
    ),
]
