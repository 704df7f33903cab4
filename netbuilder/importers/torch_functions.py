"""Which block a traced function or tensor method call is (``x + y``, ``torch.cat``, ``view``...).

Calls are matched by what they compute for the shapes seen while tracing, not by spelling:
``x.view(x.size(0), -1)``, ``x.reshape(-1, 512)`` and ``torch.flatten(x, 1)`` all become
the block that gives each sample the traced output shape, and the import is only accepted
after the whole diagram reproduces the original's outputs on other batch sizes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.nn import functional as F

from netbuilder.importers.torch_map import Unmapped

FUNCTIONS: dict[Any, str] = {
    operator.add: "add",
    operator.iadd: "add",
    torch.add: "add",
    operator.mul: "mul",
    operator.imul: "mul",
    torch.mul: "mul",
    torch.cat: "cat",
    torch.concat: "cat",
    torch.flatten: "flatten",
    torch.reshape: "reshape",
    torch.permute: "permute",
    torch.transpose: "transpose",
    torch.relu: "relu",
    F.relu: "relu",
    torch.sigmoid: "sigmoid",
    F.sigmoid: "sigmoid",
    torch.tanh: "tanh",
    F.tanh: "tanh",
    F.gelu: "gelu",
    F.silu: "silu",
    F.leaky_relu: "leaky_relu",
    F.softmax: "softmax",
    torch.softmax: "softmax",
    F.dropout: "dropout",
    F.max_pool2d: "max_pool2d",
    F.avg_pool2d: "avg_pool2d",
    F.adaptive_avg_pool2d: "adaptive_avg_pool2d",
    torch.mean: "mean",
}
METHODS = {
    "add": "add",
    "add_": "add",
    "mul": "mul",
    "mul_": "mul",
    "flatten": "flatten",
    "view": "reshape",
    "reshape": "reshape",
    "permute": "permute",
    "transpose": "transpose",
    "relu": "relu",
    "relu_": "relu",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softmax": "softmax",
    "mean": "mean",
    "contiguous": "identity",
}


@dataclass
class Call:
    """One normalised call: its op name, positional and keyword arguments, shapes seen."""

    op: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    in_shape: tuple[int, ...] | None  # full shape of the first tensor argument
    out_shape: tuple[int, ...] | None

    def arg(self, i: int, name: str, default: Any = None) -> Any:
        if len(self.args) > i:
            return self.args[i]
        return self.kwargs.get(name, default)


# What a mapped call becomes: ("block", type, params, tensor inputs) or ("alias", input)
Result = tuple[str, str, dict[str, Any], list[Any]] | tuple[str, Any]


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unmapped(f"{what} is computed at run time ({value!r}), not a fixed number")
    return value


def _ints(value: Any, what: str) -> list[int]:
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple):
        return [_int(v, what) for v in value]
    raise Unmapped(f"{what} {value!r} is not a list of numbers")


def _pool_size(value: Any, what: str) -> int:
    sizes = _ints(value, what)
    if len(set(sizes)) != 1:
        raise Unmapped(f"{what} {tuple(sizes)} differs per axis")
    return sizes[0]


def _dims_of(call: Call, first: int) -> list[Any]:
    """``permute(x, 0, 2, 1)`` and ``permute(x, (0, 2, 1))`` alike."""
    rest = list(call.args[first:])
    if len(rest) == 1 and isinstance(rest[0], list | tuple):
        return list(rest[0])
    if not rest and "dims" in call.kwargs:
        return list(call.kwargs["dims"])
    return rest


def _merge(call: Call, block: str) -> Result:
    a, b = call.arg(0, "input"), call.arg(1, "other")
    if call.kwargs.get("alpha", 1) != 1:
        raise Unmapped("add with alpha (a scaled sum)")
    if not (is_value(a) and is_value(b)):
        constant = b if is_value(a) else a
        raise Unmapped(
            f"{call.op} by the constant {constant!r}: a {block} block combines two tensors"
        )
    return ("block", block, {"num_inputs": 2}, [a, b])


def _reshape(call: Call) -> Result:
    if call.in_shape is None or call.out_shape is None:
        raise Unmapped("reshape of something that is not a tensor")
    if not call.out_shape or call.out_shape[0] != call.in_shape[0]:
        raise Unmapped(
            f"reshape from {call.in_shape} to {call.out_shape} mixes the batch with the rest"
        )
    return ("block", "Reshape", {"shape": list(call.out_shape[1:])}, [call.args[0]])


def _mean(call: Call) -> Result:
    dims = call.arg(1, "dim")
    if call.arg(2, "keepdim", False) or call.kwargs.get("dtype") is not None or dims is None:
        raise Unmapped("mean with keepdim, dtype or over everything")
    rank = len(call.in_shape or ())
    wanted = sorted(d % rank for d in _ints(dims, "mean dim"))
    if rank >= 3 and wanted == list(range(2, rank)) and rank in (3, 4):
        return ("block", "GlobalAvgPool", {}, [call.args[0]])
    if rank == 3 and wanted == [1]:
        return ("block", "SequencePool", {"mode": "mean"}, [call.args[0]])
    raise Unmapped(f"mean over dims {wanted} of a {rank}-D tensor (not a pooling block)")


def _activation(block: str, params: dict[str, Any] | None = None) -> Callable[[Call], Result]:
    def handle(call: Call) -> Result:
        if not is_value(call.arg(0, "input")):
            raise Unmapped(f"{call.op} of something that is not a tensor")
        return ("block", block, params or {}, [call.args[0]])

    return handle


def _pool(block: str) -> Callable[[Call], Result]:
    def handle(call: Call) -> Result:
        if call.arg(5 if "max" in call.op else 4, "ceil_mode", False):
            raise Unmapped("ceil_mode=True (NetBuilder pools round down)")
        if "max" in call.op:
            if call.arg(4, "dilation", 1) not in (1, (1, 1), [1, 1]):
                raise Unmapped("dilation other than 1")
            if call.arg(6, "return_indices", False):
                raise Unmapped("return_indices=True")
        elif not call.arg(5, "count_include_pad", True) or call.arg(6, "divisor_override"):
            raise Unmapped("count_include_pad=False or divisor_override")
        k = _pool_size(call.arg(1, "kernel_size"), "kernel_size")
        stride = call.arg(2, "stride")
        s = k if stride in (None, (), []) else _pool_size(stride, "stride")
        pad = _pool_size(call.arg(3, "padding", 0), "padding")
        return ("block", block, {"kernel_size": k, "stride": s, "padding": pad}, [call.args[0]])

    return handle


def _softmax(call: Call) -> Result:
    dim = call.arg(1, "dim")
    if dim is None:
        raise Unmapped("softmax without dim")
    return ("block", "Softmax", {"dim": _int(dim, "softmax dim")}, [call.args[0]])


def _flatten(call: Call) -> Result:
    start = _int(call.arg(1, "start_dim", 0), "start_dim")
    end = _int(call.arg(2, "end_dim", -1), "end_dim")
    if start == 0:
        raise Unmapped("flatten from dimension 0 joins the batch with the rest")
    return ("block", "Flatten", {"start_dim": start, "end_dim": end}, [call.args[0]])


def _permute(call: Call) -> Result:
    dims = [_int(d, "permute dims") for d in _dims_of(call, 1)]
    if not dims or dims[0] != 0:
        raise Unmapped(f"permute {dims} moves the batch dimension")
    return ("block", "Permute", {"dims": dims}, [call.args[0]])


def _transpose(call: Call) -> Result:
    a = _int(call.arg(1, "dim0"), "dim0")
    b = _int(call.arg(2, "dim1"), "dim1")
    return ("block", "Transpose", {"dim0": a, "dim1": b}, [call.args[0]])


def _cat(call: Call) -> Result:
    items = call.arg(0, "tensors")
    if not isinstance(items, list | tuple) or not all(is_value(t) for t in items):
        raise Unmapped("cat of something other than a list of tensors")
    if not 2 <= len(items) <= 16:
        raise Unmapped(f"cat of {len(items)} tensors (a Concatenate joins 2 to 16)")
    dim = _int(call.arg(1, "dim", 0), "cat dim")
    return ("block", "Concatenate", {"num_inputs": len(items), "dim": dim}, list(items))


def _dropout(call: Call) -> Result:
    p = call.arg(1, "p", 0.5)
    if not isinstance(p, int | float):
        raise Unmapped("dropout probability computed at run time")
    return ("block", "Dropout", {"p": float(p)}, [call.args[0]])


def _adaptive(call: Call) -> Result:
    n = _pool_size(call.arg(1, "output_size"), "output_size")
    return ("block", "AdaptiveAvgPool2d", {"output_size": n}, [call.args[0]])


HANDLERS: dict[str, Callable[[Call], Result]] = {
    "add": lambda c: _merge(c, "Add"),
    "mul": lambda c: _merge(c, "Multiply"),
    "cat": _cat,
    "flatten": _flatten,
    "reshape": _reshape,
    "permute": _permute,
    "transpose": _transpose,
    "relu": _activation("ReLU"),
    "sigmoid": _activation("Sigmoid"),
    "tanh": _activation("Tanh"),
    "silu": _activation("SiLU"),
    "gelu": lambda c: _activation("GELU", {"approximate": c.arg(1, "approximate", "none")})(c),
    "leaky_relu": lambda c: _activation(
        "LeakyReLU", {"negative_slope": float(c.arg(1, "negative_slope", 0.01))}
    )(c),
    "softmax": _softmax,
    "dropout": _dropout,
    "max_pool2d": _pool("MaxPool2d"),
    "avg_pool2d": _pool("AvgPool2d"),
    "adaptive_avg_pool2d": _adaptive,
    "mean": _mean,
    "identity": lambda c: ("alias", c.args[0]),
}


def map_call(call: Call) -> Result:
    """What ``call`` becomes; raises ``Unmapped`` with the reason."""
    handler = HANDLERS.get(call.op)
    if handler is None:  # pragma: no cover - ops come from FUNCTIONS/METHODS only
        raise Unmapped(f"{call.op} has no NetBuilder block")
    if not call.args or not (is_value(call.args[0]) or call.op == "cat"):
        raise Unmapped(f"{call.op} of something that is not a tensor")
    return handler(call)


def index_block(index: Any, rank: int) -> tuple[str, dict[str, Any]]:
    """``x[:, 0]`` / ``x[:, -1]`` on a batch × time × features tensor: a SequencePool."""
    full = slice(None, None, None)
    if rank == 3 and isinstance(index, tuple) and index[:1] == (full,):
        rest = index[1:]
        if rest in ((0,), (0, full)):
            return "SequencePool", {"mode": "first"}
        if rest in ((-1,), (-1, full)):
            return "SequencePool", {"mode": "last"}
    raise Unmapped(f"indexing [{_index_text(index)}] of a {rank}-D tensor has no block")


def _index_text(index: Any) -> str:
    items = index if isinstance(index, tuple) else (index,)

    def one(i: Any) -> str:
        if isinstance(i, slice):
            parts = ["" if v is None else str(v) for v in (i.start, i.stop)]
            return ":".join(parts) + (f":{i.step}" if i.step is not None else "")
        return str(i)

    return ", ".join(one(i) for i in items)


class Value(str):
    """The name of a tensor the diagram will carry on a wire."""


def is_value(x: Any) -> bool:
    return isinstance(x, Value)
