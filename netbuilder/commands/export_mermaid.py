"""`netbuilder export-mermaid FILE -o net.mmd`: a diagram as a Mermaid flowchart."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, command
from netbuilder.core.i18n import _


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help=_(".nbd diagram or NetBuilder .pt checkpoint"))
    p.add_argument(
        "-o", "--output", type=Path, help=_("file to write (default: FILE.mmd; - for stdout)")
    )
    p.add_argument(
        "--direction",
        choices=("LR", "TD"),
        default="LR",
        help=_("left to right (LR, default) or top down (TD)"),
    )


@command("export-mermaid", _setup)
def _export_mermaid(args: argparse.Namespace) -> int:
    """Write a diagram as a Mermaid flowchart (graph LR/TD) for Markdown, slides and notes."""
    from netbuilder.core.io import DiagramFileError, load, write_text_atomic
    from netbuilder.importers.mermaid import to_mermaid

    source: Path = args.file
    try:
        if source.suffix.lower() == ".pt":
            from netbuilder.train.checkpoint import CheckpointError, load_checkpoint

            try:
                diagram = load_checkpoint(source).diagram
            except CheckpointError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
        else:
            diagram = load(source)
        text = to_mermaid(diagram, args.direction)
        if str(args.output) == "-":
            sys.stdout.write(text)
            return EXIT_OK
        out: Path = args.output or source.with_suffix(".mmd")
        write_text_atomic(out, text)
    except DiagramFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {out}")
    return EXIT_OK
