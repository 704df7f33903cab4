"""Undo commands for sub-blocks (DESIGN rule 2), on the document's one undo stack.

* ``ScopedCommand`` wraps every edit made on the canvas with the level it was made at. Undo
  and redo first apply the edit, then open that level again, so Ctrl+Z after going back to
  the network still undoes an edit inside ``BasicBlock`` and shows it where it happened.
  The diagram a wrapped command edits is looked up again by the level's path each time:
  a definition removed and brought back by undo/redo has a new body object.
* ``SnapshotCommand`` is a change that rewrites several parts of the document at once
  (make a sub-block, expand one, paste blocks that bring definitions): the first redo runs
  the core's pure edit, undo and later redos put back the document as it was before/after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from netbuilder.core.diagram import Diagram, DiagramError

if TYPE_CHECKING:
    from netbuilder.gui.subblocks.scope import Level, Scope


def rebind(cmd: QUndoCommand, diagram: Diagram) -> None:
    """Point ``cmd`` (and the parts of a macro) at ``diagram``."""
    if hasattr(cmd, "diagram"):
        cmd.diagram = diagram
    for part in getattr(cmd, "parts", ()):
        rebind(part, diagram)


class ScopedCommand(QUndoCommand):
    """An edit of the level at ``path``; merges as the wrapped command does."""

    def __init__(self, scope: Scope, path: list[Level], inner: QUndoCommand) -> None:
        super().__init__(inner.text())
        self.scope = scope
        self.path = list(path)
        self.inner = inner

    def id(self) -> int:
        return self.inner.id()

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ScopedCommand) or other.path != self.path:
            return False
        if not self.inner.mergeWith(other.inner):
            return False
        self.setText(self.inner.text())
        self.setObsolete(self.inner.isObsolete())
        return True

    def _target(self) -> None:
        if self.path:
            rebind(self.inner, self.scope.resolve(self.path))

    def redo(self) -> None:
        self._target()
        self.inner.redo()
        if self.inner.isObsolete():  # refused on its first run: QUndoStack.push drops it
            self.setObsolete(True)
            return
        self._show()

    def undo(self) -> None:
        self._target()
        self.inner.undo()
        self._show()

    def _show(self) -> None:
        if self.scope.valid(self.path):
            self.scope.open(self.path)


class SnapshotCommand(QUndoCommand):
    """A document-wide change: ``edit(top)`` the first time, snapshots afterwards.

    ``edit`` returns what the caller wants back (the new block's id...), kept in ``result``.
    If it raises ``DiagramError`` the document is put back, the reason is kept in ``error``
    and the command marks itself obsolete, so ``QUndoStack.push`` drops it: no empty step.
    """

    def __init__(self, top: Diagram, text: str, edit: Callable[[Diagram], Any]) -> None:
        super().__init__(text)
        self.top = top
        self.edit = edit
        self.before = top.to_dict()
        self.after: dict[str, Any] | None = None
        self.result: Any = None
        self.error: str | None = None

    def redo(self) -> None:
        if self.after is None:
            try:
                self.result = self.edit(self.top)
            except DiagramError as exc:
                self.error = str(exc)
                if self.top.to_dict() != self.before:
                    self.top.restore(self.before)
                self.setObsolete(True)
                return
            self.after = self.top.to_dict()
        else:
            self.top.restore(self.after)

    def undo(self) -> None:
        self.top.restore(self.before)


def with_definitions(
    top: Diagram, definitions: list[dict[str, Any]], cmd: QUndoCommand
) -> QUndoCommand:
    """``cmd`` (a paste) preceded by adding the sub-block ``definitions`` it needs, as one
    step; just ``cmd`` when it needs none (``merge_fragment`` reused the document's own)."""
    if not definitions:
        return cmd
    from netbuilder.core.subblock_edits import definition_from_dict

    def edit(_top: Diagram) -> None:
        for data in definitions:
            top.add_definition(definition_from_dict(top, data))
        cmd.redo()

    return SnapshotCommand(top, cmd.text(), edit)
