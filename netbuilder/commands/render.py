"""`netbuilder render FILE -o out.png|out.svg`: a picture of a diagram, no display needed."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, command, fail
from netbuilder.core.i18n import _


def _setup_render(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help=_(".nbd diagram file"))
    p.add_argument("-o", "--output", type=Path, required=True, help=_("out.png or out.svg"))
    p.add_argument(
        "--scale", type=float, default=2.0, help=_("PNG pixels per canvas unit (default 2)")
    )
    p.add_argument(
        "--layout",
        choices=("saved", "wrap", "row"),
        default="saved",
        help=_(
            "blocks where the file has them (default); 'wrap': laid out in rows to a "
            "slide's 16:9 shape; 'row': laid out in one left-to-right row"
        ),
    )


@command("render", _setup_render)
def _render(args: argparse.Namespace) -> int:
    """Draw a diagram as a PNG or SVG image (for slides, papers, READMEs)."""
    from netbuilder.core.io import DiagramFileError, load

    if args.output.suffix.lower() not in (".png", ".svg"):
        return fail(f"{args.output}: the output must end in .png or .svg")
    if not 0.1 <= args.scale <= 8:
        print("error: --scale must be between 0.1 and 8", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        diagram = load(args.file)
    except DiagramFileError as exc:
        return fail(exc, EXIT_BAD_INPUT)
    if args.layout != "saved":
        from netbuilder.core.layout import apply_layout

        apply_layout(diagram, wrap=args.layout == "wrap")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen: draw in memory
    try:
        from netbuilder.gui.app import ensure_app
        from netbuilder.gui.canvas.image_export import ImageExportError, render_diagram
    except ImportError as exc:
        print(f"error: drawing needs PySide6: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    ensure_app()
    try:
        out = render_diagram(diagram, args.output, args.scale)
    except ImageExportError as exc:
        return fail(exc, EXIT_BAD_INPUT)
    print(f"wrote {out}")
    return EXIT_OK
