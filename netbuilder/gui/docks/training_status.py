"""Small pieces of the training dock's status area: ETA text, device text, note labels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from netbuilder.train.config import ConfigError
from netbuilder.train.events import EpochEvent


def format_eta(seconds: float | None) -> str:
    """'1:05' / '1:02:03' / '–' for an unknown ETA."""
    if seconds is None or not np.isfinite(seconds):
        return "–"
    s = max(0, round(seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def epoch_line(event: EpochEvent) -> str:
    """The log line of one finished epoch."""
    acc = "" if event.val_accuracy is None else f", accuracy {event.val_accuracy:.1%}"
    best = " (best)" if event.is_best else ""
    return f"epoch {event.epoch}/{event.epochs}: validation loss {event.val_loss:.4g}{acc}{best}"


def describe_device(name: str) -> str:
    """The device a run will use, as the trainer will resolve it; errors come back as text."""
    try:
        from netbuilder.train.setup import resolve_device

        return str(resolve_device(name))
    except ConfigError as exc:
        return f"unavailable ({exc})"


class NoteLabel(QLabel):
    """A wrapped, selectable message line that takes no room while it says nothing.

    An empty QLabel still claims a row (plus layout spacing); several of them left a visible
    hole between the progress line and the curves.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setVisible(False)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))
