"""A tiny synchronous observer, so the Qt-free model can be watched by the Qt scene."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Signal(Generic[T]):
    """Calls every connected callback with the emitted value, in connection order."""

    def __init__(self) -> None:
        self._slots: list[Callable[[T], Any]] = []

    def connect(self, slot: Callable[[T], Any]) -> None:
        if slot not in self._slots:
            self._slots.append(slot)

    def disconnect(self, slot: Callable[[T], Any]) -> None:
        if slot in self._slots:
            self._slots.remove(slot)

    def emit(self, value: T) -> None:
        for slot in list(self._slots):
            slot(value)


@dataclass(frozen=True, slots=True)
class DiagramEvent:
    """What changed in a diagram.

    ``kind`` is one of ``node_added``, ``node_removed``, ``node_changed`` (params or label),
    ``node_moved``, ``edge_added``, ``edge_removed``, ``training_changed`` and ``reset``
    (everything replaced, e.g. after loading a file).

    Sub-block definitions (``core.subblocks``) add ``definition_added``,
    ``definition_removed`` and ``definition_changed``, each with ``name`` = the definition's
    name; an edit inside a definition body reaches the owning diagram as
    ``definition_changed`` whose ``detail`` is the body's own event (so every use re-checks).
    """

    kind: str
    node_id: str | None = None
    edge: Any = None
    name: str | None = None
    detail: Any = None
