"""The main window: two workspaces (``gui.workspaces``). Design: canvas in the centre,
palette left, inspector right, problems below. Training: the training workspace fills it.

Hooks for other parts of the app:

* ``window.session``: the current diagram, its file, trained weights (``session.state_dict``)
  and latest check (``session.analysis``); ``session.analysed`` fires after every check.
* ``window.add_dock(widget, area, title)``: add a panel (listed in the View menu).
* ``window.show_workspace("design" | "training")``; ``window.training_panel`` is the
  Training workspace (its widgets, e.g. a "try it" panel, can be added to its tabs).
* ``window.export_menu``: the File > Export submenu; add actions to it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QPointF, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QCursor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QUndoView,
    QWidget,
)

from netbuilder import __version__
from netbuilder.core.shapes import Analysis
from netbuilder.gui.canvas.health_overlay import install_canvas_insight
from netbuilder.gui.canvas.image_export import ImageExportError, save_scene_image
from netbuilder.gui.canvas.scene import DiagramScene
from netbuilder.gui.canvas.view import DiagramView
from netbuilder.gui.cost import CostStatus
from netbuilder.gui.docks.insight_views import install_insight_views
from netbuilder.gui.docks.inspector import Inspector
from netbuilder.gui.docks.palette import Palette
from netbuilder.gui.docks.problems import ProblemsList
from netbuilder.gui.docks.training import TrainingWorkspace
from netbuilder.gui.editor import Editor
from netbuilder.gui.export_dialog import install_export_actions
from netbuilder.gui.files import FileActions
from netbuilder.gui.i18n import core_text
from netbuilder.gui.icons import app_icon
from netbuilder.gui.import_dialog import ImportActions
from netbuilder.gui.preferences import install_preferences_action
from netbuilder.gui.recovery import Autosaver
from netbuilder.gui.run_watch import install_watch_action
from netbuilder.gui.session import Session
from netbuilder.gui.subblocks.actions import SubBlockUi
from netbuilder.gui.theme import format_count
from netbuilder.gui.workspaces import Workspaces
from netbuilder.resources import example_info, example_paths

Area = Qt.DockWidgetArea
STD = QKeySequence.StandardKey


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.session = Session(self)
        self.editor = Editor(self.session, self)
        self.files = FileActions(self)
        self.imports = ImportActions(self)  # File > Import…, File > Export > Mermaid…
        # unsaved changes are autosaved for crash recovery; failures go to the status bar
        self.autosave = Autosaver(self.session, self._show_message, self)
        self.scene = DiagramScene(self.session.diagram, self.editor, self)
        self.view = DiagramView(self.scene, self)
        self.view.example_chosen.connect(self._open_welcome_example)
        self.scene.apply_analysis(self.session.analysis)

        self.palette_panel = Palette(self)
        self.inspector = Inspector(self.editor, self)
        self.problems = ProblemsList(self)
        self.history = QUndoView(self.session.undo_stack, self)
        self.history.setEmptyLabel(self.tr("<start>"))
        self.setCorner(Qt.Corner.BottomLeftCorner, Area.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Area.RightDockWidgetArea)
        self.palette_dock = self.add_dock(
            self.palette_panel, Area.LeftDockWidgetArea, self.tr("Blocks"), name="Blocks"
        )
        self.inspector_dock = self.add_dock(
            self.inspector, Area.RightDockWidgetArea, self.tr("Inspector"), name="Inspector"
        )
        bottom = Area.BottomDockWidgetArea
        self.problems_dock = self.add_dock(
            self.problems, bottom, self.tr("Problems"), name="Problems"
        )
        self.history_dock = self.add_dock(self.history, bottom, self.tr("History"), name="History")
        # one tabbed group only: with a second group (Inspector | History on the right) Qt
        # left a duplicate of that group's tab bar drawn over the canvas
        self.tabifyDockWidget(self.problems_dock, self.history_dock)
        self.problems_dock.raise_()
        # the Training workspace is a page of its own, not a panel under the canvas
        self.training_panel = TrainingWorkspace.for_session(self.session, self)
        self.training_panel.node_failed.connect(self.select_node)
        docks = [self.palette_dock, self.inspector_dock, self.problems_dock, self.history_dock]
        self.workspaces = Workspaces(self, self.view, self.training_panel, docks)
        self.setCentralWidget(self.workspaces.stack)
        self._sized_docks = False
        self.resizeDocks(
            [self.palette_dock, self.inspector_dock], [230, 300], Qt.Orientation.Horizontal
        )

        self.params_label = QLabel(self)
        self.valid_label = QLabel(self)
        self.cost_label = CostStatus(self.session, self)  # FLOPs and training memory
        self.statusBar().addPermanentWidget(self.cost_label)
        self.statusBar().addPermanentWidget(self.params_label)
        self.statusBar().addPermanentWidget(self.valid_label)

        self._build_actions()
        self.subblocks = SubBlockUi(self)  # make/expand/open sub-blocks, the breadcrumb
        self._build_menus()
        self.insight = install_canvas_insight(self)  # cost and gradient-health overlays
        self._connect()
        self.insight_views = install_insight_views(self)  # LR finder, overfit, Inside (#13)
        self._update_status(self.session.analysis)
        self._update_title()
        self.resize(self._default_size())
        self.restore_settings()

    # ------------------------------------------------------------------ docks
    def add_dock(
        self, widget: QWidget, area: Qt.DockWidgetArea, title: str = "", name: str = ""
    ) -> QDockWidget:
        """Put ``widget`` in a dock panel (named ``title`` or the widget's window title).

        ``name``, untranslated, names the dock in the saved window layout, so a layout
        saved in one language is restored in another; it defaults to the title.
        """
        dock = QDockWidget(title or widget.windowTitle(), self)
        key = name or title or widget.windowTitle() or type(widget).__name__
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if hasattr(self, "view_menu"):
            self.view_menu.addAction(dock.toggleViewAction())
        return dock

    # ------------------------------------------------------------------ actions
    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        f, e, v = self.files, self.editor, self.view
        stack = self.session.undo_stack
        sel = self.scene.selected_node_ids
        self.act_new = self._action(self.tr("&New"), f.new, STD.New)
        self.act_open = self._action(self.tr("&Open…"), f.open_dialog, STD.Open)
        self.act_save = self._action(self.tr("&Save"), f.save, STD.Save)
        self.act_save_as = self._action(self.tr("Save &As…"), f.save_as, STD.SaveAs)
        self.act_save_trained = self._action(
            self.tr("Save &Trained Model…"),
            f.save_trained_model,
            "Ctrl+Alt+S",
            self.tr("Save the trained weights, optimizer state and metrics as a .pt checkpoint"),
        )
        self.act_save_trained.setEnabled(False)
        self.session.weights_changed.connect(self._name_trained_model_actions)
        self.act_export_png = self._action(
            self.tr("Image (PNG)…"), lambda: self.export_image(".png")
        )
        self.act_export_svg = self._action(
            self.tr("Image (SVG)…"), lambda: self.export_image(".svg")
        )
        self.act_quit = self._action(self.tr("&Quit"), self.close, STD.Quit)
        self.act_undo = stack.createUndoAction(self, self.tr("&Undo"))
        self.act_undo.setShortcut(QKeySequence(STD.Undo))
        self.act_redo = stack.createRedoAction(self, self.tr("&Redo"))
        self.act_redo.setShortcut(QKeySequence(STD.Redo))
        self.act_cut = self._action(self.tr("Cu&t"), lambda: e.cut(sel()), STD.Cut)
        self.act_copy = self._action(self.tr("&Copy"), lambda: e.copy(sel()), STD.Copy)
        self.act_paste = self._action(self.tr("&Paste"), self._paste, STD.Paste)
        self.act_duplicate = self._action(
            self.tr("D&uplicate"), lambda: e.duplicate(sel()), "Ctrl+D"
        )
        self.act_delete = self._action(
            self.tr("&Delete"), lambda: e.remove(sel(), self.scene.selected_edges()), STD.Delete
        )
        self.act_delete.setShortcuts([QKeySequence(STD.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.act_select_all = self._action(self.tr("Select &All"), self._select_all, STD.SelectAll)
        self.act_layout = self._action(self.tr("Auto-&layout"), v.auto_layout, "Ctrl+L")
        self.act_add = self._action(self.tr("Add &Block…"), self._search_at_centre, "Ctrl+B")
        self.act_zoom_in = self._action(self.tr("Zoom &In"), v.zoom_in, STD.ZoomIn)
        self.act_zoom_out = self._action(self.tr("Zoom &Out"), v.zoom_out, STD.ZoomOut)
        self.act_fit = self._action(self.tr("&Fit to View"), v.fit, "Ctrl+0")
        for a in (self.act_cut, self.act_copy, self.act_delete, self.act_duplicate):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.view.addAction(a)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.act_new, self.act_open])
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        self.examples_menu = file_menu.addMenu(self.tr("&Examples"))
        for path in example_paths():
            info = example_info(path)
            act = self.examples_menu.addAction(core_text(info.title))
            act.setStatusTip(core_text(info.description))
            act.triggered.connect(lambda _c=False, p=path: self.files.open(p, as_template=True))
        file_menu.addAction(self.imports.act_import)
        file_menu.addAction(self.imports.act_subblocks)
        file_menu.addSeparator()
        file_menu.addActions([self.act_save, self.act_save_as, self.act_save_trained])
        self.export_menu: QMenu = file_menu.addMenu(self.tr("&Export"))
        self.export_menu.addActions([self.act_export_png, self.act_export_svg])
        self.export_menu.addAction(self.imports.act_mermaid)
        # enabled while the session holds trained weights (a finished run or an opened .pt)
        self.act_export_trained = install_export_actions(self, lambda: self.session)
        self._name_trained_model_actions()
        self.act_watch_run = install_watch_action(self, file_menu)  # a run's curves, live
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu(self.tr("&Edit"))
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addActions([self.act_cut, self.act_copy, self.act_paste, self.act_duplicate])
        edit.addActions([self.act_delete, self.act_select_all])
        edit.addSeparator()
        edit.addActions([self.act_add, self.act_layout])
        self.subblocks.add_to_menu(edit)  # and the canvas's context menu
        edit.addSeparator()
        self.act_preferences = install_preferences_action(self, edit)  # the UI language
        self.view_menu = bar.addMenu(self.tr("&View"))
        self.view_menu.addActions([self.workspaces.act_design, self.workspaces.act_training])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.act_zoom_in, self.act_zoom_out, self.act_fit])
        self.view_menu.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.history_dock, self.problems_dock):
            self.view_menu.addAction(dock.toggleViewAction())
        bar.setCornerWidget(self.workspaces.tab_bar, Qt.Corner.TopRightCorner)
        self.train_menu = train_menu = bar.addMenu(self.tr("&Train"))
        train_menu.addActions(self.training_panel.controls.menu_actions())
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self._action(self.tr("&About NetBuilder"), self._about))
        self.rebuild_recent_menu()

    def _name_trained_model_actions(self) -> None:
        """Save/Export Trained Model act on this document's weights and name their run."""
        name = self.session.model_name
        self.act_save_trained.setEnabled(bool(name))
        self.act_save_trained.setText(
            self.tr("Save &Trained Model ({name})…").format(name=name)
            if name
            else self.tr("Save &Trained Model…")
        )
        if hasattr(self, "act_export_trained"):
            self.act_export_trained.setText(
                self.tr("Trained Model ({name}: .pt2, ONNX, Python)…").format(name=name)
                if name
                else self.tr("Trained Model (.pt2, ONNX, Python)…")
            )

    def rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for p in self.files.recent():
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _c=False, path=p: self.files.open(Path(path)))
        self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.tr("Clear list"), self.files.clear_recent)
        self.recent_menu.setEnabled(bool(self.files.recent()))

    def _connect(self) -> None:
        s = self.session
        s.analysed.connect(self.problems.show_analysis)
        s.analysed.connect(self._update_status)
        s.undo_stack.cleanChanged.connect(self._update_title)
        s.file_changed.connect(self._update_title)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.problems.node_clicked.connect(self.select_node)
        self.problems.path_clicked.connect(self.subblocks.reveal)
        self.palette_panel.add_requested.connect(self._add_at_centre)
        self.editor.message.connect(self._show_message)
        self.editor.nodes_created.connect(self.scene.select_nodes)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    # ------------------------------------------------------------------ reactions
    def _update_status(self, analysis: Analysis) -> None:
        self.params_label.setText(
            self.tr("Parameters: {count}").format(count=format_count(analysis.total_params))
        )
        n = len(analysis.errors)
        if not self.session.diagram.nodes:
            self.valid_label.setText(self.tr("Empty"))
        elif n:
            self.valid_label.setText(
                "<span style='color:#d22'>✗ {}</span>".format(self.tr("%n problem(s)", "", n))
            )
        else:
            self.valid_label.setText(
                "<span style='color:#1a4'>✓ {}</span>".format(self.tr("Valid"))
            )

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _scheme_changed(self, _scheme: object = None) -> None:
        self.scene.set_theme()

    def _update_title(self, _clean: bool = True) -> None:
        self.setWindowTitle(f"{self.session.display_name}[*] — NetBuilder")
        self.setWindowModified(self.session.modified)

    def _selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        self.inspector.show_node(ids[0] if len(ids) == 1 else None)

    def select_node(self, node_id: str) -> None:
        """Show block ``node_id`` of the network (leaving any opened sub-block)."""
        self.session.scope.go_to(0)
        item = self.scene.nodes.get(node_id)
        if item is not None:
            self.scene.select_nodes([node_id])
            self.view.centerOn(item)

    def _select_all(self) -> None:
        for item in [*self.scene.nodes.values(), *self.scene.edges.values()]:
            item.setSelected(True)

    def _paste(self) -> None:
        """Paste at the mouse when it is over the canvas, else just off the original."""
        from netbuilder.gui.canvas.view import drop_position

        viewport = self.view.viewport()
        local = viewport.mapFromGlobal(QCursor.pos())
        inside = viewport.rect().contains(local)
        at = drop_position(self.view.mapToScene(local)) if inside else None
        self.editor.paste(at=at)

    def _centre(self) -> QPointF:
        return self.view.mapToScene(self.view.viewport().rect().center())

    def _add_at_centre(self, type_name: str) -> None:
        from netbuilder.gui.canvas.view import drop_position

        self.editor.add_block(type_name, drop_position(self._centre()))

    def _search_at_centre(self) -> None:
        self.view.open_search(self._centre(), None)

    def after_load(self) -> None:
        """Called after New/Open: fresh view of the new diagram.

        The view is framed now, again on each resize of the canvas until the user zooms,
        pans or clicks in it (``DiagramView.frame_on_resize``), and once more when the event
        loop next runs: a file opened around the first show (``netbuilder FILE``), before
        the window manager sizes the window or docks settle, would otherwise be framed for
        a viewport size that is about to change.
        """
        self.inspector.show_node(None)
        self.view.show_start()
        QTimer.singleShot(0, self, self._frame_after_layout)

    def _frame_after_layout(self) -> None:
        if self.isVisible() and self.view.frame_on_resize:
            self.view.show_start()

    def export_image(self, suffix: str) -> None:
        stem = Path(self.session.display_name).stem
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export image"), str(Path.home() / f"{stem}{suffix}"), f"*{suffix}"
        )
        if not path:
            return
        try:
            save_scene_image(self.scene, path)
        except ImageExportError as exc:
            QMessageBox.warning(self, self.tr("Cannot export"), str(exc))
            return
        self.statusBar().showMessage(self.tr("Exported {path}").format(path=path), 4000)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About NetBuilder"),
            f"NetBuilder {__version__}\n"
            + self.tr(
                "Draw a neural network, see every tensor shape, train it live, "
                "export plain PyTorch."
            ),
        )

    # ------------------------------------------------------------------ window events
    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        if not self._sized_docks and not QSettings().contains("window/state"):
            self._sized_docks = True  # first start: a slim problems list under the canvas
            self.resizeDocks([self.problems_dock], [120], Qt.Orientation.Vertical)

    def _default_size(self) -> QSize:
        """1400×860, or less on a small screen: a window larger than the screen hides
        its right-hand side (the workspace tabs, the inspector) off the edge."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return QSize(1400, 860)
        free = screen.availableGeometry()
        return QSize(min(1400, free.width()), min(860, free.height()))

    def _open_welcome_example(self, path: Path) -> None:
        """An example clicked on the empty canvas: open it as a template, then give the
        canvas the keyboard (the welcome panel that had it is gone)."""
        if self.files.open(path, as_template=True):
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_workspace(self, name: str) -> None:
        """Bring the Design or Training workspace (``gui.workspaces``) to the front."""
        self.workspaces.show(name)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.toLocalFile().lower().endswith((".nbd", ".pt")) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            if path.lower().endswith((".nbd", ".pt")):
                event.acceptProposedAction()
                self.files.open(Path(path))
                return

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "scene"):
            self.scene.set_theme()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._stop_training_to_close():
            event.ignore()
            return
        if not self.files.maybe_save():
            event.ignore()
            return
        self.autosave.close()  # saved or discarded: the recovery copy goes too
        self.save_settings()
        self.scene.gestures.cancel()
        self.training_panel.shutdown()  # stop and join a running training thread
        event.accept()

    def _stop_training_to_close(self) -> bool:
        return self.stop_training_first("close")

    def stop_training_first(self, verb: str) -> bool:
        """Ask before ending a running training (to close, or to show another diagram: a run
        belongs to its diagram); stopping hands its best weights to the session first, so
        the save question that follows can offer to keep them. False: the user cancelled."""
        panel = self.training_panel
        if not panel.is_running():
            return True
        answer = QMessageBox.question(
            self,
            self.tr("Training is running"),
            self._stop_question(verb),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        panel.shutdown()
        return True

    def _stop_question(self, verb: str) -> str:
        """The whole question for each ``verb`` callers pass: a translator sees sentences."""
        tail = self.tr("You can save the best weights trained so far.")
        questions = {
            "close": self.tr("Stop the training and close?"),
            "start a new diagram": self.tr("Stop the training and start a new diagram?"),
            "open another diagram": self.tr("Stop the training and open another diagram?"),
        }
        question = questions.get(verb) or self.tr("Stop the training and {verb}?").format(verb=verb)
        return f"{question} {tail}"

    # ------------------------------------------------------------------ settings
    #: Bumped whenever the set or default arrangement of docks changes: Qt then ignores a
    #: layout saved by an older NetBuilder instead of restoring docks into odd places.
    LAYOUT_VERSION = 3

    def save_settings(self) -> None:
        s = QSettings()
        self.workspaces.restore_design_docks()  # the layout is saved as Design has it
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(self.LAYOUT_VERSION))

    def restore_settings(self) -> None:
        s = QSettings()
        geometry = s.value("window/geometry")
        state = s.value("window/state")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state, self.LAYOUT_VERSION)
