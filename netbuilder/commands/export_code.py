"""`netbuilder export-code FILE -o model.py`."""

from __future__ import annotations

import argparse
from pathlib import Path

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEM, command, fail
from netbuilder.core.i18n import _


def _setup_export_code(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help=_(".nbd diagram file"))
    p.add_argument("-o", "--output", type=Path, required=True, help=_("Python file to write"))
    p.add_argument("--class-name", help=_("name of the generated nn.Module class"))


@command("export-code", _setup_export_code)
def _export_code(args: argparse.Namespace) -> int:
    """Write a diagram as a standalone PyTorch module (.py)."""
    from netbuilder.core.codegen import generate_code
    from netbuilder.core.compile import CompileError
    from netbuilder.core.io import DiagramFileError, load, write_text_atomic

    try:
        diagram = load(args.file)
    except DiagramFileError as exc:
        return fail(exc, EXIT_BAD_INPUT)
    try:
        source = generate_code(diagram, class_name=args.class_name)
    except CompileError as exc:
        return fail(f"{args.file}: {exc}", EXIT_PROBLEM)
    except ValueError as exc:  # a --class-name that is not a Python identifier
        return fail(exc, EXIT_BAD_INPUT)
    try:
        write_text_atomic(args.output, source)
    except DiagramFileError as exc:
        return fail(exc, EXIT_BAD_INPUT)
    print(f"wrote {args.output}")
    return EXIT_OK
