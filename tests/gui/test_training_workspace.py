"""The Training workspace fits a laptop screen (issue 9 item 2): at 1280×720 and 1024×700
every control is inside the window, the plots are readable, and nothing scrolls sideways
— neither the settings column nor the evaluation (per-class table, confusion matrix,
misclassified samples)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from netbuilder.core import io

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
WAIT_MS = 90_000


def inside(widget: QWidget, window: QWidget) -> bool:
    """The widget's whole rectangle lies within the window's client area."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def no_sideways_scrolling(area: QAbstractScrollArea) -> bool:
    bar = area.horizontalScrollBar()
    return bar.maximum() == 0 or not bar.isVisible()


@pytest.fixture(scope="module")
def trained_cnn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CNN example trained 2 quick epochs, as a .pt to open (weights, metrics, runs)."""
    from netbuilder.train.checkpoint import save_checkpoint
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.trainer import Trainer

    diagram = io.load(EXAMPLES / "cnn_image_classifier.nbd")
    diagram.set_training(
        {**diagram.training, "epochs": 2, "device": "cpu", "dataset_options": {"size": 240}}
    )
    result = Trainer(diagram, TrainConfig.from_dict(diagram.training)).run()
    assert result.status == "completed", result.error
    path = tmp_path_factory.mktemp("pt") / "cnn.pt"
    save_checkpoint(path, diagram, result.model, metrics=result.metrics, classes=result.classes)
    return path


@pytest.mark.parametrize("size", [(1280, 720), (1024, 700)])
def test_training_workspace_fits_the_screen(qtbot, window, trained_cnn, size):
    window.resize(*size)
    assert window.files.open(trained_cnn, ask=False)
    window.show_workspace("training")
    panel = window.training_panel
    qtbot.waitUntil(lambda: panel.isVisible())
    with qtbot.waitSignal(panel.evaluation_finished, timeout=WAIT_MS):
        assert panel.evaluate_weights()
    qtbot.wait(50)
    assert window.width() <= size[0] and window.height() <= size[1]

    # every control is on screen, in one row, not clipped
    c = panel.controls
    buttons = (c.start_button, c.start_from, c.pause_button, c.stop_button, c.export_button)
    for w in (*buttons, c.evaluate_button, c.progress, c.device_label, panel.run_list, panel.log):
        assert w.isVisible() and inside(w, window), w
        assert w.width() >= min(w.minimumSizeHint().width(), 60), w
    assert len({b.y() for b in (c.start_button, c.stop_button, c.evaluate_button)}) == 1
    assert "run 1" in c.export_button.text()  # names the run it exports

    # the settings column scrolls vertically only, and its fields are not squeezed
    assert no_sideways_scrolling(panel.settings_scroll)
    assert panel.settings.width() <= panel.settings_scroll.viewport().width()

    # curves: the loss and accuracy plots are big enough to read
    panel.tabs.setCurrentWidget(panel.curves)
    qtbot.wait(50)
    loss = panel.curves.loss_plot.vb.sceneBoundingRect()
    acc = panel.curves.acc_plot.vb.sceneBoundingRect()
    lr = panel.curves.lr_plot.vb.sceneBoundingRect()
    assert loss.height() >= 160 and loss.width() >= 250, loss  # was ~35 px in the dock
    assert acc.height() >= 160 and acc.width() >= 200, acc
    assert lr.height() >= 50, lr
    # the run from the .pt is listed and overlaid
    assert panel.run_list.rowCount() == 1 and panel.curves._overlay_items

    # evaluation: every class column and the samples without sideways scrolling
    panel.tabs.setCurrentWidget(panel.evaluation)
    qtbot.wait(50)
    ev = panel.evaluation
    assert ev.confusion.columnCount() == 6
    assert no_sideways_scrolling(ev.confusion) and no_sideways_scrolling(ev.per_class)
    assert no_sideways_scrolling(ev.samples_scroll)
    assert inside(ev.confusion, window) and inside(ev.samples_scroll, window)
    header = ev.confusion.horizontalHeader()
    assert all(header.sectionSize(j) >= 24 for j in range(6))
    assert ev.confusion.height() >= 150 and ev.samples_scroll.height() >= 80
    last = ev.samples_grid.itemAt(ev.samples_grid.count() - 1).widget()
    assert last.geometry().right() <= ev.samples_scroll.viewport().width()

    # back in Design the panels return beside the canvas, in the same window size: the
    # Training page's minimum width (its button row) no longer counts once it is hidden
    window.show_workspace("design")
    qtbot.wait(50)
    assert window.width() <= size[0] and window.height() <= size[1]
    for dock in (window.palette_dock, window.inspector_dock):
        assert dock.isVisible() and inside(dock, window), dock
        assert dock.width() >= 150, dock  # not squeezed to a sliver
    assert inside(window.view, window) and window.view.width() >= 300


def test_inside_panel_beside_the_training_workspace_fits_1024(qtbot, window, trained_cnn):
    """With the Inside panel open beside the Training workspace on a 1024×700 screen, the
    run controls wrap onto a second row instead of widening the window past the screen
    (their single row needed 958 px beside the settings column, plus the panel)."""
    window.resize(1024, 700)
    assert window.files.open(trained_cnn, ask=False)
    window.show_workspace("training")
    window.insight_views.act_inside.trigger()
    panel = window.training_panel
    qtbot.waitUntil(lambda: window.insight_views.inside_dock.isVisible())
    qtbot.wait(50)
    assert window.width() <= 1024 and window.height() <= 700
    c = panel.controls
    buttons = (c.start_button, c.start_from, c.pause_button, c.stop_button, c.export_button)
    for w in (*buttons, c.evaluate_button, c.progress, panel.run_list):
        assert w.isVisible() and inside(w, window), w
    rows = {b.y() for b in (*buttons, c.evaluate_button)}
    assert len(rows) == 2  # wrapped, and nothing overlaps the progress bar below

    def bottom(w: QWidget) -> int:
        return w.mapTo(window, QPoint(0, w.height())).y()

    assert c.progress.mapTo(window, QPoint(0, 0)).y() >= max(bottom(b) for b in buttons)
    assert inside(window.insight_views.inside_dock, window)
    # a wide window keeps them in one row
    window.resize(1600, 1000)
    qtbot.wait(50)
    assert len({b.y() for b in (*buttons, c.evaluate_button)}) == 1
