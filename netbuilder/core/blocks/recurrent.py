"""Recurrent blocks (RNN, LSTM, GRU), batch-first, with the final states on ports of their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netbuilder.core.blocks.spec import (
    BlockSpec,
    Param,
    need_rank,
    own_layer,
    single,
    spec_text,
)
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.i18n import N_, _
from netbuilder.core.tensor import TensorSpec

if TYPE_CHECKING:
    from torch import nn

#: Gate blocks per cell: an LSTM has four, a GRU three, a plain RNN one.
_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


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
    block: str, layer: str, doc: str, with_cell: bool, extra: tuple[Param, ...] = ()
) -> BlockSpec:
    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        x = single(ins)
        need_rank(block, x, (2,), N_("a sequence (time × features)"))
        t, f = x.shape
        if p["input_size"] is not None and p["input_size"] != f:
            raise ShapeError(
                _(
                    "{block} expects {expected} features per step but receives {actual} "
                    "(input {shape})"
                ).format(block=block, expected=p["input_size"], actual=f, shape=spec_text(x)),
                _("Set input_size to {actual}, or leave it empty to infer it.").format(actual=f),
            )
        if p["dropout"] > 0 and p["num_layers"] == 1:
            raise ShapeError(
                _(
                    "{block}: dropout only acts between stacked layers, and there is only one"
                ).format(block=block),
                _("Set num_layers to 2 or more, or dropout to 0."),
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
        return own_layer(layer), kwargs

    def count(p: dict[str, Any], ins: list[TensorSpec]) -> int:
        """Per layer and direction: input and hidden weights, and two biases, per gate."""
        h, dirs, gates = p["hidden_size"], 2 if p["bidirectional"] else 1, _GATES[block]
        total = 0
        for i in range(p["num_layers"]):
            width = ins[0].shape[1] if i == 0 else h * dirs
            per_direction = gates * h * (width + h) + (2 * gates * h if p["bias"] else 0)
            total += per_direction * dirs
        return total

    return BlockSpec(
        type=block,
        category="Recurrent",
        doc=doc,
        params=_params(extra),
        outputs=("out", "h", "c") if with_cell else ("out", "h"),
        infer=infer,
        module=module,
        count=count,
        key_params=("hidden_size", "num_layers", "output"),
    )


SPECS = [
    _recurrent(
        "LSTM",
        "LSTMBlock",
        "Long short-term memory: a recurrent layer with gates that keep long-range "
        "memory. 'h' and 'c' carry the final hidden and cell states.",
        True,
    ),
    _recurrent(
        "GRU",
        "GRUBlock",
        "Gated recurrent unit: a lighter LSTM with two gates. 'h' is the final state.",
        False,
    ),
    _recurrent(
        "RNN",
        "RNNBlock",
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
