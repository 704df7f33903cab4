"""The canvas view: zoom (wheel, Ctrl +/-), pan (middle drag, space + drag), fit, drops.

Tab opens the add-block search (as in Nuke or Houdini), so keyboard users leave the canvas
with Ctrl+Tab / Ctrl+Shift+Tab, as they leave a QPlainTextEdit, where Tab types a tab.

Blocks dragged from the palette arrive here as ``application/x-netbuilder-block`` drops: on
empty canvas they are added, on a wire they are inserted into it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QMenu, QWidget

from netbuilder.gui.canvas.add_popup import AddBlockPopup, addable_types
from netbuilder.gui.canvas.edge_item import EdgeItem
from netbuilder.gui.canvas.fit import blocks_feeding_input, blocks_fitting_output
from netbuilder.gui.canvas.node_item import HEADER, NodeItem
from netbuilder.gui.canvas.scene import DiagramScene
from netbuilder.gui.canvas.welcome import WelcomePanel
from netbuilder.gui.theme import FAR_ZOOM, GRID, NODE_WIDTH

BLOCK_MIME = "application/x-netbuilder-block"
MIN_ZOOM, MAX_ZOOM = 0.05, 4.0
READABLE_ZOOM = 0.6
ACCESSIBLE_NAME = QT_TRANSLATE_NOOP("DiagramView", "Network canvas")
ACCESSIBLE_DESCRIPTION = QT_TRANSLATE_NOOP(
    "DiagramView",
    "Blocks and the wires between them. Tab: add a block. Ctrl+Tab / Ctrl+Shift+Tab: move "
    "to the next / previous panel. Delete: remove the selection. Ctrl+0: fit the view.",
)


def snap(p: QPointF) -> tuple[float, float]:
    return (round(p.x() / GRID) * GRID, round(p.y() / GRID) * GRID)


def focus_step(event: QKeyEvent) -> bool | None:
    """True/False for Ctrl+Tab / Ctrl+Shift+Tab (next/previous widget), else None.

    A platform may deliver Ctrl+Shift+Tab as Backtab with Shift, or as Tab with Shift.
    """
    if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return None
    if event.key() == Qt.Key.Key_Backtab:
        return False
    if event.key() == Qt.Key.Key_Tab:
        return not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
    return None


def drop_position(p: QPointF) -> tuple[float, float]:
    """Where a block dropped at ``p`` goes: centred under the cursor, on the grid."""
    return snap(QPointF(p.x() - NODE_WIDTH / 2, p.y() - HEADER))


class DiagramView(QGraphicsView):
    def __init__(self, scene: DiagramScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.diagram_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab into it, click into it
        self.setAccessibleName(self.tr(ACCESSIBLE_NAME))
        self.setAccessibleDescription(self.tr(ACCESSIBLE_DESCRIPTION))
        self._pan_from: QPoint | None = None
        self._space = False
        self.popup: AddBlockPopup | None = None
        #: what a right-click offers (None: a separator); the window fills it
        self.context_actions: list[QAction | None] = []
        self.context_menu: QMenu | None = None
        #: True from opening a file until the user zooms, pans or clicks: until then a resize
        #: (the window reaching its final size, docks settling) frames the network again
        self.frame_on_resize = False
        scene.search_requested.connect(self.open_search)
        self.welcome = WelcomePanel(self.viewport())
        #: an example picked on the empty canvas (the window opens it as a template)
        self.example_chosen = self.welcome.example_chosen
        scene.changed.connect(self._on_scene_changed)
        self._update_welcome()

    # ------------------------------------------------------------------ zoom
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom * factor))
        factor = target / self.zoom
        if abs(factor - 1.0) > 1e-9:
            self.scale(factor, factor)
        self.diagram_scene.set_zoom(self.zoom)

    def zoom_in(self) -> None:
        self.frame_on_resize = False
        self.zoom_by(1.25)

    def zoom_out(self) -> None:
        self.frame_on_resize = False
        self.zoom_by(0.8)

    def _on_scene_changed(self, _regions: object) -> None:
        self._update_welcome()

    def _update_welcome(self) -> None:
        """The welcome panel shows exactly while the canvas has no blocks."""
        empty = not self.diagram_scene.nodes
        if empty:
            self.welcome.place(self.viewport())
        if empty != self.welcome.isVisible():
            self.welcome.setVisible(empty)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.welcome.isVisible():
            self.welcome.place(self.viewport())
        if self.frame_on_resize:
            self.show_start()

    def reset_zoom(self) -> None:
        self.resetTransform()
        self.diagram_scene.set_zoom(1.0)

    def fit(self) -> None:
        """Fit to View (the menu command, or a caller that wants this view and keeps it)."""
        self.frame_on_resize = False
        self._fit()

    def _fit(self) -> None:
        rect = self.diagram_scene.content_rect()
        if rect.isEmpty():
            self.reset_zoom()
            self.centerOn(0, 0)
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.5:
            self.zoom_by(1.5 / self.zoom)
        self.diagram_scene.set_zoom(self.zoom)

    def auto_layout(self) -> None:
        """Ctrl+L: lay the network out to the shape of this view, then show all of it."""
        editor = self.diagram_scene.editor
        if editor is None:
            return
        size = self.viewport().size()
        editor.auto_layout(aspect=max(size.width(), 1) / max(size.height(), 1))
        self.diagram_scene.route_wires()  # the fit below frames the routed wires
        self.fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        # however the transform changed (zoom_by, fit, a script's scale()), cache to suit it
        self.diagram_scene.set_zoom(self.zoom)
        super().paintEvent(event)

    def show_start(self) -> None:
        """The view after opening a file: the whole network while it still draws as cards.

        A network that only fits at a zoom where the cards turn into plain boxes (below
        ``FAR_ZOOM``, e.g. a 30-block ResNet in one row) would show nothing readable, so
        then the view starts at a readable zoom with the left (input) end in view.
        """
        self.frame_on_resize = True
        self._fit()
        rect = self.diagram_scene.content_rect()
        if rect.isEmpty() or self.zoom >= FAR_ZOOM:
            return
        self.resetTransform()
        self.zoom_by(READABLE_ZOOM + 0.15)
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        self.centerOn(rect.left() - 40 + visible.width() / 2, rect.center().y())

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        self.frame_on_resize = False
        if delta:
            self.zoom_by(1.0015**delta)
        event.accept()

    # ------------------------------------------------------------------ pan
    def _panning_press(self, event: QMouseEvent) -> bool:
        return event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.frame_on_resize = False  # the user has started working in this view
        if self._panning_press(event):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            now = event.position().toPoint()
            delta = now - self._pan_from
            self._pan_from = now
            self.pan_by(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(
                Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.ArrowCursor
            )
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) viewport pixels."""
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(int(h.value() - dx))
        v.setValue(int(v.value() - dy))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        """Tab on the canvas opens the add-search instead of moving the focus; Ctrl+Tab /
        Ctrl+Shift+Tab move the focus on.

        Only a Tab key pressed on the canvas opens it: Qt also moves the focus on when a
        focused child is hidden (the welcome panel, once an example it offered opens), which
        must not pop the search up over the example just opened.
        """
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            forward = focus_step(event)
            if forward is not None:
                self.focusNextPrevChild(forward)  # Qt's own focus chain, not the search
                event.accept()
                return True
            plain = not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            )
            if plain and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.open_search(self.mapToScene(self.mapFromGlobal(self.cursor().pos())), None)
                event.accept()
                return True
        return super().event(event)

    # ------------------------------------------------------------------ add-search
    def open_search(self, scene_pos: QPointF, wire: object = None) -> AddBlockPopup | None:
        """Open the search box at ``scene_pos``; with ``wire`` = (node, port, is_output)
        only blocks that fit are listed and the chosen one is wired to that port."""
        editor = self.diagram_scene.editor
        if editor is None:
            return None
        types = None
        diagram = self.diagram_scene.diagram
        if wire is not None:
            node_id, port, is_output = wire  # type: ignore[misc]
            allowed = addable_types(diagram)
            if is_output:
                analysis = self.diagram_scene.analysis
                result = analysis.nodes.get(node_id) if analysis else None
                x = result.outputs.get(port) if result else None
                types = blocks_fitting_output(x, diagram, allowed)
            else:
                types = blocks_feeding_input(diagram, allowed)
        if self.popup is not None:
            self.popup.close()
        popup = AddBlockPopup(self, types, diagram)
        self.popup = popup
        popup.destroyed.connect(lambda _=None: setattr(self, "popup", None))
        pos = drop_position(scene_pos)

        def chosen(type_name: str) -> None:
            if wire is None:
                editor.add_block(type_name, pos)
            else:
                nid, port, is_output = wire  # type: ignore[misc]
                editor.add_block_wired(type_name, pos, nid, port, is_output)

        popup.chosen.connect(chosen)
        popup.move(self.viewport().mapToGlobal(self.mapFromScene(scene_pos)))
        popup.show()
        return popup

    # ------------------------------------------------------------------ context menu
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        """The window's canvas actions (``context_actions``) at the mouse; a block clicked
        outside the selection becomes the selection first, as in file managers."""
        if not self.context_actions:
            super().contextMenuEvent(event)
            return
        scene_pos = self.mapToScene(event.pos())
        card = next(
            (i for i in self.diagram_scene.items(scene_pos) if isinstance(i, NodeItem)), None
        )
        if card is not None and not card.isSelected():
            self.diagram_scene.select_nodes([card.node_id])
        # the right-button press made the block the scene's mouse grabber, and the release
        # goes to the menu: left grabbing, the block ate the next click (and deselected)
        grabber = self.diagram_scene.mouseGrabberItem()
        if grabber is not None:
            grabber.ungrabMouse()
        menu = QMenu(self)
        for action in self.context_actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.context_menu = menu
        menu.popup(event.globalPos())
        event.accept()

    # ------------------------------------------------------------------ drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()  # files fall through to the main window

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if not mime.hasFormat(BLOCK_MIME):
            event.ignore()
            return
        type_name = bytes(mime.data(BLOCK_MIME).data()).decode("utf-8")
        editor = self.diagram_scene.editor
        if type_name not in addable_types(self.diagram_scene.diagram) or editor is None:
            event.ignore()
            return
        scene_pos = self.mapToScene(event.position().toPoint())
        edge = self.edge_at(scene_pos)
        if edge is not None:
            editor.insert_on_edge(type_name, drop_position(scene_pos), edge.edge)
        else:
            editor.add_block(type_name, drop_position(scene_pos))
        event.acceptProposedAction()
        self.setFocus()

    def edge_at(self, scene_pos: QPointF) -> EdgeItem | None:
        r = 6.0
        area = QRectF(scene_pos.x() - r, scene_pos.y() - r, 2 * r, 2 * r)
        for item in self.diagram_scene.items(area):
            if isinstance(item, EdgeItem) and item.isVisible():
                return item
        return None
