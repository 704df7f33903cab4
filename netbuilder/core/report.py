"""Plain-text tables of a checked diagram, for the command line."""

from __future__ import annotations

import unicodedata

from netbuilder.core.diagnostics import Severity
from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import N_, _
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
        rows = [(_("node"), _("block"), _("output shape"), _("params"))]
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
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        for i, row in enumerate(rows):
            lines.append(
                "  "
                + "  ".join(
                    _pad(cell, w, right=j == 3)
                    for j, (cell, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
            if i == 0:
                lines.append("  " + "  ".join("-" * w for w in widths))
        lines.append(
            "  " + _("total parameters: {count}").format(count=f"{analysis.total_params:,}")
        )
    for diag in analysis.diagnostics:
        label = _(SEVERITY_LABELS[diag.severity])
        lines.append("  " + _("{severity}: {problem}").format(severity=label, problem=diag))
    count = len(analysis.errors)
    summary = _("OK") if analysis.ok else _("{count} error(s)").format(count=count)
    lines.append(f"  {summary}")
    return "\n".join(lines)


#: How a problem's severity is labelled (translated where shown).
SEVERITY_LABELS = {Severity.ERROR: N_("error"), Severity.WARNING: N_("warning")}


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill
