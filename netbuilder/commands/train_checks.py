"""``netbuilder train --find-lr`` and ``--overfit-batch``: diagnostic runs instead of training.

Kept out of ``commands/train.py`` so that command only gains its flags and one branch.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from netbuilder.commands import EXIT_OK, EXIT_PROBLEM
from netbuilder.core.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from netbuilder.core.diagram import Diagram
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.data import DataBundle
    from netbuilder.train.hooks import TrainHook


def add_check_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--find-lr",
        action="store_true",
        dest="find_lr",
        help=_("run the learning-rate range test and suggest a learning rate (no training)"),
    )
    p.add_argument(
        "--overfit-batch",
        action="store_true",
        dest="overfit_batch",
        help=_("check the model can drive the loss on one batch near zero (no training)"),
    )
    p.add_argument(
        "--health",
        action="store_true",
        help=_("record per-block gradient health and write it into the checkpoint's metrics"),
    )


def wants_check(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "find_lr", False) or getattr(args, "overfit_batch", False))


def run_checks(
    args: argparse.Namespace, diagram: Diagram, config: TrainConfig, data: DataBundle
) -> int:
    """Run the requested diagnostics; exit 1 when the overfit check fails."""
    from netbuilder.core.compile import CompileError
    from netbuilder.train.config import ConfigError
    from netbuilder.train.data import DataError
    from netbuilder.train.lr_finder import find_lr
    from netbuilder.train.overfit import overfit_batch
    from netbuilder.train.probe import ProbeError
    from netbuilder.train.setup import TrainingFailure

    code = EXIT_OK
    try:
        if args.find_lr:
            result = find_lr(diagram, config, data)
            print(lr_curve_text(result.lrs, result.smoothed))
            print(result.message())
            if result.suggestion is not None:
                print(f"apply it with: netbuilder train {args.file} --lr {result.suggestion:.2g}")
        if args.overfit_batch:
            outcome = overfit_batch(diagram, config, data)
            print(outcome.message())
            if not outcome.passed:
                code = EXIT_PROBLEM
    except (TrainingFailure, ProbeError, DataError, ConfigError, CompileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    return code


def lr_curve_text(lrs: list[float], losses: list[float], rows: int = 12) -> str:
    """A small table of the smoothed loss at evenly spaced points of the range."""
    if not lrs:
        return "  (no steps recorded)"
    picks = sorted({round(i * (len(lrs) - 1) / max(1, rows - 1)) for i in range(rows)})
    low = min(v for v in losses if math.isfinite(v))
    high = max(v for v in losses if math.isfinite(v))
    lines = ["  learning rate   smoothed loss"]
    for i in picks:
        bar = "#" * (1 + int(30 * (losses[i] - low) / (high - low))) if high > low else "#"
        lines.append(f"  {lrs[i]:13.2e}   {losses[i]:13.4f}  {bar}")
    return "\n".join(lines)


def hooks_for(args: argparse.Namespace, say: Callable[[str], None]) -> list[TrainHook]:
    """The step observers a ``netbuilder train`` run asked for (``--health``)."""
    if not getattr(args, "health", False):
        return []
    from netbuilder.train.health import HealthMonitor

    return [HealthMonitor(on_issue=lambda issue: say(f"health: {issue.message()}"))]


def report_hooks(hooks: list[TrainHook], say: Callable[[str], None]) -> None:
    """Print what the observers found, after the run."""
    from netbuilder.train.health import HealthMonitor

    for hook in hooks:
        if isinstance(hook, HealthMonitor) and hook.blocks:
            say("gradient health (last sample per block; per-epoch means are saved in metrics):")
            for line in hook.summary():
                say(line)
