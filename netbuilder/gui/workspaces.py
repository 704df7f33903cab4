"""Workspaces of the main window: Design (canvas and its panels) and Training.

As MATLAB's Deep Network Designer or Blender's workspaces: one window, a tab bar in the menu
bar's corner and View › Design (Ctrl+1) / View › Training (Ctrl+2) switch which page fills
the window. In Training the design panels (Blocks, Inspector, Problems, History) step aside
so curves and evaluation get the room; back in Design they return as the user left them.
The window saves its dock layout as the Design workspace has it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QWidget,
)

DESIGN = "design"
TRAINING = "training"


class Workspaces(QObject):
    """Switches the central page and the design panels; ``changed(name)`` after a switch."""

    changed = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        design: QWidget,
        training: QWidget,
        design_docks: list[QDockWidget],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.design_docks = design_docks
        self.stack = QStackedWidget(window)
        self.stack.setObjectName("workspaces")
        self.pages = {DESIGN: design, TRAINING: training}
        for page in self.pages.values():
            self.stack.addWidget(page)
        self.current = DESIGN
        self._fit_to_current_page()
        self._shown_in_design: dict[QDockWidget, bool] = {}

        self.act_design = QAction(self.tr("&Design Workspace"), window)
        self.act_design.setShortcut(QKeySequence("Ctrl+1"))
        self.act_design.setStatusTip(
            self.tr("Draw the network: canvas, blocks, inspector, problems")
        )
        self.act_training = QAction(self.tr("&Training Workspace"), window)
        self.act_training.setShortcut(QKeySequence("Ctrl+2"))
        self.act_training.setStatusTip(
            self.tr("Train the network: settings, curves, evaluation, runs")
        )
        group = QActionGroup(window)
        for name, action in ((DESIGN, self.act_design), (TRAINING, self.act_training)):
            action.setCheckable(True)
            action.setObjectName(f"act_workspace_{name}")
            group.addAction(action)
            action.triggered.connect(lambda _c=False, n=name: self.show(n))
        self.act_design.setChecked(True)

        self.tab_bar = QTabBar()
        self.tab_bar.setObjectName("workspace_tabs")
        self.tab_bar.setDrawBase(False)
        self.tab_bar.addTab(self.tr("Design"))
        self.tab_bar.addTab(self.tr("Training"))
        self.tab_bar.setTabToolTip(0, self.tr("Design workspace (Ctrl+1)"))
        self.tab_bar.setTabToolTip(1, self.tr("Training workspace (Ctrl+2)"))
        self.tab_bar.currentChanged.connect(lambda i: self.show((DESIGN, TRAINING)[i]))

    def show(self, name: str) -> None:
        """Bring workspace ``name`` (``DESIGN`` or ``TRAINING``) to the front."""
        if name not in self.pages:
            raise ValueError(f"no workspace {name!r}")
        if name == self.current:
            self._sync_controls()
            return
        if name == TRAINING:
            self._shown_in_design = {d: d.isVisible() for d in self.design_docks}
            for dock in self.design_docks:
                if not dock.isFloating():
                    dock.hide()
        self.current = name
        self.stack.setCurrentWidget(self.pages[name])
        self._fit_to_current_page()
        if name == DESIGN:  # after the page: the panels come back beside the Design page
            self.restore_design_docks()
        self._sync_controls()
        self.changed.emit(name)

    def _fit_to_current_page(self) -> None:
        """Size the window by the page on screen only. A stack's minimum size is that of
        its largest page, hidden ones too: the Training page's wide button row plus the
        Design panels, back in Design, made the window wider than a 1024-pixel screen.
        A hidden page's size policy is Ignored, which takes it out of that sum."""
        for name, page in self.pages.items():
            policy = QSizePolicy.Policy.Preferred
            if name != self.current:
                policy = QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.updateGeometry()

    def restore_design_docks(self) -> None:
        """Show the design panels the user had open (also before saving the layout)."""
        for dock, shown in self._shown_in_design.items():
            if shown:
                dock.show()
        self._shown_in_design = {}

    def _sync_controls(self) -> None:
        index = 0 if self.current == DESIGN else 1
        if self.tab_bar.currentIndex() != index:
            self.tab_bar.blockSignals(True)
            self.tab_bar.setCurrentIndex(index)
            self.tab_bar.blockSignals(False)
        (self.act_design if index == 0 else self.act_training).setChecked(True)
