"""Recurrent blocks (RNN, LSTM, GRU), batch-first, with the final states on ports of their own."""

from __future__ import annotations

from typing import Any

from torch import nn

from netbuilder.core import layers
from netbuilder.core.blocks.spec import BlockSpec, Param, need_rank, single, spec_text
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.tensor import TensorSpec


def _params(extra: tuple[Param, ...] = ()) -> tuple[Param, ...]:
    return (
        Param("hidden_size", "int", 64, "Size of the hidden state.", 1, 65536),
        Param("num_layers", "int", 1, "Recurrent layers stacked on each other.", 1, 64),
        Param("bidirectional", "bool", False, "Also read the sequence backwards."),
        Param(
            "dropout", "float", 0.0, "Dropout between stacked layers (needs 2+ layers).", 0.0, 0.99
        ),
        Param(
            "output",
            "choice",
            "last",
            "What flows on from 'out': every time step (sequence) or only the last one.",
            choices=("sequence", "last"),
        ),
        *extra,
        Param("bias", "bool", True, "Learn bias terms."),
        Param(
            "input_size",
            "int",
            None,
            "Features per step; inferred when empty.",
            1,
            65536,
            optional=True,
        ),
    )


def _recurrent(
    block: str, cls: type[nn.Module], doc: str, with_cell: bool, extra: tuple[Param, ...] = ()
) -> BlockSpec:
    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = single(ins)
        need_rank(block, x, (2,), "a sequence (time × features)")
        t, f = x.shape
        if p["input_size"] is not None and p["input_size"] != f:
            raise ShapeError(
                f"{block} expects {p['input_size']} features per step but receives "
                f"{f} (input {spec_text(x)})",
                f"Set input_size to {f}, or leave it empty to infer it.",
            )
        if p["dropout"] > 0 and p["num_layers"] == 1:
            raise ShapeError(
                f"{block}: dropout only acts between stacked layers, and there is only one",
                "Set num_layers to 2 or more, or dropout to 0.",
            )
        width = p["hidden_size"] * (2 if p["bidirectional"] else 1)
        out = TensorSpec((width,)) if p["output"] == "last" else TensorSpec((t, width))
        states = [TensorSpec((width,))] * (2 if with_cell else 1)
        return [out, *states]

    def module(p: dict[str, Any], ins: list[TensorSpec]) -> tuple[type[nn.Module], dict]:
        kwargs = dict(
            input_size=ins[0].shape[1],
            hidden_size=p["hidden_size"],
            num_layers=p["num_layers"],
            bias=p["bias"],
            dropout=p["dropout"],
            bidirectional=p["bidirectional"],
            last_only=p["output"] == "last",
        )
        if "nonlinearity" in p:
            kwargs["nonlinearity"] = p["nonlinearity"]
        return cls, kwargs

    return BlockSpec(
        type=block,
        category="Recurrent",
        doc=doc,
        params=_params(extra),
        outputs=("out", "h", "c") if with_cell else ("out", "h"),
        infer=infer,
        module=module,
        key_params=("hidden_size", "num_layers", "output"),
    )


SPECS = [
    _recurrent(
        "LSTM",
        layers.LSTMBlock,
        "Long short-term memory: a recurrent layer with gates that keep long-range "
        "memory. 'h' and 'c' carry the final hidden and cell states.",
        True,
    ),
    _recurrent(
        "GRU",
        layers.GRUBlock,
        "Gated recurrent unit: a lighter LSTM with two gates. 'h' is the final state.",
        False,
    ),
    _recurrent(
        "RNN",
        layers.RNNBlock,
        "Plain (Elman) recurrent layer: each step mixes the input with the last state.",
        False,
        (
            Param(
                "nonlinearity",
                "choice",
                "tanh",
                "Activation inside the cell.",
                choices=("tanh", "relu"),
            ),
        ),
    ),
]
