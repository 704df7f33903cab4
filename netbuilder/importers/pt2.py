"""Import a ``.pt2`` (``torch.export``) program as a diagram with its weights.

The archive is checked by ``safe_load_pt2`` (the allowlist that refuses anything that could
run code) before torch reads it; nothing from the file is executed except the ATen program
itself, which only runs tensor operations, to compare the imported diagram's outputs with
the program's. Operations are grouped by the layer they ran in (``aten_modules``); those
outside any known layer (residual adds, concatenations, reshapes...) map one by one.
"""

from __future__ import annotations

import operator
import os
from pathlib import Path
from typing import Any

import torch
from torch import fx

from netbuilder.core.tensor import TensorSpec
from netbuilder.importers.aten_modules import layer_kind, op_name, rebuild
from netbuilder.importers.errors import ModelImportError, Problem, UnmappedError
from netbuilder.importers.graph import GraphInput, ImportResult, Layer, NeutralGraph, finish
from netbuilder.importers.repeats import scope_of
from netbuilder.importers.torch_functions import Call, Value, index_block, is_value, map_call
from netbuilder.importers.torch_map import Unmapped, map_module
from netbuilder.importers.user_code import source_location

# ATen operations outside any layer, as the names ``torch_functions`` maps
ATEN_CALLS = {
    "add": "add",
    "add_": "add",
    "mul": "mul",
    "mul_": "mul",
    "relu_": "relu",
    "cat": "cat",
    "concat": "cat",
    "relu": "relu",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "silu": "silu",
    "gelu": "gelu",
    "leaky_relu": "leaky_relu",
    "softmax": "softmax",
    "_softmax": "softmax",
    "flatten": "flatten",
    "view": "reshape",
    "reshape": "reshape",
    "_unsafe_view": "reshape",
    "permute": "permute",
    "transpose": "transpose",
    "mean": "mean",
    "dropout": "dropout",
    "max_pool2d": "max_pool2d",
    "avg_pool2d": "avg_pool2d",
    "adaptive_avg_pool2d": "adaptive_avg_pool2d",
}
IDENTITY = {"alias", "contiguous", "clone", "detach", "lift_fresh_copy"}
HELPERS = {"sym_size", "sym_numel", "sym_stride", "_assert_scalar", "sym_constrain_range_for_size"}


class _Full:
    """A layers × batch × hidden state: only ``select(0, -1)`` of it is a wire."""

    def __init__(self, top: Value | None) -> None:
        self.top = top


