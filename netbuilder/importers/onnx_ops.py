"""ONNX operators → blocks, one node at a time (with the few two-node patterns exporters use).

Layers are rebuilt on the meta device from the node's attributes and weights and then mapped
by ``torch_map.map_module``, so the rules (square kernels, symmetric padding...) are the same
for every format. ``MatMul`` followed by ``Add`` of a vector is one Linear; ``Reshape`` to
B×C×(H·W) followed by a mean over the last axis is one GlobalAvgPool.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from netbuilder.importers.graph import Layer, NeutralGraph
from netbuilder.importers.onnx_groups import (
    CELLS,
    RECURRENT,
    find_groups,
    inner_scope,
    module_scope,
)
from netbuilder.importers.onnx_layers import (
    GroupReader,
    float32_value,
    rebuild,
    recurrent_port,
)
from netbuilder.importers.onnx_unrolled import unrolled_port
from netbuilder.importers.torch_functions import Value, index_block, is_value
from netbuilder.importers.torch_map import Unmapped, layer_weights, map_module
from netbuilder.importers.user_code import source_location

SHAPE = ("shape",)  # a Shape node's output: sizes, not a tensor a wire carries
ACTIVATIONS = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}


def _meta(cls: type[nn.Module], *args: Any, **kwargs: Any) -> nn.Module:
    with torch.device("meta"):
        return cls(*args, **kwargs)


def _symmetric(pads: list[int], what: str) -> list[int]:
    half = len(pads) // 2
    if pads[:half] != pads[half:]:
        raise Unmapped(f"{what} pads {pads} differ between the two sides")
    return pads[:half]


class OnnxMapper:
    CONSEQUENCE = "fed by an unmapped node"

    def __init__(
        self,
        model: Any,
        consts: dict[str, np.ndarray],
        shapes: dict[str, list[Any]],
        graph: NeutralGraph,
        probe: dict[str, list[Any]] | None = None,
    ) -> None:
        self.model = model
        self.consts = consts
        self.shapes = shapes
        self.probe = probe or {}
        self.graph = graph
        self.groups = find_groups(list(model.graph.node), consts)
        self.group_of = {id(n): g for g in self.groups for n in g.nodes}
        self.groups_done: set[int] = set()
        self.env: dict[str, Any] = {gi.value: Value(gi.value) for gi in graph.inputs}
        self.layers: dict[str, Layer] = {}  # output value -> the layer making it
        self.users: dict[str, int] = {}
        for node in model.graph.node:
            for i in node.input:
                self.users[i] = self.users.get(i, 0) + 1
        for out in model.graph.output:
            self.users[out.name] = self.users.get(out.name, 0) + 1

    # ------------------------------------------------------------------ helpers
    def where(self, node: Any) -> str:
        meta = {p.key: p.value for p in node.metadata_props}
        line = source_location(meta.get("pkg.torch.onnx.stack_trace"))
        group = self.group_of.get(id(node))
        if group is not None:
            return f"{group.kind} layer {group.path!r}" + (f" ({line})" if line else "")
        return self._where(node) + (f" ({line})" if line else "")

    def _where(self, node: Any) -> str:
        scopes = {p.key: p.value for p in node.metadata_props}.get("pkg.torch.onnx.name_scopes")
        scope = ""
        if scopes:
            parts = [s.strip(" '\"") for s in scopes.strip("[]").split(",")]
            inner = [p for p in parts if p]
            scope = f" in {inner[-2] if len(inner) > 1 else inner[-1]}" if inner else ""
        return f"{node.op_type} node {node.name or node.output[0]!r}{scope}"

    def name(self, node: Any) -> str:
        """The layer's module path when the exporter noted it (``layer1.0.conv1``), so the
        blocks are named like the original's layers; else the node's own name."""
        path = inner_scope(node)
        return path or node.name or node.output[0]

    def layer_class(self, node: Any) -> str | None:
        """The class name of the layer the node came from, when the exporter noted it."""
        meta = {p.key: p.value for p in node.metadata_props}
        classes = meta.get("pkg.torch.onnx.class_hierarchy", "")
        names = [c.strip(" '\"").rsplit(".", 1)[-1] for c in classes.strip("[]").split(",")]
        inner = [n for n in names if n and n not in ("Wrapper",)]
        return inner[-2] if len(inner) > 1 else None

    def fail(self, node: Any) -> None:
        for o in node.output:
            self.env[o] = None

    def attrs(self, node: Any) -> dict[str, Any]:
        from onnx import helper

        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    def const(self, name: str, what: str) -> np.ndarray:
        if name not in self.consts:
            raise Unmapped(f"its {what} is computed at run time, not stored in the file")
        return self.consts[name]

    def tensor(self, name: str) -> Value:
        value = self.env.get(name)
        if value is None and name in self.env:
            raise Unmapped(self.CONSEQUENCE)
        if not is_value(value):
            raise Unmapped(f"input {name!r} is not a tensor NetBuilder carries")
        return value

    def rank(self, name: str) -> int:
        shape = self.shapes.get(name)
        if shape is None:
            raise Unmapped(f"the shape of {name!r} is unknown")
        return len(shape)

    def add(self, node: Any, block: str, params: dict, inputs: list[Value],
            weights: dict[str, torch.Tensor] | None = None) -> Layer:  # fmt: skip
        out = Value(node.output[0])
        name = self.name(node)
        layer = Layer(name, block, params, inputs, [out], weights or {},
                      self.where(node), module_scope(node, ""))  # fmt: skip
        self.graph.layers.append(layer)
        self.layers[node.output[0]] = layer
        self.env[node.output[0]] = out
        return layer

    def add_module(self, node: Any, module: nn.Module, x: Value, weights: dict) -> Layer:
        block, params = map_module(module)
        tensors = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in weights.items()}
        return self.add(node, block, params, [x], tensors)

    def finish(self) -> None:
        """Drop layers whose output nobody reads (folded into a pattern)."""
        self.graph.layers = [la for la in self.graph.layers if not la.params.get("_dropped")]

    # ------------------------------------------------------------------ mapping
    def map(self, node: Any) -> None:
        group = self.group_of.get(id(node))
        if group is not None:
            if id(group) not in self.groups_done:
                self.groups_done.add(id(group))
                try:
                    self._group(group)
                except Exception as exc:
                    for n in group.nodes:
                        self.fail(n)
                    if isinstance(exc, Unmapped):
                        raise
                    # weights that do not fit the layer they seem to be (a damaged file)
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
                    raise Unmapped(f"the layer cannot be rebuilt ({first})") from None
            return
        op = node.op_type
        if all((not i) or i in self.consts for i in node.input) and node.input:
            return  # folded into constants already
        if op == "Constant":
            return
        handler = getattr(self, f"_{op}", None)
        if handler is None:
            if any(self.env.get(i, 0) is None and i in self.env for i in node.input):
                raise Unmapped(f"the {op} operator has no NetBuilder block")
            raise Unmapped(f"the {op} operator has no NetBuilder block")
        handler(node, self.attrs(node))

    def _group(self, group: Any) -> None:
        """One recurrent/attention/Transformer/positional layer, from all its nodes."""
        r = GroupReader(group, self.consts, self.probe)
        made = {o for n in group.nodes for o in n.output if o}
        external = []
        for n in group.nodes:
            for i in n.input:
                if i and i not in made and i not in self.consts and i not in external:
                    external.append(i)
        values = []
        for name in external:
            if self.env.get(name) is SHAPE:
                continue
            if name in self.env and self.env[name] is None:
                raise Unmapped(self.CONSEQUENCE)
            value = self.tensor(name)
            if value not in values:
                values.append(value)
        if len(values) != 1:
            raise Unmapped(f"the layer takes {len(values)} tensor inputs, blocks take one")
        source = next(n for n in external if self.env.get(n) == values[0])
        module = rebuild(r, source)
        block, params = map_module(module)
        leaving = [
            o
            for o in sorted(made, key=lambda v: _order(group.nodes, v))
            if self.users.get(o, 0) > len(r.consumers.get(o, []))
        ]
        ports = {"LSTM": 3, "GRU": 2, "RNN": 2}.get(block, 1)
        outs = [Value(f"{group.path}:{i}") for i in range(ports)]
        unrolled = group.kind in RECURRENT and not any(n.op_type in CELLS for n in group.nodes)
        for index, o in enumerate(leaving):
            port = recurrent_port(r, o) if group.kind in RECURRENT else 0
            if unrolled:  # nn.RNN written out step by step
                port = unrolled_port(r, o, source, index)
            if port is None or (port > 0 and not group.kind.endswith("Block")):
                raise Unmapped("a result other than the output sequence is used outside the layer")
            if ports == 1 and len(leaving) > 1:
                raise Unmapped("more than one of its results is used (attention weights?)")
            self.env[o] = outs[port]
        weights = {k: v.detach().clone() for k, v in layer_weights(module).items()}
        where = self.where(group.nodes[0])
        scope = module_scope(group.nodes[0], group.path)
        self.graph.layers.append(Layer(group.path, block, params, [values[0]], list(outs),
                                       weights, where, scope))  # fmt: skip

    def _Shape(self, node: Any, a: dict) -> None:
        """Sizes read at run time: only a layer group (zero initial states) may use them."""
        self.tensor(node.input[0])
        self.env[node.output[0]] = SHAPE

    def _Identity(self, node: Any, a: dict) -> None:
        self.env[node.output[0]] = self.tensor(node.input[0])

    def _Dropout(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        ratio = float(self.consts[node.input[1]]) if len(node.input) > 1 and node.input[1] else 0.5
        self.add(node, "Dropout", {"p": ratio}, [x])

    def _Conv(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        w = self.const(node.input[1], "weight")
        b = self.const(node.input[2], "bias") if len(node.input) > 2 and node.input[2] else None
        if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise Unmapped("auto_pad (give explicit pads)")
        k = tuple(int(v) for v in w.shape[2:])
        pads = _symmetric(list(a.get("pads", [0] * 2 * len(k))), "Conv")
        groups = int(a.get("group", 1))
        cls = {1: nn.Conv1d, 2: nn.Conv2d}.get(len(k))
        if cls is None:
            raise Unmapped(f"{len(k)}-D convolution")
        m = _meta(cls, w.shape[1] * groups, w.shape[0], k, stride=tuple(a.get("strides", [1])),
                  padding=tuple(pads), dilation=tuple(a.get("dilations", [1])), groups=groups,
                  bias=b is not None)  # fmt: skip
        self.add_module(node, m, x, {"weight": w, **({"bias": b} if b is not None else {})})

    def _ConvTranspose(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        w = self.const(node.input[1], "weight")
        b = self.const(node.input[2], "bias") if len(node.input) > 2 and node.input[2] else None
        k = tuple(int(v) for v in w.shape[2:])
        if len(k) != 2 or "output_shape" in a:
            raise Unmapped("only 2-D transposed convolutions without output_shape")
        groups = int(a.get("group", 1))
        m = _meta(nn.ConvTranspose2d, w.shape[0], w.shape[1] * groups, k,
                  stride=tuple(a.get("strides", [1, 1])),
                  padding=tuple(_symmetric(list(a.get("pads", [0, 0, 0, 0])), "ConvTranspose")),
                  output_padding=tuple(a.get("output_padding", [0, 0])), groups=groups,
                  dilation=tuple(a.get("dilations", [1, 1])), bias=b is not None)  # fmt: skip
        self.add_module(node, m, x, {"weight": w, **({"bias": b} if b is not None else {})})

    def _Gemm(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
            raise Unmapped("Gemm with transA, alpha or beta (not a plain Linear)")
        w = self.const(node.input[1], "weight")
        w = w if a.get("transB", 0) else w.T
        weights = {"weight": w}
        if len(node.input) > 2 and node.input[2]:
            bias = self.const(node.input[2], "bias")
            if bias.shape != (w.shape[0],):
                raise Unmapped("Gemm bias that is not one value per output")
            weights["bias"] = bias
        m = _meta(nn.Linear, w.shape[1], w.shape[0], bias="bias" in weights)
        self.add_module(node, m, x, weights)

    def _MatMul(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        w = self.const(node.input[1], "weight")
        if w.ndim != 2:
            raise Unmapped("MatMul with a weight that is not a matrix")
        m = _meta(nn.Linear, w.shape[0], w.shape[1], bias=False)
        self.add_module(node, m, x, {"weight": w.T})

    def _Add(self, node: Any, a: dict) -> None:
        self._merge(node, "Add")

    def _Mul(self, node: Any, a: dict) -> None:
        self._merge(node, "Multiply")

    def _merge(self, node: Any, block: str) -> None:
        left, right = node.input[0], node.input[1]
        if block == "Add" and (left in self.consts or right in self.consts):
            self._bias(
                node, right if left in self.consts else left, left if left in self.consts else right
            )
            return
        if left in self.consts or right in self.consts:
            raise Unmapped(f"{node.op_type} with a constant: a {block} block combines two tensors")
        self.add(node, block, {"num_inputs": 2}, [self.tensor(left), self.tensor(right)])

    def _bias(self, node: Any, x_name: str, c_name: str) -> None:
        """``MatMul`` then ``Add`` of a vector: the Linear's bias."""
        layer = self.layers.get(x_name)
        bias = self.consts[c_name]
        ok = (
            layer is not None
            and layer.block == "Linear"
            and layer.params.get("bias") is False
            and self.users.get(x_name) == 1
            and bias.ndim == 1
            and bias.shape[0] == layer.weights["weight"].shape[0]
        )
        if not ok:
            raise Unmapped("Add of a constant that is not a Linear layer's bias")
        layer.params["bias"] = True
        layer.weights["bias"] = torch.from_numpy(np.array(bias, copy=True))
        self.env[node.output[0]] = self.env[x_name]

    def _activation(self, node: Any, block: str, params: dict | None = None) -> None:
        self.add(node, block, params or {}, [self.tensor(node.input[0])])

    def _Relu(self, node: Any, a: dict) -> None:
        self._activation(node, "ReLU")

    def _Sigmoid(self, node: Any, a: dict) -> None:
        self._activation(node, "Sigmoid")

    def _Tanh(self, node: Any, a: dict) -> None:
        self._activation(node, "Tanh")

    def _LeakyRelu(self, node: Any, a: dict) -> None:
        self._activation(node, "LeakyReLU", {"negative_slope": float(a.get("alpha", 0.01))})

    def _Gelu(self, node: Any, a: dict) -> None:
        approx = a.get("approximate", b"none")
        approx = approx.decode() if isinstance(approx, bytes) else str(approx)
        self._activation(node, "GELU", {"approximate": approx})

    def _Softmax(self, node: Any, a: dict) -> None:
        self._activation(node, "Softmax", {"dim": int(a.get("axis", -1))})

    def _pool(self, node: Any, a: dict, maximum: bool) -> None:
        x = self.tensor(node.input[0])
        k = list(a["kernel_shape"])
        if a.get("ceil_mode", 0):
            raise Unmapped("ceil_mode=1 (NetBuilder pools round down)")
        if maximum and any(d != 1 for d in a.get("dilations", [1])):
            raise Unmapped("dilations other than 1")
        if not maximum and not a.get("count_include_pad", 0) and any(a.get("pads", [0])):
            raise Unmapped("count_include_pad=0 with padding")
        pads = _symmetric(list(a.get("pads", [0] * 2 * len(k))), node.op_type)
        strides = list(a.get("strides", k))
        dims = len(k)
        if dims not in (1, 2):
            raise Unmapped(f"{dims}-D pooling")
        name = ("MaxPool" if maximum else "AvgPool") + f"{dims}d"
        self.add_module(node, _meta(getattr(nn, name), k, strides, pads), x, {})

    def _MaxPool(self, node: Any, a: dict) -> None:
        if len(node.output) > 1 and node.output[1]:
            raise Unmapped("MaxPool with indices")
        self._pool(node, a, True)

    def _AveragePool(self, node: Any, a: dict) -> None:
        self._pool(node, a, False)

    def _GlobalAveragePool(self, node: Any, a: dict) -> None:
        if self.rank(node.input[0]) != 4:
            raise Unmapped("global pooling of something other than an image")
        self.add(node, "AdaptiveAvgPool2d", {"output_size": 1}, [self.tensor(node.input[0])])

    def _BatchNormalization(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        scale, bias, mean, var = (self.const(n, "statistic") for n in node.input[1:5])
        rank = self.rank(node.input[0])
        cls = nn.BatchNorm2d if rank == 4 else nn.BatchNorm1d
        m = _meta(cls, scale.shape[0], eps=float32_value(a.get("epsilon", 1e-5)),
                  momentum=round(1.0 - float(a.get("momentum", 0.9)), 6))  # fmt: skip
        weights = {"weight": scale, "bias": bias, "running_mean": mean, "running_var": var,
                   "num_batches_tracked": np.array(0, dtype=np.int64)}  # fmt: skip
        self.add_module(node, m, x, weights)

    def _LayerNormalization(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        if int(a.get("axis", -1)) not in (-1, self.rank(node.input[0]) - 1):
            raise Unmapped("LayerNormalization over more than the last axis")
        scale = self.const(node.input[1], "scale")
        weights = {"weight": scale}
        if len(node.input) > 2 and node.input[2]:
            weights["bias"] = self.const(node.input[2], "bias")
        else:
            weights["bias"] = np.zeros_like(scale)
        m = _meta(nn.LayerNorm, scale.shape[0], eps=float32_value(a.get("epsilon", 1e-5)))
        self.add_module(node, m, x, weights)

    def _Flatten(self, node: Any, a: dict) -> None:
        axis = int(a.get("axis", 1))
        if axis != 1:
            raise Unmapped(f"Flatten at axis {axis} (only axis 1 keeps the batch apart)")
        self.add(node, "Flatten", {"start_dim": 1, "end_dim": -1}, [self.tensor(node.input[0])])

    def _Reshape(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        before = self.shapes.get(node.input[0])
        after = self.shapes.get(node.output[0])
        if after is None or before is None:
            raise Unmapped("the reshaped size cannot be worked out")
        if after[0] != before[0] or not all(isinstance(d, int) and d > 0 for d in after[1:]):
            raise Unmapped(f"reshape from {before} to {after} mixes the batch with the rest")
        layer = self.layer_class(node)
        if len(after) == 2 and len(before) > 2 and layer in ("Flatten", None):
            # x.flatten(1) is written as a Reshape; the exporter's note says which it was
            self.add(node, "Flatten", {"start_dim": 1, "end_dim": -1}, [x])
            return
        self.add(node, "Reshape", {"shape": [int(d) for d in after[1:]]}, [x])

    def _Transpose(self, node: Any, a: dict) -> None:
        x = self.tensor(node.input[0])
        perm = [int(p) for p in a["perm"]]
        if perm[0] != 0:
            raise Unmapped(f"Transpose {perm} moves the batch dimension")
        moved = [i for i, p in enumerate(perm) if p != i]
        if len(moved) == 2:
            self.add(node, "Transpose", {"dim0": moved[0], "dim1": moved[1]}, [x])
        else:
            self.add(node, "Permute", {"dims": perm}, [x])

    def _Concat(self, node: Any, a: dict) -> None:
        items = [self.tensor(i) for i in node.input]
        if not 2 <= len(items) <= 16:
            raise Unmapped(f"Concat of {len(items)} tensors (a Concatenate joins 2 to 16)")
        self.add(node, "Concatenate", {"num_inputs": len(items), "dim": int(a["axis"])}, items)

    def _ReduceMean(self, node: Any, a: dict) -> None:
        x_name = node.input[0]
        x = self.tensor(x_name)
        if len(node.input) > 1 and node.input[1]:
            axes = [int(v) for v in self.const(node.input[1], "axes").reshape(-1)]
        else:
            axes = [int(v) for v in a.get("axes", [])]
        rank = self.rank(x_name)
        axes = sorted(v % rank for v in axes)
        if a.get("keepdims", 1):
            if rank == 4 and axes == [2, 3]:  # AdaptiveAvgPool2d(1), as torch exports it
                self.add(node, "AdaptiveAvgPool2d", {"output_size": 1}, [x])
                return
            raise Unmapped("ReduceMean keeping the reduced axes")
        if rank == 3 and axes == [1]:
            self.add(node, "SequencePool", {"mode": "mean"}, [x])
            return
        if not (rank in (3, 4) and axes == list(range(2, rank))):
            raise Unmapped(f"mean over axes {axes} of a {rank}-D tensor (not a pooling block)")
        source = self.layers.get(x_name)
        if (
            rank == 3
            and source is not None
            and source.block == "Reshape"
            and self.users.get(x_name) == 1
        ):
            # flatten(2) then mean(2): NetBuilder's own GlobalAvgPool, exported
            source.params["_dropped"] = True
            self.add(node, "GlobalAvgPool", {}, list(source.inputs))
            return
        self.add(node, "GlobalAvgPool", {}, [x])

    def _Gather(self, node: Any, a: dict) -> None:
        data, index = node.input[0], node.input[1]
        if data in self.consts:
            table = self.consts[data]
            if table.ndim != 2 or int(a.get("axis", 0)) != 0:
                raise Unmapped("Gather from a constant that is not an embedding table")
            m = _meta(nn.Embedding, table.shape[0], table.shape[1])
            self.add_module(node, m, self.tensor(index), {"weight": table})
            return
        idx = self.const(index, "index")
        if idx.ndim != 0 or int(a.get("axis", 0)) != 1:
            raise Unmapped("Gather that is not one time step of a sequence")
        rank = self.rank(data)
        length = self.shapes[data][1]
        i = int(idx)
        i = -1 if isinstance(length, int) and i == length - 1 else i
        block, params = index_block((slice(None), i), rank)
        self.add(node, block, params, [self.tensor(data)])


def _order(nodes: list[Any], value: str) -> int:
    return next((i for i, n in enumerate(nodes) if value in n.output), 0)
