"""Issue 13 in the GUI: the learning-rate finder (Apply is one undoable step), overfit one
batch, and the Inside panel (feature maps, attention per head, LSTM traces, histograms),
all from real short runs; the views belong to their document."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt

from netbuilder.core import io
from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.gui.docks.inside import InsidePanel
from netbuilder.gui.docks.insight_views import install_checks
from netbuilder.gui.docks.training import TrainingWorkspace
from netbuilder.gui.session import Session
from netbuilder.gui.widgets.capture_view import STAGE_GAP_MS
from netbuilder.gui.widgets.feature_grid import MAX_TILES, mosaic
from netbuilder.train import overfit

WAIT_MS = 120_000  # generous: the CPU cores are shared
EXAMPLES = "resources/examples"


def mlp(lr: float = 0.01) -> Diagram:
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 1, "height": 8, "width": 8}, "image"),
        ("Flatten", {}, "flatten"),
        ("Linear", {"out_features": 32}, "fc1"),
        ("ReLU", {}, "relu"),
        ("Linear", {"out_features": 6}, "fc2"),
        ("Output", {}, "logits"),
    )
    d.set_training(
        {
            "dataset": "builtin:shapes",
            "dataset_options": {"size": 96},
            "batch_size": 16,
            "device": "cpu",
            "lr": lr,
            "epochs": 1,
        }
    )
    return d


def example(name: str, size: int = 96, epochs: int = 1) -> Diagram:
    d = io.load(f"{EXAMPLES}/{name}.nbd")
    d.set_training(
        {
            **d.training,
            "epochs": epochs,
            "batch_size": 16,
            "device": "cpu",
            "dataset_options": {"size": size},
        }
    )
    return d


@pytest.fixture
def workspace(qtbot):
    made: list[TrainingWorkspace] = []

    def make(diagram: Diagram) -> TrainingWorkspace:
        session = Session(None, diagram)
        w = TrainingWorkspace.for_session(session)
        w._test_session = session  # keep the session alive as long as the widget
        qtbot.addWidget(w)
        w.resize(1000, 650)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.shutdown()


# ---------------------------------------------------------------- learning-rate finder
def test_lr_finder_curve_suggestion_apply_and_undo(qtbot, workspace) -> None:
    w = workspace(mlp(lr=0.01))
    checks = install_checks(w)
    panel = checks.lr_finder
    panel.steps = 80
    assert w.tabs.indexOf(checks) >= 0
    assert not panel.apply_button.isEnabled()
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        assert panel.start()
        assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    result = panel.result
    assert result is not None and len(result.lrs) > 20
    xs, ys = panel.curve.getData()
    assert len(xs) == len(result.lrs) and list(ys) == pytest.approx(result.smoothed)
    assert result.suggestion is not None and 1e-4 < result.suggestion < 10
    assert panel.marker.isVisible()
    assert panel.marker.value() == pytest.approx(math.log10(result.suggestion))
    assert panel.apply_button.isEnabled()

    stack = w.session.undo_stack
    before = stack.count()
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    applied = w.diagram.training["lr"]
    assert applied == pytest.approx(result.suggestion, rel=0.01) and applied != 0.01
    assert stack.count() == before + 1  # one step
    assert "Ctrl+Z" in panel.message.text()
    stack.undo()
    assert w.diagram.training["lr"] == 0.01
    assert "Ctrl+Z" not in panel.message.text() and "suggested" in panel.message.text()
    stack.redo()
    assert w.diagram.training["lr"] == applied


def test_lr_finder_can_be_cancelled(qtbot, workspace) -> None:
    w = workspace(mlp())
    panel = install_checks(w).lr_finder
    panel.steps = 100000  # never ends on its own
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.start()
        qtbot.waitUntil(lambda: panel.progress.value() >= 3, timeout=WAIT_MS)
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.result is not None and panel.result.stopped == "stopped by the user"
    assert len(panel.result.lrs) < 100000 and panel.run_button.isEnabled()


# ---------------------------------------------------------------- overfit one batch
def test_overfit_passes_on_a_small_mlp(qtbot, workspace, monkeypatch) -> None:
    monkeypatch.setattr(overfit, "DEFAULT_STEPS", 150)
    w = workspace(mlp(lr=0.01))
    panel = install_checks(w).overfit
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.result is not None and panel.result.passed
    assert "passed" in panel.verdict.text()
    xs, ys = panel.curve.getData()
    assert len(xs) > 100 and ys[-1] < 0.05 * ys[0]


def test_overfit_names_the_cause_when_it_fails(qtbot, workspace, monkeypatch) -> None:
    monkeypatch.setattr(overfit, "DEFAULT_STEPS", 30)
    w = workspace(mlp(lr=1e-7))  # the smallest learning rate the settings allow
    panel = install_checks(w).overfit
    with qtbot.waitSignal(panel.job.finished, timeout=WAIT_MS):
        panel.start()
    assert panel.result is not None and not panel.result.passed
    assert "FAILED" in panel.verdict.text() and "too low" in panel.verdict.text()


# ---------------------------------------------------------------- inside the network
def train_with_inside(qtbot, workspace, diagram: Diagram, interval: int = 2) -> InsidePanel:
    w = workspace(diagram)
    panel = InsidePanel(w)
    qtbot.addWidget(panel)
    panel.show()
    panel.interval.setValue(interval)
    with qtbot.waitSignal(w.run_finished, timeout=WAIT_MS) as finished:
        assert w.start()
    assert finished.args[0].status != "failed", finished.args[0].error
    return panel


def test_conv_block_shows_a_tile_per_channel_and_histograms(qtbot, workspace) -> None:
    panel = train_with_inside(qtbot, workspace, example("cnn_image_classifier"))
    panel.show_block("conv1")
    assert panel.pictures.views.currentWidget() is panel.pictures.grid
    assert panel.pictures.grid.tiles == 16  # conv1 has 16 channels
    assert panel.pictures.histograms.counts["activations"] > 0
    assert panel.pictures.histograms.counts["gradients"] > 0
    assert "label" in panel.sample_info.text() and "predicted" in panel.sample_info.text()
    panel.show_block("fc1")  # a vector: a heat strip, histograms too
    assert panel.pictures.views.currentWidget() is panel.pictures.values
    assert panel.pictures.histograms.counts["activations"] > 0
    # "Capture now" on the trained weights, for another sample
    panel.sample.setValue(3)
    assert panel.capture_now() and not panel.capture_button.isEnabled()
    qtbot.waitUntil(lambda: panel._job is None, timeout=WAIT_MS)
    panel.show_block("conv2")
    shown = panel.pictures
    assert shown.views.currentWidget() is shown.grid and shown.grid.tiles == 32
    assert "sample 3" in panel.info.text() and "trained model" in panel.info.text()
    assert panel.pictures.histograms.counts["gradients"] > 0
    # after training, choosing another sample captures it by itself
    panel.sample.setValue(5)
    qtbot.waitUntil(lambda: "for sample 5 (" in panel.info.text(), timeout=WAIT_MS)
    assert "trained model" in panel.info.text() and panel.pictures.grid.tiles == 32


def test_a_live_redraw_paints_the_view_first_and_the_histograms_after(qtbot, workspace) -> None:
    """During a run the panel is painted in parts (the view, then each histogram, one per
    STAGE_GAP_MS), so no turn of the event loop waits for the whole panel; a redraw that
    is not staged (a click, a finished run) still paints everything at once."""
    panel = train_with_inside(qtbot, workspace, example("cnn_image_classifier"))
    panel.show_block("conv1")
    assert panel.pictures.histograms.counts["activations"] > 0  # not staged: all at once
    panel.pictures.histograms.clear()
    panel.pictures.grid.clear()
    panel.drawn = None
    assert panel.redraw(staged=True)
    assert panel.pictures.grid.tiles == 16  # the view at once
    assert panel.pictures.histograms.counts == {"activations": 0, "gradients": 0}
    qtbot.waitUntil(lambda: panel.pictures.histograms.counts["activations"] > 0, timeout=2000)
    assert panel.pictures.histograms.counts["gradients"] == 0  # one part per turn
    qtbot.waitUntil(lambda: panel.pictures.histograms.counts["gradients"] > 0, timeout=2000)
    # another document meanwhile: its parts are dropped, never painted over the new one
    panel.pictures.histograms.clear()
    panel.drawn = None
    panel.redraw(staged=True)
    panel.workspace.session.replace(mlp(), None)
    qtbot.wait(3 * STAGE_GAP_MS)
    assert panel.pictures.histograms.counts == {"activations": 0, "gradients": 0}


def test_attention_block_shows_a_heads_by_t_by_t_map(qtbot, workspace) -> None:
    panel = train_with_inside(qtbot, workspace, example("transformer_text_classifier"))
    panel.show_block("encoder")
    assert panel.pictures.views.currentWidget() is panel.pictures.attention
    weights = panel.pictures.attention.weights
    assert weights is not None and tuple(weights.shape) == (4, 32, 32)  # heads × T × T
    assert panel.pictures.attention.head.count() == 5  # the mean and each head
    panel.pictures.attention.head.setCurrentIndex(2)
    shown = panel.pictures.attention.shown()
    assert shown is not None and (shown == weights[1].numpy()).all()
    assert abs(float(shown.sum(-1).mean()) - 1.0) < 1e-4  # each query's weights sum to 1


def test_recurrent_block_shows_hidden_state_traces(qtbot, workspace) -> None:
    panel = train_with_inside(qtbot, workspace, example("lstm_sequence_classifier"))
    panel.show_block("lstm")
    assert panel.pictures.views.currentWidget() is panel.pictures.traces
    assert len(panel.pictures.traces.lines) == 8
    xs, _ys = panel.pictures.traces.lines[0].getData()
    assert len(xs) == 32  # every time step of the sequence
    assert panel.pictures.histograms.counts["gradients"] > 0


def test_another_document_clears_the_views(qtbot, workspace) -> None:
    panel = train_with_inside(qtbot, workspace, example("cnn_image_classifier"))
    checks = install_checks(panel.workspace)
    panel.show_block("conv1")
    assert panel.pictures.grid.tiles and panel.live
    session = panel.workspace.session
    session.replace(mlp(), None)
    assert not panel.live and not panel.after and panel.data is None
    assert panel.pictures.views.currentWidget() is panel.pictures.empty
    assert panel.block.findData("conv1") == -1 and panel.block.findData("fc1") >= 0
    assert checks.lr_finder.result is None and not checks.lr_finder.curve.getData()[0]


def test_mosaic_caps_the_tiles_and_scales_each_on_its_own() -> None:
    import numpy as np

    maps = np.stack([np.full((4, 5), float(i)) + np.arange(5) for i in range(100)])
    image, tiles, cols = mosaic(maps)
    assert tiles == MAX_TILES and cols == 8
    assert np.nanmin(image) == 0.0 and np.nanmax(image) == 1.0


def test_window_lists_the_panel_and_a_canvas_click_picks_the_block(qtbot, window) -> None:
    views = window.insight_views
    texts = [a.text() for a in window.view_menu.actions()]
    assert views.act_inside.text() in texts
    train = [a.text() for a in window.train_menu.actions()]
    assert views.act_find_lr.text() in train and views.act_overfit.text() in train
    window.files.open(io_path("cnn_image_classifier"), as_template=True)
    views.act_inside.trigger()
    assert views.inside_dock.isVisible()
    qtbot.waitUntil(lambda: views.inside.isVisible())  # in front of the Inspector's tab
    window.select_node("conv2")
    assert views.inside.node_id == "conv2"
    assert views.inside.block.currentData() == "conv2"


def io_path(name: str):
    from pathlib import Path

    return Path(EXAMPLES) / f"{name}.nbd"


def test_a_value_strip_of_nan_says_so_instead_of_warning(qtbot) -> None:
    import warnings

    import torch

    from netbuilder.gui.widgets.feature_grid import ValueStrip

    strip = ValueStrip()
    qtbot.addWidget(strip)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "All-NaN slice" was one
        strip.show_values(torch.tensor([float("nan")] * 4))
        assert "4 not finite" in strip.caption.text() and "+1" in strip.caption.text()
        strip.show_values(torch.tensor([1.0, float("inf"), -3.0]))
    assert "+3" in strip.caption.text() and "1 not finite" in strip.caption.text()
    strip.show_values(torch.tensor([0.5, -0.25]))
    assert "not finite" not in strip.caption.text()
