"""Standalone exports of a trained model, each verified by reloading what it wrote.

Never imports Qt. ``export_model(diagram, model, "pt2" | "onnx" | "python", out)`` is the
one entry point the CLI and the GUI dialog use; the per-format modules hold the details.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING

from torch import nn

from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import Analysis
from netbuilder.export.errors import (
    ExportError,
    MissingDependencyError,
    UnsafeFileError,
    VerificationError,
)
from netbuilder.export.verify import ExportResult, ValidationSet

if TYPE_CHECKING:
    from netbuilder.train.pipeline import InputPipeline

FORMATS: dict[str, str] = {
    "pt2": "torch.export program (.pt2)",
    "onnx": "ONNX model (.onnx)",
    "python": "Python source + weights (model.py, model_weights.pt)",
}
SUFFIXES = {"pt2": ".pt2", "onnx": ".onnx", "python": ".py"}

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "ExportError",
    "ExportResult",
    "MissingDependencyError",
    "UnsafeFileError",
    "ValidationSet",
    "VerificationError",
    "default_output",
    "export_model",
]


def default_output(source: str | os.PathLike[str], fmt: str) -> Path:
    """``run1.pt`` → ``run1.pt2`` / ``run1.onnx`` / ``run1_export/model.py``."""
    source = Path(source)
    if fmt == "python":
        return source.with_name(f"{source.stem}_export") / "model.py"
    return source.with_suffix(SUFFIXES[fmt])


def on_cpu(model: nn.Module) -> nn.Module:
    """``model`` itself if it lives on the CPU, else a CPU copy (the original stays put).

    Exports are meant to run anywhere, and the sample batches are built on the CPU.
    """
    tensors = [*model.parameters(), *model.buffers()]
    if all(t.device.type == "cpu" for t in tensors):
        return model
    return copy.deepcopy(model).to("cpu")


def export_model(
    diagram: Diagram,
    model: nn.Module,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    analysis: Analysis | None = None,
    classes: list[str] | None = None,
    pipeline: InputPipeline | None = None,
    bake_normalisation: bool = True,
    validation: ValidationSet | None = None,
) -> ExportResult:
    """Export ``model`` (compiled from ``diagram``, weights loaded) as ``fmt`` to ``out``.

    ``pipeline`` (the checkpoint's input pipeline) travels with the export: ``.pt2`` and
    ONNX bake its normalisation into the graph unless ``bake_normalisation`` is off, the
    Python export gets ``preprocess()``/``predict()``. ``validation`` (raw and prepared
    validation samples) makes each export prove it scores like the app on raw inputs.

    Raises ``ExportError`` (and subclasses) with a one-line reason; ``VerificationError``
    when the written file reloads but does not reproduce ``model``.
    """
    model = on_cpu(model)
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "pt2":
        from netbuilder.export.pt2 import export_pt2

        return export_pt2(
            diagram,
            model,
            out,
            analysis=analysis,
            classes=classes,
            pipeline=pipeline,
            bake=bake_normalisation,
            validation=validation,
        )
    if fmt == "onnx":
        from netbuilder.export.onnx_format import export_onnx

        return export_onnx(
            diagram,
            model,
            out,
            analysis=analysis,
            pipeline=pipeline,
            bake=bake_normalisation,
            validation=validation,
        )
    from netbuilder.export.python_source import export_python

    return export_python(
        diagram,
        model,
        out,
        analysis=analysis,
        classes=classes,
        pipeline=pipeline,
        validation=validation,
    )
