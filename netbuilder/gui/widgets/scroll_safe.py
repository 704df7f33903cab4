"""Value boxes that let the mouse wheel scroll the panel they sit in.

Forms (the inspector, the training settings) live in scroll areas. A plain spin box or combo
box takes every wheel turn that passes over it, so scrolling down a form silently changes
the learning rate or a layer's width on the way. These boxes change their value by wheel only
once they have the keyboard focus (a click or Tab gives it, the wheel alone does not), as in
many design tools; otherwise the wheel event goes on to the scroll area.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QSpinBox, QWidget


class WheelNeedsFocus:
    """Mixin for a QAbstractSpinBox or QComboBox subclass (list it before the Qt class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # type: ignore[attr-defined]

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():  # type: ignore[attr-defined]
            super().wheelEvent(event)  # type: ignore[misc]
        else:
            event.ignore()  # the parent (the scroll area) scrolls instead


class SpinBox(WheelNeedsFocus, QSpinBox):
    """A ``QSpinBox`` whose value the wheel changes only while it has the focus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)


class ComboBox(WheelNeedsFocus, QComboBox):
    """A ``QComboBox`` whose choice the wheel changes only while it has the focus."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
