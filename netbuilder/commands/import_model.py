"""`netbuilder import SOURCE -o net.nbd`: a PyTorch module, .pt2, ONNX or Mermaid as a diagram.

Exit codes: 0 imported (and, with weights, verified against the source within 1e-5),
2 the source cannot be imported; every problem is listed with its node or line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK, command
from netbuilder.core.i18n import _

WARNING = (
    "Importing model.py:ClassName RUNS THAT FILE'S CODE (and the class's __init__ and "
    "forward); only import code you trust. .pt2, ONNX and Mermaid files are read without "
    "running anything from them."
)


def _setup_import(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Import a network as an editable diagram. " + WARNING + " Weights are kept: with "
        "-o net.pt the diagram and its weights go into one NetBuilder checkpoint; with "
        "-o net.nbd a net.pt is written beside the diagram when the source has weights."
    )
    p.add_argument(
        "source",
        help=_(
            "model.py:ClassName (runs its code), model.pt2, model.onnx, or net.mmd / a "
            "Markdown file with a mermaid flowchart"
        ),
    )
    p.add_argument(
        "-o", "--output", type=Path, help=_("diagram (.nbd) or checkpoint (.pt) to write")
    )
    p.add_argument(
        "--args",
        metavar="JSON",
        help=_("constructor arguments for model.py:ClassName, e.g. '[10]' or '{\"classes\": 10}'"),
    )
    p.add_argument(
        "--allow-opaque",
        action="store_true",
        help=_(
            "keep operations without a block as marked 'Python op' blocks that run the "
            "original code (shape-checked on the meta device; export-code refuses them)"
        ),
    )
    p.add_argument(
        "--no-subblocks",
        action="store_true",
        help=_(
            "keep every block at the top level; by default, calls of one module class that "
            "are wired alike become uses of one sub-block definition"
        ),
    )
    p.add_argument(
        "--input-shape",
        metavar="SHAPE",
        help=_(
            "input size with the batch first, e.g. 1x3x224x224; several as 1x3x32x32,1x10; "
            "token ids as 1x32:long"
        ),
    )


def _default_output(source: str) -> Path:
    head, sep, tail = source.rpartition(":")
    if sep and head.lower().endswith(".py"):
        return Path(f"{Path(head).stem}_{tail}.nbd")
    return Path(source).with_suffix(".nbd")


@command("import", _setup_import)
def _import(args: argparse.Namespace) -> int:
    """Import a PyTorch module (runs its code), .pt2, ONNX or Mermaid file as a diagram."""
    from netbuilder.core.io import DiagramFileError, save
    from netbuilder.importers import ModelImportError, import_path

    out: Path = args.output or _default_output(args.source)
    if out.suffix.lower() not in (".nbd", ".pt"):
        print(f"error: {out}: the output must end in .nbd or .pt", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = import_path(
            args.source,
            args_json=args.args,
            input_shape=args.input_shape,
            allow_opaque=args.allow_opaque,
            subblocks=not args.no_subblocks,
        )
    except ModelImportError as exc:
        print(f"error: {exc.details()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print(f"error: {args.source}: not enough memory to import it", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # an importer bug must still end in one line, not a traceback
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        print(
            f"error: {args.source}: the import failed unexpectedly "
            f"({type(exc).__name__}: {first}); please report this",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    diagram, state = result.diagram, result.state_dict
    written: list[Path] = []
    try:
        if out.suffix.lower() == ".nbd":
            save(diagram, out)
            written.append(out)
        if state is not None:
            from netbuilder.train.checkpoint import CheckpointError, save_checkpoint

            weights = out if out.suffix.lower() == ".pt" else out.with_suffix(".pt")
            try:
                save_checkpoint(weights, diagram, state)
            except CheckpointError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
            written.append(weights)
        elif out.suffix.lower() == ".pt":
            print(f"error: {args.source} has no weights; write a .nbd diagram", file=sys.stderr)
            return EXIT_BAD_INPUT
    except DiagramFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    blocks = len(diagram.nodes)
    summary = f"imported {blocks} blocks, {result.parameter_count:,} parameters"
    if result.definitions:
        summary += (
            f"; {result.definitions} sub-block definition(s) made from repeated modules, "
            f"{result.uses} use(s): {result.subblock_summary()}"
        )
    if result.max_abs_diff is not None:
        summary += f"; outputs match the source (largest difference {result.max_abs_diff:.1e})"
    print(summary)
    for note in result.notes:
        print(f"note: {note}")
    print(f"wrote {', '.join(str(p) for p in written)}")
    return EXIT_OK
