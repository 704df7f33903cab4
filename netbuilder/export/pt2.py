"""``.pt2`` export through ``torch.export``, with a dynamic batch dimension.

The archive loads in plain PyTorch with ``torch.export.load(path).module()``. It carries
the traced example inputs (torch.export stores them; ``ep.example_inputs``) and an extra
file ``netbuilder.json`` describing inputs, outputs, classes and versions, readable with
``torch.export.load(path, extra_files={"netbuilder.json": ""})``.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder import __version__
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import DiagramFileError, write_bytes_atomic
from netbuilder.core.safe_load import safe_load_pt2
from netbuilder.core.shapes import Analysis
from netbuilder.export.errors import ExportError, UnsafeFileError, VerificationError
from netbuilder.export.raw_inputs import pipeline_record, raw_runner, with_pipeline
from netbuilder.export.verify import (
    TRACE_BATCH,
    ExportResult,
    ModelInputs,
    Stopwatch,
    ValidationSet,
    check_validation,
    eval_mode,
    model_inputs,
    verify,
)
from netbuilder.train.pipeline import InputPipeline

EXTRA_FILE = "netbuilder.json"


def describe_export(
    diagram: Diagram, inputs: ModelInputs, classes: list[str] | None = None
) -> dict[str, Any]:
    """Plain metadata stored beside a standalone export."""
    return {
        "name": str(diagram.meta.get("name", "")),
        "inputs": inputs.describe(),
        "classes": list(classes or []),
        "batch_dimension": "dynamic (first dimension of every input)",
        "netbuilder_version": __version__,
        "torch_version": str(torch.__version__),
    }


def trace(model: nn.Module, inputs: ModelInputs) -> torch.export.ExportedProgram:
    """``torch.export.export`` in eval mode with one shared dynamic batch dimension."""
    example = inputs.example(TRACE_BATCH, seed=0)
    batch = torch.export.Dim("batch", min=1)
    dynamic = tuple({0: batch} for _ in example)
    with eval_mode(model), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return torch.export.export(model, example, dynamic_shapes=dynamic, strict=False)
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise ExportError(f"torch.export cannot trace this model: {first}") from None


def export_pt2(
    diagram: Diagram,
    model: nn.Module,
    path: str | os.PathLike[str],
    *,
    analysis: Analysis | None = None,
    classes: list[str] | None = None,
    pipeline: InputPipeline | None = None,
    bake: bool = True,
    validation: ValidationSet | None = None,
) -> ExportResult:
    """Write ``path`` (.pt2) atomically, reload it safely and compare with ``model``.

    With a ``pipeline`` and ``bake``, the program normalises its raw input itself; with
    ``validation``, the reloaded program given raw samples must score like the app.
    """
    path = Path(path)
    clock = Stopwatch()
    inputs = model_inputs(diagram, analysis)
    app_model = model
    model, baked = with_pipeline(model, pipeline, bake, len(inputs.names))
    program = trace(model, inputs)
    buffer = io.BytesIO()
    meta = {**describe_export(diagram, inputs, classes), **pipeline_record(pipeline, baked)}
    extra = {EXTRA_FILE: json.dumps(meta, indent=2)}
    torch.export.save(program, buffer, extra_files=extra)
    try:
        write_bytes_atomic(path, buffer.getvalue())
    except DiagramFileError as exc:
        raise ExportError(str(exc)) from None
    export_seconds = clock.lap()
    try:
        loaded = safe_load_pt2(path).module()
    except (UnsafeFileError, ValueError) as exc:
        raise VerificationError(f"the written .pt2 cannot be reloaded: {exc}") from None
    worst, tol, batches = verify("pt2", model, inputs, lambda xs: loaded(*xs))
    notes = []
    if validation is not None:
        run = raw_runner(lambda x: loaded(x), pipeline, baked)
        notes.append(check_validation("pt2", app_model, validation, run))
    return ExportResult("pt2", [path], worst, tol, batches, export_seconds, clock.lap(), notes)
