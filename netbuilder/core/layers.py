"""The few layers torch.nn lacks in the exact form a block needs.

This module imports torch only: the code generator copies these classes verbatim into the
standalone ``.py`` it writes, so exported code runs where NetBuilder is not installed.
Recurrent and attention wrappers *subclass* the torch layer so their state_dict keys are
exactly those of the plain torch layer a hand-written model would use.
"""

from __future__ import annotations

import torch
from torch import nn


class Reshape(nn.Module):
    """Reshape every sample to ``shape``, keeping the batch dimension."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


class Permute(nn.Module):
    """Reorder dimensions; ``dims`` counts the batch as dimension 0, as torch does."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(*self.dims)


class Transpose(nn.Module):
    """Swap two dimensions (batch is dimension 0)."""

    def __init__(self, dim0: int, dim1: int) -> None:
        super().__init__()
        self.dim0 = dim0
        self.dim1 = dim1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.transpose(self.dim0, self.dim1)


class GlobalAvgPool(nn.Module):
    """Average over all spatial positions: B×C×... → B×C."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(2).mean(dim=2)


class SequencePool(nn.Module):
    """Reduce a B×T×F sequence to B×F by its mean, first token or last step."""

    def __init__(self, mode: str = "mean") -> None:
        super().__init__()
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.mode == "first":
            return x[:, 0]
        if self.mode == "last":
            return x[:, -1]
        return x.mean(dim=1)


class SinusoidalPositionalEncoding(nn.Module):
    """Adds the fixed sine/cosine position code of "Attention Is All You Need"."""

    def __init__(self, max_len: int, d_model: int) -> None:
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
        div = torch.exp(
            torch.arange(0, d_model, 2, dtype=torch.float32)
            * (-torch.log(torch.tensor(10000.0)) / d_model)
        )
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)[:, : d_model // 2]
        self.register_buffer("pe", pe.unsqueeze(0), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pe[:, : x.shape[1]]


class LearnedPositionalEncoding(nn.Module):
    """Adds a trained vector per position (as BERT and GPT-2 do)."""

    def __init__(self, max_len: int, d_model: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, max_len, d_model))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.weight[:, : x.shape[1]]


class SelfAttention(nn.MultiheadAttention):
    """Multi-head self-attention on a batch-first sequence, optionally causal."""

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        causal: bool = False,
    ) -> None:
        super().__init__(embed_dim, num_heads, dropout=dropout, bias=bias, batch_first=True)
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        mask = None
        if self.causal:
            mask = nn.Transformer.generate_square_subsequent_mask(
                x.shape[1], device=x.device, dtype=x.dtype
            )
        out, _ = super().forward(x, x, x, attn_mask=mask, need_weights=False, is_causal=self.causal)
        return out


class TransformerBlock(nn.TransformerEncoderLayer):
    """One batch-first Transformer encoder layer, optionally with a causal mask."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        causal: bool = False,
    ) -> None:
        super().__init__(
            d_model,
            nhead,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation,
            batch_first=True,
            norm_first=norm_first,
        )
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        mask = None
        if self.causal:
            mask = nn.Transformer.generate_square_subsequent_mask(
                x.shape[1], device=x.device, dtype=x.dtype
            )
        return super().forward(x, src_mask=mask, is_causal=self.causal)


class TransformerStack(nn.TransformerEncoder):
    """N identical batch-first encoder layers; keys match ``nn.TransformerEncoder``."""

    def __init__(
        self,
        d_model: int,
        nhead: int,
        num_layers: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        causal: bool = False,
    ) -> None:
        layer = nn.TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation,
            batch_first=True,
            norm_first=norm_first,
        )
        super().__init__(layer, num_layers, enable_nested_tensor=False)
        self.causal = causal

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        mask = None
        if self.causal:
            mask = nn.Transformer.generate_square_subsequent_mask(
                x.shape[1], device=x.device, dtype=x.dtype
            )
        return super().forward(x, mask=mask, is_causal=self.causal)


def _recurrent_outputs(
    out: torch.Tensor, h: torch.Tensor, last_only: bool, num_directions: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Turn torch's (seq, layer-major hidden) into batch-first block outputs."""
    return (out[:, -1] if last_only else out), _final_state(h, num_directions)


def _final_state(h: torch.Tensor, num_directions: int) -> torch.Tensor:
    """The top layer's final state, B×(directions·hidden); a plain view when unidirectional."""
    if num_directions == 1:
        return h[-1]
    return h[-num_directions:].transpose(0, 1).reshape(h.shape[1], -1)


class RNNBlock(nn.RNN):
    """Batch-first RNN returning (sequence or last step, final hidden state of the top layer)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        last_only: bool = False,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            nonlinearity=nonlinearity,
            bias=bias,
            batch_first=True,
            dropout=dropout,
            bidirectional=bidirectional,
        )
        self.last_only = last_only

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        out, h = super().forward(x)
        return _recurrent_outputs(out, h, self.last_only, 2 if self.bidirectional else 1)


class GRUBlock(nn.GRU):
    """Batch-first GRU returning (sequence or last step, final hidden state of the top layer)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        last_only: bool = False,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias=bias,
            batch_first=True,
            dropout=dropout,
            bidirectional=bidirectional,
        )
        self.last_only = last_only

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:  # type: ignore[override]
        out, h = super().forward(x)
        return _recurrent_outputs(out, h, self.last_only, 2 if self.bidirectional else 1)


class LSTMBlock(nn.LSTM):
    """Batch-first LSTM returning (sequence or last step, final hidden, final cell state)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        last_only: bool = False,
    ) -> None:
        super().__init__(
            input_size,
            hidden_size,
            num_layers,
            bias=bias,
            batch_first=True,
            dropout=dropout,
            bidirectional=bidirectional,
        )
        self.last_only = last_only

    def forward(  # type: ignore[override]
        self, x: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        out, (h, c) = super().forward(x)
        d = 2 if self.bidirectional else 1
        seq, final_h = _recurrent_outputs(out, h, self.last_only, d)
        return seq, final_h, _final_state(c, d)
