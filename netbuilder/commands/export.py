"""`netbuilder export MODEL.pt --format pt2|onnx|python -o OUT`.

Exit codes: 0 written and verified, 1 written but the reloaded file does not reproduce the
model, 2 bad input (missing, damaged, truncated or refused file; unknown format; missing
optional package).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEM, command, fail
from netbuilder.core.i18n import _

FORMAT_CHOICES = ("pt2", "onnx", "python")


def _setup_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help=_("trained model (.pt checkpoint) or diagram (.nbd)"))
    p.add_argument(
        "-f",
        "--format",
        required=True,
        metavar="FORMAT",
        help=_("pt2 (torch.export), onnx, or python (model.py + weights)"),
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        help=_(
            "file to write (.pt2/.onnx/.py) or, for python, a folder; default: next to the input"
        ),
    )
    p.add_argument(
        "--no-bake-normalisation",
        dest="bake",
        action="store_false",
        help=_(
            "pt2/onnx: leave the training normalisation out of the graph (it then takes "
            "normalised inputs; the statistics are stored beside it). Default: baked in, so the "
            "export takes raw 0..1 pixels or raw column values"
        ),
    )
    p.add_argument(
        "--no-validation",
        dest="validate",
        action="store_false",
        help=_(
            "skip reloading the training data to check the export's accuracy on raw "
            "validation samples (random inputs are still compared)"
        ),
    )


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    return fail(message, code)


@command("export", _setup_export)
def _export(args: argparse.Namespace) -> int:
    """Export a trained model as .pt2, ONNX or Python, and verify the written file."""
    from netbuilder.core.text import quoted

    fmt = str(args.format).lower()
    if fmt not in FORMAT_CHOICES:
        return _fail(
            f"unknown format {quoted(args.format)}; choose one of {', '.join(FORMAT_CHOICES)}"
        )
    if fmt == "onnx":
        from netbuilder.export.errors import MissingDependencyError
        from netbuilder.export.onnx_format import require_onnx

        try:
            require_onnx()
        except MissingDependencyError as exc:
            return _fail(str(exc))
    source: Path = args.file
    loaded = _load_model(source, args.validate)
    if isinstance(loaded, int):
        return loaded
    diagram, model, classes, pipeline, validation = loaded

    from netbuilder.export import (
        SUFFIXES,
        ExportError,
        VerificationError,
        default_output,
        export_model,
    )

    out: Path = args.output or default_output(source, fmt)
    if fmt != "python" and not out.suffix:
        out = out.with_suffix(SUFFIXES[fmt])
    try:
        result = export_model(
            diagram,
            model,
            fmt,
            out,
            classes=classes,
            pipeline=pipeline,
            bake_normalisation=args.bake,
            validation=validation,
        )
    except VerificationError as exc:
        return _fail(f"{source}: verification failed: {exc}", EXIT_PROBLEM)
    except ExportError as exc:
        return _fail(f"{source}: {exc}")
    print(result.summary())
    return EXIT_OK


def _load_model(
    source: Path, reload_data: bool = True
) -> tuple[Any, Any, list[str], Any, Any] | int:
    """(diagram, model with weights, classes, input pipeline, raw validation samples),
    or an exit code after printing why not."""
    import torch

    from netbuilder.core.compile import CompileError, compile_diagram
    from netbuilder.core.io import DiagramFileError, load
    from netbuilder.train.checkpoint import CheckpointError, build_model, load_checkpoint

    suffix = source.suffix.lower()
    if suffix == ".pt2":
        return _fail(
            f"{source}: a .pt2 is already a standalone export; export from the .pt checkpoint"
        )
    if suffix == ".nbd":
        try:
            diagram = load(source)
        except DiagramFileError as exc:
            return _fail(str(exc))
        seed = diagram.training.get("seed", 0)
        torch.manual_seed(seed if isinstance(seed, int) else 0)
        try:
            model = compile_diagram(diagram)
        except CompileError as exc:
            return _fail(f"{source}: {exc}", EXIT_PROBLEM)
        print(
            f"warning: {source} is a diagram without trained weights; "
            "exporting freshly initialised weights",
            file=sys.stderr,
        )
        return diagram, model, [], None, None
    try:
        checkpoint = load_checkpoint(source)
        model = build_model(checkpoint)
    except CheckpointError as exc:
        if exc.path is None:
            return _fail(f"{source}: {exc}")
        return _fail(str(exc))
    pipeline, validation = _training_data(checkpoint, reload_data)
    return checkpoint.diagram, model, checkpoint.classes, pipeline, validation


def _training_data(checkpoint: Any, reload_data: bool) -> tuple[Any, Any]:
    """(input pipeline, raw validation samples or None), warnings printed."""
    from netbuilder.export.raw_inputs import training_inputs

    found = training_inputs(checkpoint, reload_data)
    for warning in found.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return found.pipeline, found.validation
