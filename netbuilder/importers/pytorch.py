"""Import a PyTorch ``nn.Module`` as a diagram with its weights.

**This runs the user's code**: loading ``model.py`` executes it, and tracing calls the
module's ``forward``. The CLI help and the GUI dialog say so before anything is run.

The module is traced with ``torch.fx.symbolic_trace`` (layers NetBuilder knows are kept as
leaves); each call becomes a block (``torch_map``, ``torch_functions``) and the result must
reproduce the original's outputs within 1e-5 before it is returned. Anything without an
exact block is reported with its module path and source line, all at once.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from netbuilder.core.tensor import TensorSpec
from netbuilder.importers.errors import ModelImportError, Problem, UnmappedError
from netbuilder.importers.graph import GraphInput, ImportResult, Layer, NeutralGraph, finish
from netbuilder.importers.repeats import scope_of
from netbuilder.importers.torch_functions import (
    FUNCTIONS,
    METHODS,
    Call,
    Value,
    index_block,
    is_value,
    map_call,
)
from netbuilder.importers.torch_map import Unmapped, layer_weights, map_module, netbuilder_layer
from netbuilder.importers.user_code import (
    _user_error,
    documented_shapes,
    instantiate,
    load_class,
    source_location,
)


class _Tracer(fx.Tracer):
    """Keeps every layer NetBuilder maps (and its own layers) as one call."""

    def __init__(self) -> None:
        super().__init__()
        self.record_stack_traces = True

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return netbuilder_layer(m) is not None or super().is_leaf_module(m, qualname)


def trace(model: nn.Module) -> fx.GraphModule:
    """Symbolic trace; ModelImportError naming the cause when the code cannot be traced."""
    tracer = _Tracer()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            graph = tracer.trace(model)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ModelImportError(
            f"torch.fx cannot trace {type(model).__name__}: {_user_error(exc)} "
            "(data-dependent control flow such as `if x.sum() > 0` cannot be traced)"
        ) from None
    return fx.GraphModule(tracer.root, graph, type(model).__name__)


def _location(node: fx.Node) -> str:
    """``model.py:12``: the innermost frame of the user's code in the node's stack trace."""
    return source_location(node.stack_trace)


def _callee(node: fx.Node) -> str:
    """``torch.nn.functional.pad`` / ``Tensor.chunk()``: what the node calls, in full."""
    if node.op == "call_method":
        return f"Tensor.{node.target}()"
    target = node.target
    module = getattr(target, "__module__", None) or ""
    module = module.lstrip("_") if module in ("_operator", "_functools") else module
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", str(target))
    if name.startswith("_VariableFunctionsClass."):  # torch's C functions (torch.roll...)
        return f"torch.{name.split('.', 1)[1]}"
    return f"{module}.{name}" if module and module != "builtins" else str(name)


def _describe(node: fx.Node) -> str:
    loc = _location(node)
    if node.op == "call_module":
        what = f"self.{node.target}"
    elif node.op == "call_method":
        what = f".{node.target}()"
    else:
        what = getattr(node.target, "__name__", str(node.target))
    return f"{node.name} ({what}{', ' + loc if loc else ''})"


class _Shapes(fx.Interpreter):
    """Runs the traced module once and remembers every tensor shape it sees."""

    def __init__(self, gm: fx.GraphModule) -> None:
        super().__init__(gm)
        self.shapes: dict[fx.Node, Any] = {}

    def run_node(self, n: fx.Node) -> Any:
        result = super().run_node(n)
        self.shapes[n] = _shape_tree(result)
        return result


def _shape_tree(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if isinstance(value, list | tuple):
        return tuple(_shape_tree(v) for v in value)
    return None


class _Full:
    """A layers × batch × hidden state tensor: only ``[-1]`` (top layer) is a wire."""

    def __init__(self, top: Value | None) -> None:
        self.top = top


class _Helper:
    """A size or shape read from a tensor, used to compute another shape."""


class _Walker:
    def __init__(
        self, gm: fx.GraphModule, shapes: dict[fx.Node, Any], allow_opaque: bool = False
    ) -> None:
        self.gm = gm
        self.allow_opaque = allow_opaque
        self.opaque: list[str] = []
        self.shapes = shapes
        self.graph = NeutralGraph()
        self.env: dict[fx.Node, Any] = {}
        self.problems: list[Problem] = []

    def value(self, a: Any) -> Any:
        return fx.node.map_arg(a, lambda n: self.env.get(n))

    def walk(self, specs: Sequence[TensorSpec]) -> NeutralGraph:
        placeholders = [n for n in self.gm.graph.nodes if n.op == "placeholder"]
        if len(placeholders) != len(specs):
            raise ModelImportError(
                f"forward() takes {len(placeholders)} inputs but {len(specs)} input shapes "
                "were given (--input-shape A,B for several)"
            )
        for n, spec in zip(placeholders, specs, strict=True):
            self.env[n] = Value(n.name)
            self.graph.inputs.append(GraphInput(n.name, spec, n.name))
        for n in self.gm.graph.nodes:
            if n.op == "placeholder":
                continue
            if n.op == "output":
                self._output(n)
                continue
            if any(self.env.get(a, 0) is None for a in n.all_input_nodes):
                # fed by an unmapped node (reported already): report it only if it has no
                # block of its own either, so the list holds every real gap once
                reason = self._own_problem(n)
                if reason:
                    self.problems.append(Problem(_describe(n), reason))
                self.env[n] = None
                continue
            try:
                self._node(n)
            except Unmapped as exc:
                reason = str(exc)
                if self.allow_opaque:
                    try:
                        self._opaque(n)
                        continue
                    except Unmapped as why:
                        reason = f"{reason}; it cannot be kept as a Python op either: {why}"
                self.problems.append(Problem(_describe(n), reason))
                self.env[n] = None
        if self.problems:
            raise UnmappedError(
                f"{len(self.problems)} operation(s) of the model have no NetBuilder block",
                self.problems,
            )
        return self.graph

    def _opaque(self, n: fx.Node) -> None:
        """Keep ``n`` as a PythonOp block that runs a copy of the original call."""
        from netbuilder.core.blocks.opaque_registry import register_op

        shape = self.shapes.get(n)
        if not (isinstance(shape, tuple) and shape and all(isinstance(d, int) for d in shape)):
            raise Unmapped("it does not return a single tensor")
        if shape[0] != 2:
            raise Unmapped("its result does not keep the batch dimension first")
        graph = fx.Graph()
        mapping: dict[fx.Node, fx.Node] = {}
        inputs: list[Value] = []
        for a in n.all_input_nodes:
            value = self.env.get(a)
            if a.op == "get_attr":
                mapping[a] = graph.node_copy(a)
            elif is_value(value):
                mapping[a] = graph.placeholder(f"x{len(inputs)}")
                inputs.append(value)
            else:
                raise Unmapped("an input is computed from tensor sizes or by an unmapped call")
        if not 1 <= len(inputs) <= 8:
            raise Unmapped(f"it takes {len(inputs)} tensors (a Python op takes 1 to 8)")
        graph.output(graph.node_copy(n, lambda a: mapping[a]))
        module = fx.GraphModule(self.gm, graph, "PythonOp")
        key = uuid.uuid4().hex
        register_op(key, module)
        loc = _location(n)
        text = f"{_callee(n) if n.op != 'call_module' else 'self.' + str(n.target)}"
        text += f" at {loc}" if loc else ""
        weights = {f"op.{k}": v.detach() for k, v in module.state_dict().items()}
        params = {"op": text[:200], "key": key, "num_inputs": len(inputs)}
        self.env[n] = self._add(n, n.name, "PythonOp", params, inputs, weights=weights)[0]
        self.opaque.append(text)

    def _own_problem(self, n: fx.Node) -> str | None:
        """Why ``n`` has no block whatever its inputs are, or None if it has one."""
        if n.op == "call_module":
            m = self.gm.get_submodule(str(n.target))
            if type(m) is nn.Identity:
                return None
            try:
                map_module(m)
            except Unmapped as exc:
                return str(exc)
            return None
        if n.op == "call_function" and (n.target is getattr or n.target.__name__ == "getitem"):
            return None
        if n.op == "call_method" and n.target in ("size", "dim", "__getitem__"):
            return None
        known = FUNCTIONS if n.op == "call_function" else METHODS
        return None if n.target in known else f"{_callee(n)} has no NetBuilder block"

    def _output(self, n: fx.Node) -> None:
        result = self.value(n.args[0])
        items = list(result) if isinstance(result, list | tuple) else [result]
        for i, item in enumerate(items):
            if item is None:
                continue  # made by an unmapped node, already reported
            if not is_value(item):
                self.problems.append(Problem(f"output {i + 1}", "it is not a single tensor"))
            else:
                self.graph.outputs.append(item)

    def _add(
        self,
        n: fx.Node,
        name: str,
        block: str,
        params: dict[str, Any],
        inputs: list[Any],
        ports: int = 1,
        weights: dict[str, torch.Tensor] | None = None,
    ) -> list[Value]:
        for v in inputs:
            if not is_value(v):
                raise Unmapped("one of its inputs is not a tensor NetBuilder carries")
        outs = [Value(f"{n.name}:{i}") for i in range(ports)]
        own = str(n.target) if n.op == "call_module" else ""
        scope = scope_of(n.meta.get("nn_module_stack"), own)
        self.graph.layers.append(
            Layer(name, block, params, list(inputs), list(outs), weights or {}, _describe(n), scope)
        )
        return outs

    def _node(self, n: fx.Node) -> None:
        if n.op == "get_attr":
            self.env[n] = _Helper()  # parameters used directly: unmapped where consumed
            return
        if n.op == "call_module":
            self._module(n)
            return
        args = self.value(n.args)
        kwargs = self.value(n.kwargs)
        if n.op == "call_function" and n.target is getattr:
            self.env[n] = _Helper()  # x.shape
            return
        if (n.op == "call_function" and n.target.__name__ == "getitem") or (
            n.op == "call_method" and n.target == "__getitem__"
        ):
            self._getitem(n, args)
            return
        if n.op == "call_method" and n.target in ("size", "dim"):
            self.env[n] = _Helper()
            return
        op = FUNCTIONS.get(n.target) if n.op == "call_function" else METHODS.get(n.target)
        if op is None:
            raise Unmapped(f"{_callee(n)} has no NetBuilder block")
        if any(isinstance(a, _Helper) for a in args[1:]) and op != "reshape":
            raise Unmapped("an argument is computed from tensor sizes at run time")
        first = self.shapes.get(n.args[0]) if n.args and isinstance(n.args[0], fx.Node) else None
        call = Call(op, tuple(args), dict(kwargs), first, self.shapes.get(n))
        result = map_call(call)
        if result[0] == "alias":
            self.env[n] = result[1]
            return
        _, block, params, inputs = result
        self.env[n] = self._add(n, n.name, block, params, inputs)[0]

    def _getitem(self, n: fx.Node, args: tuple[Any, ...]) -> None:
        base, index = args[0], args[1]
        if isinstance(base, _Helper):
            self.env[n] = _Helper()
        elif isinstance(base, tuple | list) and isinstance(index, int):
            self.env[n] = base[index]
        elif isinstance(base, _Full):
            if index != -1:
                raise Unmapped(
                    f"state[{index}]: only the top layer's final state (state[-1]) is a wire"
                )
            if base.top is None:
                raise Unmapped("state[-1] of a bidirectional layer is one direction only")
            self.env[n] = base.top
        elif is_value(base):
            rank = len(self.shapes.get(n.args[0]) or ())
            block, params = index_block(index, rank)
            self.env[n] = self._add(n, n.name, block, params, [base])[0]
        else:
            raise Unmapped("it indexes something NetBuilder does not carry")

    def _module(self, n: fx.Node) -> None:
        m = self.gm.get_submodule(str(n.target))
        args = self.value(n.args)
        kwargs = {k: v for k, v in self.value(n.kwargs).items() if v is not None}
        if type(m) is nn.Identity:
            self.env[n] = args[0]
            return
        block, params = map_module(m)
        name = str(n.target)
        weights = layer_weights(m)
        own = netbuilder_layer(m)
        if isinstance(m, nn.MultiheadAttention):
            kwargs.pop("need_weights", None)
            if len(args) < 3 or not (args[0] == args[1] == args[2]) or kwargs or len(args) > 3:
                raise Unmapped(
                    "attention with different query/key/value or masks (self-attention only)"
                )
            out = self._add(n, name, block, params, [args[0]], weights=weights)[0]
            self.env[n] = out if own else (out, _Helper())
            return
        if kwargs or len(args) != 1:
            raise Unmapped(f"{type(m).__name__} called with extra arguments (states or masks)")
        if isinstance(m, nn.RNNBase):
            d = 2 if m.bidirectional else 1
            ports = 3 if block == "LSTM" else 2
            outs = self._add(n, name, block, params, [args[0]], ports, weights)
            if own:
                self.env[n] = tuple(outs)
                return
            top = [o if d == 1 else None for o in outs[1:]]
            state = (_Full(top[0]), _Full(top[1])) if block == "LSTM" else _Full(top[0])
            self.env[n] = (outs[0], state)
            return
        self.env[n] = self._add(n, name, block, params, [args[0]], weights=weights)[0]


def input_specs(
    model: nn.Module, shapes: Sequence[tuple[tuple[int, ...], str]] | None
) -> list[TensorSpec]:
    """Per-sample specs from ``--input-shape``, or guessed from a first Linear/Embedding."""
    first = next((m for m in model.modules() if not list(m.children())), None)
    shapes = shapes or documented_shapes(model)
    if shapes:
        specs = []
        for dims, dtype in shapes:
            vocab = first.num_embeddings if isinstance(first, nn.Embedding) else None
            if isinstance(first, nn.Embedding) and dtype == "float" and len(dims) == 2:
                dtype = "long"  # token ids feed an Embedding
            specs.append(TensorSpec(tuple(dims[1:]), dtype, vocab if dtype == "long" else None))
        return specs
    if isinstance(first, nn.Linear):
        return [TensorSpec((first.in_features,))]
    raise ModelImportError(
        "the input size cannot be guessed from the model; give it with --input-shape "
        "(for example 1x3x224x224 for images, 1x32x8 for sequences, 1x32:long for tokens)"
    )


def import_module(
    model: nn.Module,
    shapes: Sequence[tuple[tuple[int, ...], str]] | None = None,
    name: str = "",
    allow_opaque: bool = False,
    subblocks: bool = True,
) -> ImportResult:
    """Map ``model`` to a diagram with its weights; ModelImportError with every problem.

    With ``subblocks``, calls of one module class that are wired alike become sub-blocks."""
    specs = input_specs(model, shapes)
    model.eval()
    gm = trace(model)
    shapes_seen = _Shapes(gm)
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(0)
        example = tuple(s.example(2) for s in specs)
        try:
            shapes_seen.run(*example)
        except Exception as exc:
            raise ModelImportError(
                f"the model fails on inputs of shapes "
                f"{', '.join(str((2, *s.shape)) for s in specs)}: {_user_error(exc)}"
            ) from None
    walker = _Walker(gm, shapes_seen.shapes, allow_opaque)
    graph = walker.walk(specs)
    graph.name = name or type(model).__name__
    notes = []
    if walker.opaque:
        notes.append(
            f"{len(walker.opaque)} operation(s) kept as Python ops that run the original code "
            f"and need it (export-code refuses them): {'; '.join(walker.opaque[:10])}"
        )
    return finish(graph, lambda xs: model(*xs), notes, subblocks=subblocks)


def import_python_file(
    path: str | Path,
    class_name: str,
    args_json: str | None = None,
    shapes: Sequence[tuple[tuple[int, ...], str]] | None = None,
    allow_opaque: bool = False,
    subblocks: bool = True,
) -> ImportResult:
    """``model.py`` + ``ClassName``: runs the file, builds the class, imports the module."""
    cls = load_class(path, class_name)
    model = instantiate(cls, args_json, f"{Path(path).name}:{class_name}")
    return import_module(model, shapes, class_name, allow_opaque, subblocks)
