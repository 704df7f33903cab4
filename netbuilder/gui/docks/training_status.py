"""Small pieces of the training dock's status area: ETA text, device text, note labels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
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
    acc = (
        ""
        if event.val_accuracy is None
        else QCoreApplication.translate("TrainingStatus", ", accuracy {accuracy}").format(
            accuracy=f"{event.val_accuracy:.1%}"
        )
    )
    best = QCoreApplication.translate("TrainingStatus", " (best)") if event.is_best else ""
    line = QCoreApplication.translate(
        "TrainingStatus", "epoch {epoch}/{epochs}: validation loss {loss}"
    ).format(epoch=event.epoch, epochs=event.epochs, loss=f"{event.val_loss:.4g}")
    return f"{line}{acc}{best}"


def describe_device(name: str) -> str:
    """The device a run will use, as the trainer will resolve it; errors come back as text."""
    try:
        from netbuilder.train.setup import resolve_device

        return str(resolve_device(name))
    except ConfigError as exc:
        return QCoreApplication.translate("TrainingStatus", "unavailable ({reason})").format(
            reason=exc
        )


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
