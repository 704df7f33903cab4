"""Plain-text tables of a checked diagram, for the command line."""

from __future__ import annotations

from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import Analysis
from netbuilder.core.tensor import format_shape
from netbuilder.core.text import shorten


def format_report(
    diagram: Diagram, analysis: Analysis, title: str = "", quiet: bool = False
) -> str:
    """A per-node table (block, output shape, parameters), the total, then the problems."""
    lines: list[str] = []
    if title:
        lines.append(shorten(title, 120))
    if not quiet:
        rows = [("node", "block", "output shape", "params")]
        for nid in diagram.nodes:
            node = diagram.nodes[nid]
            res = analysis.nodes.get(nid)
            if res is None or not res.outputs:
                shape = "?" if res is None or not res.ok else "-"
                if res is not None and res.ok and res.inputs:
                    shape = "-"
            else:
                shape = ", ".join(
                    format_shape(s) if len(res.outputs) == 1 else f"{p}: {format_shape(s)}"
                    for p, s in res.outputs.items()
                )
            count = f"{res.param_count:,}" if res is not None else "?"
            rows.append((shorten(nid), shorten(node.type, 40), shape, count))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for i, row in enumerate(rows):
            lines.append(
                "  "
                + "  ".join(
                    cell.rjust(w) if j == 3 else cell.ljust(w)
                    for j, (cell, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
            if i == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append(f"  total parameters: {analysis.total_params:,}")
    for diag in analysis.diagnostics:
        lines.append(f"  {diag.severity.value}: {diag}")
    lines.append("  OK" if analysis.ok else f"  {len(analysis.errors)} error(s)")
    return "\n".join(lines)
