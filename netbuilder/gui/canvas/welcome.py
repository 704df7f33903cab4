"""What an empty canvas shows: how to start, and the bundled examples one click away.

A student opening NetBuilder for the first time sees a blank grid and a long palette; the
examples (each trains on a built-in dataset with no set-up) were two menus deep. This panel
sits in the middle of the empty canvas, says the three ways to add a block, and lists the
examples with the dataset each trains on. It hides as soon as the canvas has a block and
comes back when it is empty again (New, or everything deleted).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

from netbuilder.gui.i18n import core_text
from netbuilder.resources import example_info, example_paths


class WelcomePanel(QFrame):
    """Centred on the empty canvas; ``example_chosen`` carries the example's path."""

    example_chosen = Signal(Path)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setAcceptDrops(False)  # a block dropped here lands on the canvas below
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        title = QLabel("<b>{}</b>".format(self.tr("Start a network")))
        hint = QLabel(
            self.tr(
                "Drag a block from the palette onto the canvas, or double-click the canvas "
                "(or press Tab) and type its name. Drag from a block's right port to the next "
                "block's left port to wire them.<br><br>Or open an example: each one trains on a "
                "built-in dataset with one click on <b>Start</b>."
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(hint)
        self.buttons: dict[Path, QPushButton] = {}
        for path in example_paths():
            info = example_info(path)
            text = core_text(info.title) + (f"  ·  {info.dataset}" if info.dataset else "")
            button = QPushButton(text)
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setStyleSheet("text-align: left; padding: 2px 6px;")
            tip = f"{core_text(info.description)}\n\n" if info.description else ""
            opens = self.tr("Opens {file} as a new, unsaved diagram.").format(file=path.name)
            button.setToolTip(f"{tip}{opens}")
            button.clicked.connect(lambda _c=False, p=path: self.example_chosen.emit(p))
            self.buttons[path] = button
            layout.addWidget(button)
        self.setMaximumWidth(460)

    def place(self, area: QWidget) -> None:
        """Centre in ``area`` (the canvas viewport), at most its size."""
        self.adjustSize()
        width = min(self.sizeHint().width(), max(200, area.width() - 40))
        height = min(self.heightForWidth(width), area.height() - 20)
        if height <= 0:
            height = self.sizeHint().height()
        self.setGeometry(
            (area.width() - width) // 2, max(10, (area.height() - height) // 2), width, height
        )