def _batchless(shape: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    if shape is None:
        return None
    return tuple("B" if i == 0 and not isinstance(d, int) else d for i, d in enumerate(shape))


def _val_shape(node: Any) -> tuple[Any, ...] | None:
    val = node.meta.get("val") if isinstance(node, fx.Node) else None
    return _batchless(tuple(val.shape)) if isinstance(val, torch.Tensor) else None


def _scope(node: fx.Node) -> tuple[str, str] | None:
    """(path, layer kind) of the outermost known layer ``node`` ran in."""
    stack = node.meta.get("nn_module_stack") or {}
    for path, cls in stack.values():
        kind = layer_kind(str(cls))
        if kind is not None and path:
            return str(path), kind
    return None


def _where(node: fx.Node) -> str:
    """``mul (aten.mul.Tensor in fc, model.py:12)``: the operation, its layer and the line
    of the exporting source (``stack_trace``, kept in the archive) that made it."""
    stack = node.meta.get("nn_module_stack") or {}
    inner = [p for p, _c in stack.values() if p]
    scope = f" in {inner[-1]}" if inner else ""
    line = source_location(node.meta.get("stack_trace"))
    return f"{node.name} ({node.target}{scope}{', ' + line if line else ''})"


def _group_where(path: str, kind: str, nodes: list[fx.Node]) -> str:
    line = next((loc for n in nodes if (loc := source_location(n.meta.get("stack_trace")))), "")
    return f"{path} ({kind}{', ' + line if line else ''})"


class _Program:
    def __init__(self, ep: torch.export.ExportedProgram) -> None:
        self.ep = ep
        sig = ep.graph_signature
        self.tensors: dict[str, torch.Tensor] = {**ep.state_dict, **ep.constants}
        self.lifted: dict[str, str] = {
            **sig.inputs_to_parameters,
            **sig.inputs_to_buffers,
            **sig.inputs_to_lifted_tensor_constants,
        }
        self.user_inputs = list(sig.user_inputs)
        self.graph = NeutralGraph()
        self.env: dict[fx.Node, Any] = {}
        self.problems: list[Problem] = []

    def specs(self) -> list[TensorSpec]:
        nodes = {n.name: n for n in self.ep.graph.nodes if n.op == "placeholder"}
        specs = []
        for name in self.user_inputs:
            val = nodes[name].meta.get("val")
            if not isinstance(val, torch.Tensor):
                raise ModelImportError(f"input {name!r} is not a tensor")
            rest = tuple(val.shape[1:])
            if not all(isinstance(d, int) for d in rest):
                raise ModelImportError(
                    f"input {name!r} has sizes that are not fixed ({tuple(val.shape)}); "
                    "NetBuilder needs every size but the batch"
                )
            dtype = "long" if val.dtype in (torch.int64, torch.int32) else "float"
            specs.append(TensorSpec(tuple(int(d) for d in rest), dtype, self._vocab(name)))
        return specs

    def _vocab(self, name: str) -> int | None:
        for n in self.ep.graph.nodes:
            if op_name(n) == "embedding" and getattr(n.args[1], "name", None) == name:
                weight = self.lifted.get(getattr(n.args[0], "name", ""))
                if weight in self.tensors:
                    return int(self.tensors[weight].shape[0])
        return None

    # ------------------------------------------------------------------ walking
    def walk(self) -> NeutralGraph:
        nodes = list(self.ep.graph.nodes)
        specs = self.specs()
        for name, spec in zip(self.user_inputs, specs, strict=True):
            self.graph.inputs.append(GraphInput(name, spec, name))
        groups = self._groups(nodes)
        member = {n: g for g in groups for n in g[2]}
        done: set[int] = set()
        for n in nodes:
            if n.op == "placeholder":
                if n.name in self.user_inputs:
                    self.env[n] = Value(n.name)
                continue
            if n.op == "output":
                self._output(n)
                continue
            group = member.get(n)
            if group is not None:
                if id(group) not in done:
                    done.add(id(group))
                    self._group(group)
                continue
            try:
                self._single(n)
            except Unmapped as exc:
                self.problems.append(Problem(_where(n), str(exc)))
                self.env[n] = None
        if self.problems:
            raise UnmappedError(
                f"{len(self.problems)} operation(s) of the program have no NetBuilder block",
                self.problems,
            )
        return self.graph

    def _groups(self, nodes: list[fx.Node]) -> list[tuple[str, str, list[fx.Node]]]:
        groups: list[tuple[str, str, list[fx.Node]]] = []
        current: tuple[str, str] | None = None
        for n in nodes:
            if n.op != "call_function" or op_name(n) in HELPERS or not _is_tensorish(n):
                continue
            scope = _scope(n)
            if scope is None:
                current = None
                continue
            if scope != current:
                groups.append((scope[0], scope[1], []))
                current = scope
            groups[-1][2].append(n)
        return groups

    def _group(self, group: tuple[str, str, list[fx.Node]]) -> None:
        path, kind, nodes = group
        inside = set(nodes)
        where = _group_where(path, kind, nodes)
        prefix = f"{path}."
        tensors = {k[len(prefix) :]: v for k, v in self.tensors.items() if k.startswith(prefix)}
        external = []
        for n in nodes:
            for a in n.all_input_nodes:
                if a in inside or (a.op == "placeholder" and a.name in self.lifted):
                    continue
                if not _is_tensorish(a):
                    continue
                if a not in external:
                    external.append(a)
        outputs = [n for n in nodes if any(u not in inside for u in n.users)]
        try:
            module = rebuild(kind, nodes, tensors)
            block, params = map_module(module)
            if len(external) != 1:
                raise Unmapped(f"the layer takes {len(external)} tensor inputs, blocks take one")
            source = self.env.get(external[0])
            if source is None:  # fed by an unmapped operation, which is reported
                for n in nodes:
                    self.env[n] = None
                return
            if not is_value(source):
                raise Unmapped("its input is not a tensor NetBuilder carries")
        except (Unmapped, KeyError, TypeError, ValueError, RuntimeError) as exc:
            reason = str(exc) if isinstance(exc, Unmapped) else f"cannot be read ({exc})"
            self.problems.append(Problem(where, reason))
            for n in nodes:
                self.env[n] = None
            return
        weights = {k: tensors[k] for k in module.state_dict() if k in tensors}
        ports = {"LSTM": 3, "GRU": 2, "RNN": 2}.get(block, 1)
        values = [Value(f"{path}:{i}") for i in range(ports)]
        scope = scope_of(nodes[0].meta.get("nn_module_stack"), path)
        self.graph.layers.append(
            Layer(path, block, params, [source], list(values), weights, where, scope)
        )
        if ports == 1:
            for n in outputs:
                self.env[n] = values[0]
            return
        own = kind.endswith("Block")
        for n in outputs:
            index = _rnn_index(n, inside)
            if index is None:
                self.env[n] = None
            elif index == 0 or own:
                self.env[n] = values[index]
            else:
                bidirectional = bool(params.get("bidirectional"))
                self.env[n] = _Full(None if bidirectional else values[index])

    def _single(self, n: fx.Node) -> None:
        if n.op != "call_function":
            raise Unmapped(f"{n.op} is not an operation NetBuilder maps")
        if n.target is operator.getitem:
            base = self.env.get(n.args[0])
            self.env[n] = base[n.args[1]] if isinstance(base, tuple) else None
            return
        name = op_name(n)
        if name in HELPERS or not _is_tensorish(n):
            self.env[n] = None
            return
        if any(self.env.get(a, 0) is None for a in n.all_input_nodes if _is_tensorish(a)):
            known = name in ATEN_CALLS or name in IDENTITY or name in ("select", "slice")
            if not known and n.target is not operator.getitem:
                self.problems.append(Problem(_where(n), f"{n.target} has no NetBuilder block"))
            self.env[n] = None  # fed by an unmapped node, which is reported
            return
        args = tuple(fx.node.map_arg(n.args, lambda a: self.env.get(a)))
        kwargs = dict(fx.node.map_arg(n.kwargs, lambda a: self.env.get(a)))
        if name in IDENTITY or (name == "slice" and _full_slice(n)):
            self.env[n] = args[0]
            return
        if name == "select":
            self._select(n, args)
            return
        if name == "dropout" and args[2:3] != (True,):
            args = args[:2]
        if name == "_softmax":
            args = args[:2]
        if name not in ATEN_CALLS:
            raise Unmapped(f"{n.target} has no NetBuilder block")
        first = n.args[0] if n.args else None
        call = Call(ATEN_CALLS[name], args, kwargs, _val_shape(first), _val_shape(n))
        result = map_call(call)
        if result[0] == "alias":
            self.env[n] = result[1]
            return
        _, block, params, inputs = result
        value = Value(n.name)
        scope = scope_of(n.meta.get("nn_module_stack"))
        self.graph.layers.append(
            Layer(n.name, block, params, list(inputs), [value], {}, _where(n), scope)
        )
        self.env[n] = value

    def _select(self, n: fx.Node, args: tuple[Any, ...]) -> None:
        base, dim, index = args[0], args[1], args[2]
        if isinstance(base, _Full):
            if dim != 0 or index != -1 or base.top is None:
                raise Unmapped("only the top layer's final state (state[-1]) is a wire")
            self.env[n] = base.top
            return
        shape = _val_shape(n.args[0]) or ()
        if dim != 1:
            raise Unmapped(f"select along dimension {dim} has no block")
        block, params = index_block((slice(None), index), len(shape))
        value = Value(n.name)
        self.graph.layers.append(Layer(n.name, block, params, [base], [value], {}, _where(n)))
        self.env[n] = value

    def _output(self, n: fx.Node) -> None:
        items = n.args[0] if isinstance(n.args[0], list | tuple) else [n.args[0]]
        for i, item in enumerate(items):
            value = self.env.get(item)
            if value is None:
                continue
            if not is_value(value):
                self.problems.append(Problem(f"output {i + 1}", "it is not a single tensor"))
            else:
                self.graph.outputs.append(value)


def _is_tensorish(n: fx.Node) -> bool:
    val = n.meta.get("val")
    if isinstance(val, torch.Tensor):
        return True
    return isinstance(val, list | tuple) and any(isinstance(v, torch.Tensor) for v in val)


def _full_slice(n: fx.Node) -> bool:
    args = list(n.args) + [None] * 5
    return args[2] in (None, 0) and (args[3] is None or args[3] >= 2**62) and args[4] in (None, 1)


def _rnn_index(n: fx.Node, inside: set[fx.Node]) -> int | None:
    """Which result of the recurrent operation (0 out, 1 h, 2 c) ``n`` derives from."""
    stack, seen = [n], set()
    while stack:
        cur = stack.pop()
        if cur in seen:
            continue
        seen.add(cur)
        if cur.target is operator.getitem and op_name(cur.args[0]) in (
            "lstm",
            "gru",
            "rnn_tanh",
            "rnn_relu",
        ):
            return int(cur.args[1])
        stack.extend(a for a in cur.all_input_nodes if a in inside)
    return None


def import_pt2(path: str | os.PathLike[str], subblocks: bool = True) -> ImportResult:
    """Read ``path`` safely and map its program; ModelImportError lists every problem.

    With ``subblocks``, repeated module calls recorded in the program become sub-blocks."""
    from netbuilder.core.safe_load import safe_load_pt2
    from netbuilder.export.errors import UnsafeFileError

    path = Path(path)
    try:
        ep = safe_load_pt2(path)
    except UnsafeFileError as exc:
        raise ModelImportError(f"{path}: refused: {exc}; nothing from it was run") from None
    except ValueError as exc:
        raise ModelImportError(f"{path}: {exc}") from None
    except Exception as exc:  # zip damage that the checks above do not catch (bad CRC...)
        raise ModelImportError(f"{path}: the .pt2 archive is damaged ({_first(exc)})") from None
    try:
        graph = _Program(ep).walk()
        graph.name = path.stem
        module = ep.module()
        return finish(graph, lambda xs: module(*xs), subblocks=subblocks)
    except ModelImportError as exc:
        exc.summary = f"{path}: {exc.summary}"
        exc.args = (exc.summary,)
        raise
    except Exception as exc:  # a program torch loads but that is inconsistent inside
        raise ModelImportError(f"{path}: the program cannot be read ({_first(exc)})") from None


def _first(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
