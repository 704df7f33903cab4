"""The main window's integration points: the trained-model export entry, framing an opened
file once the window has its final size, and a dataset preview that outlives its window."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from netbuilder.core import io
from netbuilder.core.compile import compile_diagram
from netbuilder.gui.export_dialog import ExportDialog
from netbuilder.gui.theme import FAR_ZOOM
from netbuilder.train.checkpoint import save_checkpoint

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
CNN = EXAMPLES / "cnn_image_classifier.nbd"
# short enough to be shown whole at a readable zoom in the test window
LSTM = EXAMPLES / "lstm_sequence_classifier.nbd"


def write_checkpoint(path: Path, example: str = "mlp_regressor.nbd") -> Path:
    diagram = io.load(EXAMPLES / example)
    torch.manual_seed(0)
    save_checkpoint(path, diagram, compile_diagram(diagram), metrics={"val_loss": [0.5]})
    return path


def whole_network_visible(window) -> bool:
    content = window.scene.content_rect()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    return not content.isEmpty() and visible.contains(content)


def test_export_entry_follows_weights_and_opens_the_dialog(qtbot, window, tmp_path):
    action = window.act_export_trained
    assert action in window.export_menu.actions()
    assert not action.isEnabled()  # an empty diagram has no trained weights
    assert window.files.open(write_checkpoint(tmp_path / "m.pt"), ask=False)
    assert action.isEnabled()

    seen: list[object] = []

    def answer() -> None:  # the dialog is modal: look at it and close it from the event loop
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        dialog.reject()

    QTimer.singleShot(0, answer)
    action.trigger()
    assert len(seen) == 1 and isinstance(seen[0], ExportDialog)
    window.files.new()
    assert not action.isEnabled()


def test_opened_example_fits_the_view(qtbot, window):
    window.view.resetTransform()
    window.view.scale(3.0, 3.0)  # a zoom from earlier work must not survive opening a file
    assert window.files.open(LSTM, ask=False, as_template=True)
    qtbot.waitUntil(lambda: whole_network_visible(window), timeout=5000)


def test_file_opened_before_show_fits_the_final_window(qtbot, make_window):
    """`netbuilder FILE` opens the file around the first show, before docks settle."""
    from netbuilder.gui.main_window import MainWindow

    window = make_window()
    window.hide()
    window.resize(600, 400)
    window.files.open(CNN, ask=False, as_template=True)  # framed for a small window …
    window.resize(1500, 950)
    window.show()  # … and framed again once shown at its final size
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: whole_network_visible(window), timeout=5000)
    assert isinstance(window, MainWindow)
    assert window.view.zoom >= FAR_ZOOM  # whole network, drawn as readable cards


def test_view_follows_resizes_until_the_user_zooms(qtbot, window):
    # a network that fits below the 1.5 zoom cap at both sizes (the small LSTM example is
    # laid out compactly and is shown at the cap already)
    assert window.files.open(EXAMPLES / "small_resnet.nbd", ask=False, as_template=True)
    qtbot.waitUntil(lambda: whole_network_visible(window), timeout=5000)
    small_zoom = window.view.zoom
    window.resize(1900, 1000)  # e.g. the window manager maximises the window after show
    qtbot.waitUntil(lambda: window.view.zoom > small_zoom * 1.1, timeout=5000)
    assert whole_network_visible(window)
    window.view.zoom_in()  # the user takes over: resizes no longer move the view
    zoom = window.view.zoom
    window.resize(1400, 860)
    qtbot.wait(50)
    assert window.view.zoom == zoom


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_closing_the_window_while_a_preview_loads(qtbot, qapp, monkeypatch):
    """The preview thread finishes after the window is gone: no emit on a deleted object."""
    import netbuilder.train.sources as data
    from netbuilder.gui.docks.dataset_loading import _PreviewLoader
    from netbuilder.gui.main_window import MainWindow

    gate, started = threading.Event(), threading.Event()
    real_load = data.load_data

    def slow_load(config, diagram):
        started.set()
        gate.wait(30)
        return real_load(config, diagram)

    monkeypatch.setattr(data, "load_data", slow_load)
    window = MainWindow()
    window.show()
    qtbot.waitExposed(window)
    window.session.replace(io.load(CNN), None, "cnn")
    window.show_workspace("training")
    qtbot.waitUntil(started.is_set, timeout=10_000)
    delivered: list[object] = []
    _PreviewLoader.shared().loaded.connect(delivered.append)
    try:
        window.session.undo_stack.setClean()
        assert window.close()
        window.scene.detach()
        window.deleteLater()
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
            qapp.processEvents()
        gate.set()
        for thread in threading.enumerate():
            if thread.name == "netbuilder-preview":
                thread.join(30)
        qtbot.waitUntil(lambda: bool(delivered), timeout=10_000)  # emitted, and nothing broke
        assert delivered[0][2] is not None  # the data loaded; only its panel is gone
    finally:
        gate.set()
        _PreviewLoader.shared().loaded.disconnect(delivered.append)


def test_wide_network_opens_readable_at_its_input_end(qtbot, window):
    """A one-row network too long to fit legibly starts at its input, not as a smudge."""
    from netbuilder.gui.theme import FAR_ZOOM

    assert window.files.open(CNN, ask=False, as_template=True)
    view = window.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    content = window.scene.content_rect()

    def settled() -> bool:
        nonlocal visible
        visible = view.mapToScene(view.viewport().rect()).boundingRect()
        return visible.left() <= content.left()

    qtbot.waitUntil(settled, timeout=5000)
    assert view.zoom > FAR_ZOOM  # blocks draw as cards with readable text
    image = window.session.diagram.nodes["image"].position
    assert visible.contains(image[0], image[1])  # the input end is in view


def test_layout_saved_by_an_older_version_is_ignored(make_window):
    """A stale saved layout must not put newly added docks in odd places."""
    from PySide6.QtCore import QSettings

    old = make_window()
    old.history_dock.hide()
    QSettings().setValue("window/state", old.saveState(old.LAYOUT_VERSION - 1))
    fresh = make_window()  # an older version's layout: defaults instead
    assert not fresh.history_dock.isHidden()
    assert fresh.history_dock in fresh.tabifiedDockWidgets(fresh.problems_dock)
    QSettings().setValue("window/state", old.saveState(old.LAYOUT_VERSION))
    current = make_window()  # this version's layout is restored
    assert current.history_dock.isHidden()
