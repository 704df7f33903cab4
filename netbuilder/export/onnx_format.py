"""ONNX export (optional extra ``netbuilder[onnx]``), checked with onnxruntime.

The model is traced once with ``torch.export`` (the same program as the ``.pt2`` export,
batch dimension dynamic) and converted by torch's dynamo ONNX exporter, which needs
``onnx`` and ``onnxscript``; the result is then run with ``onnxruntime`` and compared.

The exporter's own optimiser (``optimize=True``) also folds every BatchNormalization into
the Conv/Gemm before it. That loses the diagram's structure (the file no longer says there
was a norm, so it cannot be imported back or read in Netron as what was built) and gains
nothing at run time: onnxruntime fuses Conv+BatchNormalization itself when it loads the
file. So the export runs the same optimiser passes (constant folding, the rewrite rules,
clean-up) minus the BatchNorm-fusion rules; outputs stay those of the eval-mode model.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder.core.diagram import Diagram
from netbuilder.core.io import DiagramFileError, write_bytes_atomic
from netbuilder.core.shapes import Analysis
from netbuilder.export.errors import ExportError, MissingDependencyError, VerificationError
from netbuilder.export.raw_inputs import pipeline_record, raw_runner, with_pipeline
from netbuilder.export.verify import (
    ExportResult,
    Stopwatch,
    ValidationSet,
    check_validation,
    model_inputs,
    verify,
)
from netbuilder.train.pipeline import InputPipeline

ONNX_PACKAGES = ("onnx", "onnxscript", "onnxruntime")
INSTALL_HINT = 'pip install "netbuilder[onnx]"  (or: pip install onnx onnxscript onnxruntime)'


def missing_onnx_packages() -> list[str]:
    """The packages of the ``onnx`` extra that are not installed (import-free check)."""
    return [p for p in ONNX_PACKAGES if importlib.util.find_spec(p) is None]


def require_onnx() -> None:
    """Raise ``MissingDependencyError`` naming what to install, before any work is done."""
    missing = missing_onnx_packages()
    if missing:
        raise MissingDependencyError(
            f"ONNX export needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'}"
            f" not installed; install with: {INSTALL_HINT}"
        )


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter logs optional-op warnings and prints progress lines; keep the CLI clean."""
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "onnxscript", "torch.export")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def optimise_keeping_norms(model: object) -> None:
    """onnxscript's ``optimize_ir`` in place, without the rules that fold BatchNorm away.

    ``model`` is the exporter's ``onnx_ir.Model``; the passes are the ones ``optimize_ir``
    runs. onnxscript keeps its default rule list private, so should a later version rename
    it, only the rewrite rules are skipped (folding and clean-up still run, norms stay).
    """
    import onnx_ir as ir
    import onnx_ir.passes.common as common
    from onnxscript import rewriter
    from onnxscript.optimizer import _constant_folding as folding
    from onnxscript.rewriter.rules import common as rules

    fusing = {
        id(getattr(rules, name, None))
        for name in (
            "fuse_batchnorm_into_conv_rule",
            "fuse_batchnorm_into_conv_transpose_rule",
            "fuse_batchnorm_into_gemm_rule",
        )
    }
    defaults = getattr(rewriter, "_DEFAULT_REWRITE_RULES", ())
    keep = [r for r in defaults if id(r) not in fusing]
    loop: list[Any] = [
        folding.FoldConstantsPass(
            shape_inference=True,
            input_size_limit=folding.DEFAULT_CONSTANT_FOLD_INPUT_SIZE_LIMIT,
            output_size_limit=folding.DEFAULT_CONSTANT_FOLD_OUTPUT_SIZE_LIMIT,
        )
    ]
    if keep:
        loop.append(rewriter.RewritePass(keep))
    loop += [
        common.RemoveUnusedNodesPass(),
        common.RemoveUnusedFunctionsPass(),
        common.RemoveUnusedOpsetsPass(),
    ]
    ir.passes.Sequential(
        common.InlinePass(),
        ir.passes.PassManager(loop, steps=2, early_stop=True),
        common.RemoveUnusedNodesPass(),
        common.LiftConstantsToInitializersPass(lift_all_constants=True, size_limit=0),
        common.LiftSubgraphInitializersToMainGraphPass(),
        common.DeduplicateInitializersPass(),
        common.CommonSubexpressionEliminationPass(),
        common.OutputFixPass(),
        common.NameFixPass(),
    )(model)


def export_onnx(
    diagram: Diagram,
    model: nn.Module,
    path: str | os.PathLike[str],
    *,
    analysis: Analysis | None = None,
    opset: int | None = None,
    pipeline: InputPipeline | None = None,
    bake: bool = True,
    validation: ValidationSet | None = None,
) -> ExportResult:
    """Write ``path`` (.onnx, weights inside), run it with onnxruntime, compare with ``model``.

    ``pipeline``/``bake``/``validation`` as for ``export_pt2``; the pipeline record is
    stored as the model's ``netbuilder`` metadata property (JSON).
    """
    require_onnx()
    from netbuilder.export.pt2 import trace

    path = Path(path)
    clock = Stopwatch()
    inputs = model_inputs(diagram, analysis)
    app_model = model
    model, baked = with_pipeline(model, pipeline, bake, len(inputs.names))
    program = trace(model, inputs)
    with _quiet_exporter():
        try:
            onnx_program = torch.onnx.export(
                program,
                input_names=list(inputs.names),
                dynamo=True,
                external_data=False,
                opset_version=opset,
                verbose=False,
                optimize=False,
            )
            if onnx_program is not None:
                optimise_keeping_norms(onnx_program.model)
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ExportError(f"the ONNX exporter cannot convert this model: {first}") from None
    if onnx_program is None:  # only the legacy exporter returns None
        raise ExportError("the ONNX exporter returned nothing")
    proto = onnx_program.model_proto
    record = pipeline_record(pipeline, baked)
    if record:
        entry = proto.metadata_props.add()
        entry.key, entry.value = "netbuilder", json.dumps(record)
    data = proto.SerializeToString()
    try:
        write_bytes_atomic(path, data)
    except DiagramFileError as exc:
        raise ExportError(str(exc)) from None
    export_seconds = clock.lap()
    session = _open_session(path)
    names = [i.name for i in session.get_inputs()]
    if len(names) != len(inputs.names):
        raise VerificationError(
            f"the ONNX file takes {len(names)} inputs, the model {len(inputs.names)}"
        )

    def run(xs: tuple[torch.Tensor, ...]) -> list[torch.Tensor]:
        feeds = {n: x.numpy() for n, x in zip(names, xs, strict=True)}
        return [torch.from_numpy(o) for o in session.run(None, feeds)]

    worst, tol, batches = verify("ONNX", model, inputs, run)
    notes = []
    if validation is not None:
        raw = raw_runner(lambda x: run((x,)), pipeline, baked)
        notes.append(check_validation("ONNX", app_model, validation, raw))
    return ExportResult("onnx", [path], worst, tol, batches, export_seconds, clock.lap(), notes)


def _open_session(path: Path):  # -> onnxruntime.InferenceSession (optional dependency)
    import onnx
    import onnxruntime

    try:
        onnx.checker.check_model(str(path))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, torch.get_num_threads())
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise VerificationError(f"the written ONNX file does not load: {first}") from None
