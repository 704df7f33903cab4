"""The ``netbuilder check --profile`` table: per-block cost, totals and the memory verdict.

Kept apart from ``commands/check.py`` so the check command only gains a flag and a call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netbuilder.core.diagram import Diagram
    from netbuilder.core.shapes import Analysis

DASH = "—"


def si(value: float, unit: str = "") -> str:
    """``3.64 G``: three significant figures with an SI prefix."""
    for prefix, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}".rstrip()


def profile_report(
    diagram: Diagram,
    analysis: Analysis,
    batch_size: int | None,
    device: str | None,
    timing: bool = True,
) -> tuple[str, int]:
    """The table, the totals and the fit verdict, and the exit code (2 for a bad device).

    A predicted out-of-memory is a warning in the text, never an error code; a diagram that
    cannot be compiled never raises: its blocks show "—" and why.
    """
    from netbuilder.commands import EXIT_BAD_INPUT, EXIT_OK
    from netbuilder.core.compile import CompileError
    from netbuilder.core.profile import profile
    from netbuilder.core.timing import time_blocks
    from netbuilder.train.config import ConfigError, TrainConfig
    from netbuilder.train.memory import format_bytes, predict_memory
    from netbuilder.train.setup import resolve_device

    lines: list[str] = []
    try:
        config = TrainConfig.from_dict(diagram.training)
    except ConfigError as exc:
        lines.append(f"  note: training settings ignored ({exc}); defaults used")
        config = TrainConfig()
    batch = batch_size or config.batch_size
    try:
        dev = resolve_device(device or config.device)
    except ConfigError as exc:
        return f"  error: {exc}", EXIT_BAD_INPUT
    prof = profile(diagram, analysis)
    times: dict[str, float] = {}
    time_note = ""
    if timing and analysis.ok:
        try:
            times = time_blocks(diagram, batch, dev, analysis=analysis)
        except CompileError as exc:
            time_note = str(exc).splitlines()[0]
        except (RuntimeError, ValueError) as exc:  # e.g. out of memory at this batch size
            time_note = f"timing failed: {str(exc).splitlines()[0]}"
    elif timing:
        time_note = "not timed: the diagram has errors"
    header = (
        "node",
        "block",
        "FLOPs/sample",
        "share",
        "params",
        "weights",
        "output/sample",
        "saved/sample",
        f"fwd+bwd ms @{batch}",
    )
    rows = [header]
    total = prof.total_flops
    for cost in prof.blocks.values():
        known = cost.flops is not None
        rows.append(
            (
                cost.node_id,
                cost.type,
                si(cost.flops) if known else DASH,  # type: ignore[arg-type]
                f"{cost.flops / total:.1%}" if known and total else DASH,  # type: ignore[operator]
                f"{cost.params:,}" if known else DASH,
                format_bytes(cost.param_bytes) if known else DASH,
                format_bytes(cost.activation_bytes) if known else DASH,  # type: ignore[arg-type]
                format_bytes(cost.saved_bytes) if known else DASH,  # type: ignore[arg-type]
                f"{times[cost.node_id]:.3f}" if cost.node_id in times else DASH,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        pairs = enumerate(zip(row, widths, strict=True))
        cells = [c.ljust(w) if j < 2 else c.rjust(w) for j, (c, w) in pairs]
        lines.append("  " + "  ".join(cells).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines.append(
        f"  total: {si(total)}FLOPs per sample ({si(total / 2)}MACs), "
        f"{prof.total_params:,} parameters ({format_bytes(prof.total_param_bytes)}), "
        f"{format_bytes(prof.total_activation_bytes)} of block outputs per sample"
    )
    if times:
        lines.append(
            f"  measured forward+backward on {dev} at batch {batch}: "
            f"{sum(times.values()):.2f} ms (blocks timed one at a time)"
        )
    elif time_note:
        lines.append(f"  timing: {DASH} ({time_note})")
    for nid, why in prof.unknown.items():
        lines.append(f"  {DASH} {nid}: {why}")
    prediction = predict_memory(diagram, config, batch, dev, analysis=analysis, prof=prof)
    lines.append(
        f"  memory ({config.optimizer}): weights {format_bytes(prediction.weights)} + gradients "
        f"{format_bytes(prediction.gradients)} + optimizer "
        f"{format_bytes(prediction.optimizer_state)}"
        f" + activations {format_bytes(prediction.activations)} + workspace "
        f"{format_bytes(prediction.workspace)}"
    )
    lines.append(f"  {prediction.verdict()}")
    lines += [f"  note: {n}" for n in prediction.notes]
    return "\n".join(lines), EXIT_OK
