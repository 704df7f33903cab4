"""Which diagram the canvas edits: the network, or the body of a sub-block's definition.

The document (``Session``) owns one ``Scope``: the path of definitions opened from the
network down (``Network › Stage › BasicBlock``). The canvas, the inspector and the editor
work on ``scope.diagram``, which is the network at the top and a definition's body (an
ordinary ``Diagram``) below it, so every edit of a body is an ordinary edit with the ordinary
undo commands, on the document's one undo stack.

A level remembers the block it was opened from, so the shapes shown inside a body are the
shapes of that use. When the document is replaced, or the opened definition goes away (an
undo of "Make Sub-block", an expand), the path is cut back to what still exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from netbuilder.core.diagram import Diagram
from netbuilder.core.events import DiagramEvent
from netbuilder.gui.subblocks import model


@dataclass(frozen=True)
class Level:
    """One opened definition: its name, and the block (in the level above) it was opened from."""

    name: str
    instance: str | None = None


class ScopeError(LookupError):
    """A path that does not lead to a definition (it was removed or renamed)."""


class Scope(QObject):
    """The opened path; ``changed`` after the canvas must show another diagram."""

    changed = Signal()
    #: the check of the open level (re-emitted from the session's check, or on opening)
    analysed = Signal(object)

    def __init__(self, session: Any) -> None:
        """``session`` is the document's ``gui.session.Session`` (not imported: it owns this)."""
        super().__init__(session)
        self.session = session
        self.path: list[Level] = []
        session.diagram.changed.connect(self._on_model)
        session.analysed.connect(self._on_analysed)

    # ------------------------------------------------------------------ queries
    @property
    def top(self) -> Diagram:
        return self.session.diagram

    @property
    def diagram(self) -> Diagram:
        """The diagram the canvas shows and edits now."""
        return self.resolve(self.path)

    @property
    def at_top(self) -> bool:
        return not self.path

    def resolve(self, path: list[Level]) -> Diagram:
        """The body at the end of ``path``; raises ``ScopeError`` if a step is missing."""
        diagram = self.top
        for level in path:
            body = model.body_of(self.top, diagram, level.name)
            if body is None:
                raise ScopeError(level.name)
            diagram = body
        return diagram

    def valid(self, path: list[Level]) -> bool:
        try:
            self.resolve(path)
        except ScopeError:
            return False
        return True

    def names(self) -> list[str]:
        """What the breadcrumb shows: the network, then each opened definition."""
        return [QCoreApplication.translate("Scope", "Network")] + [lv.name for lv in self.path]

    def analysis(self) -> object:
        """The shape check of the open level (the network's own check at the top)."""
        analysis = self.session.analysis
        if not self.path:
            return analysis
        return model.analysis_inside(self.top, analysis, self.path)

    # ------------------------------------------------------------------ moving
    def open(self, path: list[Level]) -> None:
        """Show the level at the end of ``path`` (no-op if already there)."""
        path = list(path)
        if path == self.path:
            return
        self.resolve(path)  # refuse a path that leads nowhere before changing anything
        self.path = path
        self.changed.emit()
        self.analysed.emit(self.analysis())

    def enter(self, node_id: str) -> bool:
        """Open the definition of block ``node_id`` of the open level; False if it has none."""
        diagram = self.diagram
        node = diagram.nodes.get(node_id)
        if node is None or model.body_of(self.top, diagram, node.type) is None:
            return False
        self.open([*self.path, Level(node.type, node_id)])
        return True

    def up(self) -> bool:
        """Back to the enclosing level; False at the top."""
        if not self.path:
            return False
        self.open(self.path[:-1])
        return True

    def go_to(self, depth: int) -> None:
        """Keep the first ``depth`` opened definitions (0: the network)."""
        self.open(self.path[: max(0, depth)])

    # ------------------------------------------------------------------ reactions
    def _on_model(self, event: DiagramEvent) -> None:
        if event.kind == "reset" and event.name != "restore":  # another document
            self._cut_to(0)
        elif self.path:  # an edit, or an undo's snapshot: keep what still exists
            keep = 0
            while keep < len(self.path) and self.valid(self.path[: keep + 1]):
                keep += 1
            self._cut_to(keep)

    def _cut_to(self, keep: int) -> None:
        if keep < len(self.path):
            self.path = self.path[:keep]
            self.changed.emit()

    def _on_analysed(self, _analysis: object) -> None:
        self.analysed.emit(self.analysis())
