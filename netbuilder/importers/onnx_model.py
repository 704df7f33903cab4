"""Import an ONNX model as a diagram with its weights, through the ``onnx`` package.

Nothing in the file is executed as code: the protobuf is parsed by ``onnx``, checked by its
checker, and read node by node. Weights that the file computes from other weights (a
transposed matrix, concatenated gates) are folded with ``onnx.reference``, the package's
plain-numpy operator implementations; models with custom operator domains, local functions
or external data files are refused. Each standard operator maps to the block computing the
same thing (``Conv`` → Conv2d, ``Gemm``/``MatMul``+``Add`` → Linear ...); the result must
reproduce the ONNX model's outputs (run with onnxruntime when installed, else
``onnx.reference``) within 1e-5.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from netbuilder.core.tensor import TensorSpec
from netbuilder.importers.errors import ModelImportError, Problem, UnmappedError
from netbuilder.importers.graph import GraphInput, ImportResult, Layer, NeutralGraph, finish
from netbuilder.importers.onnx_ops import OnnxMapper
from netbuilder.importers.torch_map import Unmapped

MAX_BYTES = 2 * 1024**3
STANDARD_DOMAINS = ("", "ai.onnx")


def _onnx():  # -> the onnx module (optional dependency)
    try:
        import onnx
    except ImportError:
        raise ModelImportError(
            'importing ONNX needs the onnx package; install it with: pip install "netbuilder[onnx]"'
        ) from None
    return onnx


def read_model(path: Path) -> Any:
    """Parse and check the file; refuse what could load more than this file."""
    onnx = _onnx()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelImportError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise ModelImportError(f"{path}: larger than NetBuilder imports (2 GiB)")
    data = path.read_bytes()
    try:
        model = onnx.load_model_from_string(data)
    except Exception:  # protobuf raises DecodeError and friends
        raise ModelImportError(f"{path}: not an ONNX model (the file cannot be parsed)") from None
    if not model.graph.node and not model.graph.input:
        raise ModelImportError(f"{path}: not an ONNX model (it holds no graph)")
    if model.functions:
        raise ModelImportError(f"{path}: the model defines its own functions, which are not read")
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise ModelImportError(
                f"{path}: weights are kept in external data files, which NetBuilder does not open"
            )
    for node in model.graph.node:
        if node.domain not in STANDARD_DOMAINS:
            raise ModelImportError(
                f"{path}: node {node.name or node.op_type!r} uses the custom operator domain "
                f"{node.domain!r}"
            )
    try:
        onnx.checker.check_model(model)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelImportError(f"{path}: the ONNX model is not valid: {first}") from None
    return model


def _shapes(model: Any) -> dict[str, list[Any]]:
    onnx = _onnx()
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception:
        inferred = model
    out: dict[str, list[Any]] = {}
    graph = inferred.graph
    for info in [*graph.input, *graph.value_info, *graph.output]:
        t = info.type.tensor_type
        if not t.HasField("shape"):
            continue
        out[info.name] = [
            d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in t.shape.dim
        ]
    return out


def _probe_shapes(model: Any, batch: int = 3) -> dict[str, list[Any]]:
    """Every value's shape for a batch of ``batch``, reshapes computed at run time included.

    Shape inference with data propagation follows Shape → Slice → Concat → Reshape chains
    once the batch size is a number; the attention rebuild reads its head count from it.
    """
    onnx = _onnx()
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for info in probe.graph.input:
        dims = info.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = batch
    try:
        inferred = onnx.shape_inference.infer_shapes(probe, strict_mode=False, data_prop=True)
    except Exception:
        return {}
    out: dict[str, list[Any]] = {}
    for info in [*inferred.graph.value_info, *inferred.graph.output]:
        t = info.type.tensor_type
        if t.HasField("shape"):
            out[info.name] = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    return out


def _constants(model: Any) -> dict[str, np.ndarray]:
    """Initializers, Constant nodes and every value computed from them alone."""
    onnx = _onnx()
    from onnx import numpy_helper

    consts = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    foldable = []
    known = set(consts)
    for node in model.graph.node:
        if node.op_type == "Constant":
            foldable.append(node)
            known.update(node.output)
        elif (
            node.input
            and all((not i) or i in known for i in node.input)
            and node.op_type not in ("RandomNormal", "RandomUniform", "Shape", "Size")
        ):
            foldable.append(node)
            known.update(o for o in node.output if o)
    if not foldable:
        return consts
    from onnx.reference import ReferenceEvaluator

    outputs = [o for n in foldable for o in n.output if o]
    inputs = sorted({i for n in foldable for i in n.input if i and i in consts})
    graph = onnx.helper.make_graph(
        foldable,
        "fold",
        [],
        [onnx.helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in outputs],
        [t for t in model.graph.initializer if t.name in inputs],
    )
    sub = onnx.helper.make_model(graph, opset_imports=model.opset_import)
    sub.ir_version = model.ir_version
    try:
        values = ReferenceEvaluator(sub).run(None, {})
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ModelImportError(
            f"the model's constant weights cannot be computed: {first}"
        ) from None
    consts.update({o: np.asarray(v) for o, v in zip(outputs, values, strict=True)})
    return consts


def _input_specs(model: Any, consts: dict[str, np.ndarray]) -> list[tuple[str, TensorSpec]]:
    onnx = _onnx()
    specs = []
    for info in model.graph.input:
        if info.name in consts:
            continue
        t = info.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        if len(dims) < 2 or any(d is None or d < 1 for d in dims[1:]):
            raise ModelImportError(
                f"input {info.name!r} needs fixed sizes after the batch, not {dims}"
            )
        if t.elem_type == onnx.TensorProto.INT64:
            vocab = _vocab(model, info.name, consts)
            specs.append((info.name, TensorSpec(tuple(dims[1:]), "long", vocab)))
        elif t.elem_type == onnx.TensorProto.FLOAT:
            specs.append((info.name, TensorSpec(tuple(dims[1:]))))
        else:
            raise ModelImportError(f"input {info.name!r} is neither float32 nor int64")
    return specs


def _vocab(model: Any, name: str, consts: dict[str, np.ndarray]) -> int | None:
    for node in model.graph.node:
        if node.op_type == "Gather" and len(node.input) > 1 and node.input[1] == name:
            table = consts.get(node.input[0])
            if table is not None and table.ndim == 2:
                return int(table.shape[0])
    return None


def _reference(path: Path, model: Any, names: list[str]):
    """Runs the ONNX model: onnxruntime when installed, else onnx.reference (slower)."""
    try:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

        def run(xs: tuple[torch.Tensor, ...]) -> list[np.ndarray]:
            return session.run(None, {n: x.numpy() for n, x in zip(names, xs, strict=True)})

    except ImportError:
        from onnx.reference import ReferenceEvaluator

        evaluator = ReferenceEvaluator(model)

        def run(xs: tuple[torch.Tensor, ...]) -> list[np.ndarray]:
            return evaluator.run(None, {n: x.numpy() for n, x in zip(names, xs, strict=True)})

    return lambda xs: [torch.from_numpy(np.asarray(v)) for v in run(xs)]


def import_onnx(path: str | os.PathLike[str], subblocks: bool = True) -> ImportResult:
    """Map ``path`` to a diagram; ModelImportError lists every node without a block.

    With ``subblocks``, repeated module calls noted by the exporter become sub-blocks."""
    path = Path(path)
    try:
        return _import_onnx(path, subblocks)
    except ModelImportError:
        raise
    except Exception as exc:  # a model the checker passes but that is inconsistent inside
        first = (str(exc).strip().splitlines() or [""])[0][:160]
        raise ModelImportError(
            f"{path}: the ONNX model cannot be read ({type(exc).__name__}: {first})"
        ) from None


def _import_onnx(path: Path, subblocks: bool) -> ImportResult:
    model = read_model(path)
    try:
        consts = _constants(model)
        specs = _input_specs(model, consts)
    except ModelImportError as exc:
        raise ModelImportError(f"{path}: {exc.summary}", exc.problems) from None
    graph = NeutralGraph(name=path.stem)
    for name, spec in specs:
        graph.inputs.append(GraphInput(name, spec, name))
    mapper = OnnxMapper(model, consts, _shapes(model), graph, _probe_shapes(model))
    problems: list[Problem] = []
    for node in model.graph.node:
        try:
            mapper.map(node)
        except Unmapped as exc:
            problems.append(Problem(mapper.where(node), str(exc)))
            mapper.fail(node)
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            problems.append(Problem(mapper.where(node), f"cannot be read ({exc})"))
            mapper.fail(node)
    problems = [p for p in problems if p.reason != OnnxMapper.CONSEQUENCE]
    if problems:
        raise UnmappedError(
            f"{path}: {len(problems)} ONNX node(s) have no NetBuilder block", problems
        )
    for out in model.graph.output:
        value = mapper.env.get(out.name)
        if value is None:
            raise ModelImportError(f"{path}: output {out.name!r} is not computed by any block")
        graph.outputs.append(value)
    mapper.finish()
    reference = _reference(path, model, [n for n, _s in specs])
    return finish(graph, reference, subblocks=subblocks)


def meta_module(cls: type[nn.Module], *args: Any, **kwargs: Any) -> nn.Module:
    with torch.device("meta"):
        return cls(*args, **kwargs)


__all__ = ["Layer", "import_onnx", "meta_module", "read_model"]
