"""`netbuilder check FILE...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEM, command, fail
from netbuilder.core.i18n import _


def _setup_check(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, help=_(".nbd diagram files"))
    p.add_argument("-q", "--quiet", action="store_true", help=_("only print problems"))
    p.add_argument(
        "--profile",
        action="store_true",
        help=_(
            "also print each block's FLOPs, memory and measured time, and whether training fits"
        ),
    )
    p.add_argument("--batch-size", type=int, dest="batch_size", help=_("batch size for --profile"))
    p.add_argument("--device", help=_("device for --profile: auto, cpu, cuda or mps"))


@command("check", _setup_check)
def _check(args: argparse.Namespace) -> int:
    """Check diagrams: shapes and parameters per node, every problem, the training settings."""
    from netbuilder.core.io import DiagramFileError, load
    from netbuilder.core.report import format_report
    from netbuilder.core.shapes import check
    from netbuilder.train.config import training_diagnostics

    for stream in (sys.stdout, sys.stderr):  # '×' in shapes must not crash an ASCII console
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    worst = EXIT_OK
    for path in args.files:
        try:
            diagram = load(path)
        except DiagramFileError as exc:
            worst = fail(exc, EXIT_BAD_INPUT)
            continue
        analysis = check(diagram)
        analysis.diagnostics.extend(training_diagnostics(diagram.training))  # as train reads it
        print(format_report(diagram, analysis, title=str(path), quiet=args.quiet))
        if args.profile:
            from netbuilder.commands.profile_report import profile_report

            text, code = profile_report(diagram, analysis, args.batch_size, args.device)
            print(text)
            worst = max(worst, code)
        if not analysis.ok and worst == EXIT_OK:
            worst = EXIT_PROBLEM
    return worst
