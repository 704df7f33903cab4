"""The bar over the canvas that says which definition is open: ``Network › BasicBlock``.

It shows only while a sub-block's definition is open (at the top level there is nowhere to
go back to). Each crumb but the last is a button that goes back to that level; the arrow at
the left goes up one level, like Alt+Up and Esc. It floats over the top of the canvas, so
opening a definition never shifts the view.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class Breadcrumb(QFrame):
    """Crumbs for ``names`` (outermost first); ``level_chosen(i)`` keeps ``names[: i + 1]``."""

    level_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breadcrumb")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 10, 2)
        self._layout.setSpacing(2)
        self.back = QToolButton(self)
        self.back.setArrowType(Qt.ArrowType.LeftArrow)
        self.back.setText(self.tr("Back"))
        self.back.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back.setAutoRaise(True)
        self.back.setToolTip(self.tr("Back to the enclosing network (Esc, Alt+Up)"))
        self.back.clicked.connect(self._up)
        self._layout.addWidget(self.back)
        self.crumbs: list[QWidget] = []
        self.names: list[str] = []
        self.hide()

    def set_path(self, names: list[str]) -> None:
        """Show ``names`` (the first is the network); hidden when only the network is open."""
        self.names = list(names)
        for w in self.crumbs:
            self._layout.removeWidget(w)
            w.deleteLater()
        self.crumbs = []
        last = len(names) - 1
        for i, name in enumerate(names):
            if i:
                sep = QLabel(" › ", self)
                self._layout.addWidget(sep)
                self.crumbs.append(sep)
            if i == last:
                crumb: QWidget = QLabel(f"<b>{_escape(name)}</b>", self)
                crumb.setObjectName("crumb_current")
            else:
                button = QToolButton(self)
                button.setText(name)
                button.setAutoRaise(True)
                button.setToolTip(self.tr("Go back to {name}").format(name=name))
                button.clicked.connect(lambda _c=False, level=i: self.level_chosen.emit(level))
                crumb = button
            self._layout.addWidget(crumb)
            self.crumbs.append(crumb)
        self.setVisible(len(names) > 1)
        self.adjustSize()
        self.place()

    def crumb_buttons(self) -> list[QToolButton]:
        """The crumbs that go somewhere (every level but the open one), outermost first."""
        return [w for w in self.crumbs if isinstance(w, QToolButton)]

    def place(self) -> None:
        """Top-left corner of the canvas, a little in from its edges.

        The bar is a child of the view, not of its viewport: a viewport scrolls its child
        widgets with the content (a fit or a pan would carry the bar off over the blocks).
        """
        parent = self.parentWidget()
        viewport = getattr(parent, "viewport", None)
        corner = viewport().geometry().topLeft() if callable(viewport) else QPoint(0, 0)
        self.move(corner + QPoint(8, 8))
        self.raise_()

    def _up(self) -> None:
        if len(self.names) > 1:
            self.level_chosen.emit(len(self.names) - 2)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
