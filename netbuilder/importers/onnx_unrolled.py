"""A plain ``nn.RNN`` that torch's ONNX exporter wrote out step by step.

The dynamo exporter has no ONNX ``RNN`` node for ``nn.RNN`` (nor for NetBuilder's RNN
block, a subclass of it): it unrolls the layer into one MatMul, Add and Tanh (or Relu) per
time step. The biases keep their parameter names
(``rnn.bias_ih_l0``, ``rnn.bias_hh_l1_reverse``) and each is added to the product with the
weight it belongs to, so the layer's parameters can be read back by those names and the
layer rebuilt as one ``nn.RNN``. The importer's output check (within 1e-5 of onnxruntime)
then confirms the rebuild; a layer without biases has no names to go by and is refused.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import torch

from netbuilder.importers.torch_map import Unmapped


def unrolled_rnn(r: Any) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The ``nn.RNN`` arguments and state_dict of the unrolled layer of group reader ``r``."""
    pattern = re.compile(rf"^{re.escape(r.group.path)}\.bias_(ih|hh)_l(\d+)(_reverse)?$")
    state: dict[str, torch.Tensor] = {}
    for n in r.group.nodes:
        if n.op_type != "Add" or len(n.input) != 2:
            continue
        for bias, other in ((n.input[0], n.input[1]), (n.input[1], n.input[0])):
            found = pattern.match(bias)
            product = r.producer.get(other)
            if not found or bias not in r.consts or product is None:
                continue
            if product.op_type != "MatMul":
                continue
            weight = next((i for i in product.input if i in r.consts), None)
            if weight is None:
                continue
            key = f"{found[1]}_l{found[2]}{found[3] or ''}"
            w = torch.from_numpy(np.array(r.consts[weight], dtype=np.float32, copy=True)).T
            state[f"weight_{key}"] = w.contiguous()
            state[f"bias_{key}"] = torch.from_numpy(
                np.array(r.consts[bias], dtype=np.float32, copy=True)
            )
    if "weight_ih_l0" not in state or "weight_hh_l0" not in state:
        raise Unmapped(
            "the RNN layer is written out step by step without named biases, so its "
            "weights cannot be told apart (export it with bias=True, or as an LSTM/GRU)"
        )
    ops = {n.op_type for n in r.group.nodes}
    if "Relu" in ops and "Tanh" in ops:
        raise Unmapped("the step-by-step RNN uses both tanh and ReLU")
    kwargs = {
        "input_size": int(state["weight_ih_l0"].shape[1]),
        "hidden_size": int(state["weight_hh_l0"].shape[1]),
        "num_layers": 1 + max(int(k.split("_l")[1].split("_")[0]) for k in state),
        "bias": True,
        "bidirectional": any(k.endswith("_reverse") for k in state),
        "nonlinearity": "relu" if "Relu" in ops else "tanh",
    }
    return kwargs, state


def _results(r: Any) -> list[str]:
    """Values the group makes that no node of the group reads: what it hands out."""
    return [o for n in r.group.nodes for o in n.output if o and o not in r.consumers]


def unrolled_last_only(r: Any, probe_batch: int = 3) -> bool:
    """NetBuilder's RNN block hands out the last step only when none of the group's
    results is a batch-first sequence."""
    shapes = [r.probe.get(v) for v in _results(r)]
    return not any(s and len(s) == 3 and s[0] == probe_batch for s in shapes)


def unrolled_port(
    r: Any, value: str, external: str, index: int, probe_batch: int = 3
) -> int | None:
    """Port of ``value``, the ``index``-th result leaving the unrolled layer: the step-by-
    step form does not mark which is which, so results carrying the batch take the ports
    in file order (output, then final state); the output check (against onnxruntime)
    refuses a wrong guess. None for a result without the batch (torch's full state)."""
    shape = r.probe.get(value)
    if not shape or len(shape) not in (2, 3):
        return None
    batch_axis = 0 if len(shape) == 2 or r.takes_batch_first(external) else 1
    return index if shape[batch_axis] == probe_batch else None
