"""Problems found in a diagram, each attached to the node (and port) that causes it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from netbuilder.core.i18n import _
from netbuilder.core.text import shorten


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in words a learner understands, plus a hint on how to fix it.

    ``node_id`` is ``None`` only for problems of the whole diagram (e.g. "no output").
    A problem inside a sub-block sits on the instance (``node_id``) and ``path`` leads to
    the inner node: ``("stage1", "block0", "conv1")``; its message starts with that path.
    """

    node_id: str | None
    message: str
    hint: str = ""
    port: str | None = None
    severity: Severity = Severity.ERROR
    path: tuple[str, ...] = ()

    def __str__(self) -> str:
        """``[conv1.in] message Hint: hint``; a long id or port is shortened."""
        port = f".{shorten(self.port, 24)}" if self.port else ""
        where = f"[{shorten(self.node_id)}{port}] " if self.node_id and not self.path else ""
        hint = " " + _("Hint: {hint}").format(hint=self.hint) if self.hint else ""
        return f"{where}{self.message}{hint}"


class ShapeError(Exception):
    """Raised by a block's shape rule; turned into a Diagnostic on that block."""

    def __init__(self, message: str, hint: str = "", port: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.port = port
