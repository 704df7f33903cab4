"""Why an import failed, as one exception that lists every problem with its place.

An importer never hands back a half-made diagram: it either returns a complete, checked,
weight-verified diagram or raises ``ModelImportError``. Each ``Problem`` names where it
happened (a graph node with its source line, an ONNX node, a Mermaid line number) so the
CLI and the GUI dialog can print the full list at once instead of one failure per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing that cannot be imported: ``where`` (node or line) and ``reason``."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


class ModelImportError(Exception):
    """The source cannot become a diagram; ``problems`` says what and where, all at once."""

    def __init__(self, summary: str, problems: list[Problem] | None = None) -> None:
        self.summary = summary
        self.problems = list(problems or [])
        super().__init__(summary)

    def details(self, limit: int = 40) -> str:
        """The summary and one indented line per problem (at most ``limit``)."""
        lines = [self.summary]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)


class UnmappedError(ModelImportError):
    """Graph nodes without a NetBuilder block (``--allow-opaque`` is the way around)."""
