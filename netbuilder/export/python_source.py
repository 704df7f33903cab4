"""Python export: ``model.py`` from the code generator plus a state_dict weights file.

The pair needs only PyTorch: ``from model import load_model; net = load_model()``. The
weights file holds a plain state_dict and loads with ``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import uuid
from pathlib import Path

import torch
from torch import nn

from netbuilder.core.codegen import class_name_for, generate_code
from netbuilder.core.compile import CompileError
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import DiagramFileError, write_bytes_atomic, write_text_atomic
from netbuilder.core.safe_load import weights_only_load
from netbuilder.core.shapes import Analysis
from netbuilder.export.errors import ExportError, VerificationError
from netbuilder.export.python_pipeline import pipeline_source, pipeline_usage
from netbuilder.export.verify import (
    ExportResult,
    ModelInputs,
    Stopwatch,
    ValidationSet,
    check_validation,
    model_inputs,
    verify,
)
from netbuilder.train.pipeline import InputPipeline


def python_paths(out: str | os.PathLike[str]) -> tuple[Path, Path]:
    """``x.py`` → (x.py, x_weights.pt); a folder → (folder/model.py, folder/model_weights.pt)."""
    out = Path(out)
    code = out if out.suffix == ".py" else out / "model.py"
    return code, code.with_name(f"{code.stem}_weights.pt")


def _usage(cls_name: str, weights_name: str, inputs: ModelInputs) -> str:
    call_args = ", ".join(inputs.names)
    lines = [
        "Usage::",
        "",
        f"    from {Path(weights_name).stem.removesuffix('_weights')} import load_model",
        f"    model = load_model()  # {cls_name} with the trained weights from {weights_name}",
        f"    output = model({call_args})",
        "",
        "Inputs (the first dimension is the batch, any size):",
    ]
    for d in inputs.describe():
        shape = "×".join(str(s) for s in d["shape"])
        kind = f"token ids < {d['vocab']} (int64)" if d["dtype"] == "long" else "float32"
        lines.append(f"    {d['name']}: {shape}, {kind}")
    return "\n".join(lines)


def _loader_source(cls_name: str, weights_name: str) -> str:
    return f'''

def load_model(weights=None, map_location="cpu"):
    """A {cls_name} in eval mode with the weights exported beside this file.

    The weights file holds only tensors, so it loads with ``weights_only=True``.
    """
    from pathlib import Path

    path = Path(weights) if weights is not None else Path(__file__).with_name({weights_name!r})
    model = {cls_name}()
    state = torch.load(path, map_location=map_location, weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()
'''


def python_source(
    diagram: Diagram,
    analysis: Analysis | None,
    cls_name: str,
    weights_name: str,
    classes: list[str] | None = None,
    pipeline: InputPipeline | None = None,
) -> str:
    """The generated module with a usage docstring, a ``load_model`` helper and ``CLASSES``;
    with a ``pipeline``, also ``PIPELINE``, ``preprocess()`` and ``predict()`` for raw inputs."""
    inputs = model_inputs(diagram, analysis)
    try:
        source = generate_code(diagram, analysis, class_name=cls_name)
    except CompileError as exc:
        raise ExportError(str(exc)) from None
    head, sep, rest = source.partition('\n"""\n')
    if not sep:
        raise ExportError("the code generator's output has an unexpected layout")
    usage = _usage(cls_name, weights_name, inputs)
    if pipeline is not None:
        usage += "\n" + "\n".join(pipeline_usage(pipeline))
    source = f'{head}\n\n{usage}\n"""\n{rest}'
    labels = f"\n\n# output index → class name\nCLASSES = {list(classes)!r}\n" if classes else ""
    if pipeline is not None and not classes:
        labels = "\n\nCLASSES = []  # a regression model: no classes\n"
    source = source.rstrip("\n") + "\n" + labels + _loader_source(cls_name, weights_name)
    if pipeline is not None:
        source = source.rstrip("\n") + "\n" + pipeline_source(pipeline, list(classes or []))
    return source


def _import_isolated(path: Path):  # -> module
    """Import the written file under a unique name, without touching ``sys.path``."""
    name = f"_netbuilder_export_check_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise VerificationError(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def export_python(
    diagram: Diagram,
    model: nn.Module,
    out: str | os.PathLike[str],
    *,
    analysis: Analysis | None = None,
    classes: list[str] | None = None,
    pipeline: InputPipeline | None = None,
    validation: ValidationSet | None = None,
) -> ExportResult:
    """Write model.py + weights; import the written code and compare with ``model``.

    With ``validation``, the written ``preprocess()`` on raw samples followed by the written
    model must score exactly like the app.
    """
    clock = Stopwatch()
    code_path, weights_path = python_paths(out)
    cls_name = class_name_for(diagram)
    inputs = model_inputs(diagram, analysis)
    source = python_source(diagram, analysis, cls_name, weights_path.name, classes, pipeline)
    state = {k: v.detach().to("cpu").clone().contiguous() for k, v in model.state_dict().items()}
    buffer = io.BytesIO()
    torch.save(state, buffer)
    try:
        code_path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(weights_path, buffer.getvalue())
        write_text_atomic(code_path, source)
    except (DiagramFileError, OSError) as exc:
        raise ExportError(str(exc)) from None
    export_seconds = clock.lap()
    try:
        module = _import_isolated(code_path)
        loaded = getattr(module, cls_name)()
        weights = weights_only_load(weights_path, "weights file")
        loaded.load_state_dict(weights, strict=True)
        loaded.eval()
    except VerificationError:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        raise VerificationError(
            f"the written model.py does not load its weights: {first}"
        ) from None

    def run(xs: tuple[torch.Tensor, ...]) -> object:
        with torch.no_grad():
            return loaded(*xs)

    worst, tol, batches = verify("Python", model, inputs, run)
    notes = []
    if validation is not None:
        prep = getattr(module, "preprocess", None)
        if prep is None:
            raise VerificationError("the written model.py has no preprocess() for raw inputs")
        notes.append(check_validation("Python", model, validation, lambda x: run((prep(x),))))
    return ExportResult(
        "python",
        [code_path, weights_path],
        worst,
        tol,
        batches,
        export_seconds,
        clock.lap(),
        notes,
    )
