"""Issue 13 in the window: the "Checks" tab (learning-rate finder, overfit one batch) of the
Training workspace and the "Inside the Network" panel, with their menu actions.

``install_insight_views(window)`` wires them into a ``MainWindow`` with a few lines there:
Train › Find Learning Rate… / Overfit One Batch / Look Inside the Network, and View ›
Inside the Network (every panel is in View). A canvas click on one block shows that block
inside the panel.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QDockWidget, QWidget

from netbuilder.gui.docks.inside import InsidePanel
from netbuilder.gui.docks.lr_finder_panel import LRFinderPanel
from netbuilder.gui.docks.overfit_panel import OverfitPanel


class SanityChecks(QWidget):
    """The Checks tab: the learning-rate finder beside overfit one batch, or above it when
    the tab is narrower than ``SIDE_BY_SIDE`` (so the tab never widens the window: at
    1024 px the Design workspace's docks and the Training page must still fit)."""

    SIDE_BY_SIDE = 600

    def __init__(self, workspace: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sanity_checks")
        self.lr_finder = LRFinderPanel(workspace)
        self.overfit = OverfitPanel(workspace)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self.box.setContentsMargins(0, 4, 0, 0)
        self.box.addWidget(self.lr_finder, 3)
        self.box.addWidget(self.overfit, 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = event.size().width() >= self.SIDE_BY_SIDE
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)


def install_checks(workspace: Any) -> SanityChecks:
    """Add the Checks tab to a ``TrainingWorkspace``'s results tabs."""
    checks = SanityChecks(workspace)
    workspace.tabs.addTab(checks, QCoreApplication.translate("SanityChecks", "Checks"))
    return checks


class InsightViews(QObject):
    """What ``install_insight_views`` made: the tab, the panel, its dock and the actions."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        workspace = window.training_panel
        self.checks = install_checks(workspace)
        self.inside = InsidePanel(workspace)
        area = Qt.DockWidgetArea.RightDockWidgetArea
        title = self.inside.windowTitle()
        self.inside_dock: QDockWidget = window.add_dock(self.inside, area, title)
        self.inside_dock.setObjectName("dock_inside")  # the saved layout's key, never translated
        self.inside_dock.hide()  # View › Inside the Network, or Train › Look Inside
        self._tabified = False  # beside the Inspector once first shown (see _place)
        window.scene.selectionChanged.connect(self._on_canvas_selection)

        self.act_find_lr = QAction(self.tr("Find &Learning Rate…"), window)
        self.act_find_lr.setObjectName("act_find_lr")
        self.act_find_lr.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.act_find_lr.setStatusTip(
            self.tr("Run the learning-rate range test on this diagram and suggest a value")
        )
        self.act_find_lr.triggered.connect(self.find_lr)
        self.act_overfit = QAction(self.tr("&Overfit One Batch"), window)
        self.act_overfit.setObjectName("act_overfit")
        self.act_overfit.setStatusTip(
            self.tr("Check that the network can memorise one batch, naming the cause if not")
        )
        self.act_overfit.triggered.connect(self.overfit)
        self.act_inside = self.inside_dock.toggleViewAction()
        self.act_inside.setText(self.tr("Look &Inside the Network"))
        self.act_inside.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.act_inside.setStatusTip(
            self.tr("Feature maps, attention, hidden states and histograms of the chosen block")
        )
        # shown from the menu: in front of the Inspector it shares its place with (once the
        # dock's tab exists again, hence after the event loop has run)
        self.act_inside.triggered.connect(self._place)

    def _place(self, shown: bool) -> None:
        """First shown: share the Inspector's place as a tab (doing it at start-up, on a
        hidden dock, made Qt re-share the side areas and shrink the Blocks panel); then in
        front of the Inspector, once the event loop has recreated its tab."""
        if not shown:
            return
        window = self.window
        if not self._tabified and not self.inside_dock.isFloating():
            self._tabified = True
            window.tabifyDockWidget(window.inspector_dock, self.inside_dock)
        QTimer.singleShot(0, self.inside_dock.raise_)

    def actions(self) -> list[QAction]:
        return [self.act_find_lr, self.act_overfit, self.act_inside]

    def _show_checks(self) -> None:
        self.window.show_workspace("training")
        self.window.training_panel.tabs.setCurrentWidget(self.checks)

    def find_lr(self) -> None:
        self._show_checks()
        self.checks.lr_finder.start()

    def overfit(self) -> None:
        self._show_checks()
        self.checks.overfit.start()

    def _on_canvas_selection(self) -> None:
        try:
            ids = self.window.scene.selected_node_ids()
        except RuntimeError:  # the scene is being deleted with its window
            return
        if len(ids) == 1:
            self.inside.show_block(ids[0])


def install_insight_views(window: Any) -> InsightViews:
    """Wire the Checks tab, the Inside panel and their actions into ``window``."""
    views = InsightViews(window)
    menu = getattr(window, "train_menu", None)
    if menu is not None:
        menu.addSeparator()
        menu.addActions(views.actions())
    return views
