"""State belongs to its document (issue 9 item 1): a run, its curves, its evaluation and its
exportable model never follow the user into another diagram, and Export/Save name their run."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from netbuilder.core import io

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
WAIT_MS = 60_000
Btn = QMessageBox.StandardButton


def train_cnn(qtbot, window, epochs: int = 1):
    """Example B (the CNN) trained one quick epoch in the window's training panel."""
    diagram = io.load(EXAMPLES / "cnn_image_classifier.nbd")
    diagram.set_training(
        {**diagram.training, "epochs": epochs, "device": "cpu", "dataset_options": {"size": 120}}
    )
    window.session.replace(diagram, None, "cnn")
    panel = window.training_panel
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        assert panel.start()
    return panel


def test_opening_another_example_leaves_the_trained_run_behind(qtbot, window, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: Btn.Discard))
    panel = train_cnn(qtbot, window)
    assert panel.export_button.isVisibleTo(panel) and panel.export_button.isEnabled()
    assert panel.export_button.text() == "Export run 1…"
    assert window.act_save_trained.isEnabled() and "run 1" in window.act_save_trained.text()
    assert panel.curves.current is not None and len(panel.curves.current.step_loss)
    assert panel.evaluation.evaluation is not None
    assert "completed" in panel.progress.format()

    assert window.files.open(EXAMPLES / "lstm_sequence_classifier.nbd", as_template=True)

    # example A on screen: nothing of B's run may act on it
    assert window.session.state_dict is None and len(window.session.runs) == 0
    assert not panel.export_button.isVisibleTo(panel)
    assert not window.act_save_trained.isEnabled()
    assert not window.act_export_trained.isEnabled()
    assert panel.progress.format() == "idle"
    assert panel.curves.current is None and not panel.curves.records
    assert panel.run_list.rowCount() == 0 and not panel.curves._overlay_items
    assert panel.evaluation.evaluation is None and panel.evaluation.confusion.rowCount() == 0
    assert panel.log.toPlainText() == ""
    panel._on_export_clicked()  # even called directly it opens nothing for B's model
    assert panel.export_dialog is None or not panel.export_dialog.isVisible()


def test_export_after_a_run_of_this_document_exports_this_document(qtbot, window, monkeypatch):
    """Train B, open A, train A: Export acts on A's weights, named after A's own run 1."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: Btn.Discard))
    train_cnn(qtbot, window)
    mlp = io.load(EXAMPLES / "mlp_regressor.nbd")
    mlp.set_training({**mlp.training, "epochs": 1, "device": "cpu"})
    window.session.replace(mlp, None, "mlp")
    panel = window.training_panel
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        assert panel.start()
    assert window.session.model_run is not None and window.session.model_run.number == 1
    assert set(window.session.state_dict) == set(
        __import__("netbuilder.core.compile", fromlist=["x"]).compile_diagram(mlp).state_dict()
    )
    panel.export_button.click()
    dialog = panel.export_dialog
    assert dialog is not None
    assert dialog.diagram.to_dict()["nodes"] == window.session.diagram.to_dict()["nodes"]
    dialog.reject()


def test_opening_during_a_run_asks_and_the_run_never_reaches_the_new_document(
    qtbot, window, monkeypatch
):
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return Btn.Yes if title == "Training is running" else Btn.Discard

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    diagram = io.load(EXAMPLES / "cnn_image_classifier.nbd")
    diagram.set_training(
        {**diagram.training, "epochs": 500, "device": "cpu", "dataset_options": {"size": 120}}
    )
    window.session.replace(diagram, None, "cnn")
    panel = window.training_panel
    panel.start()
    qtbot.waitUntil(lambda: panel.step_events_seen > 0, timeout=WAIT_MS)
    assert window.files.open(EXAMPLES / "lenet5.nbd", as_template=True)
    assert asked[0] == "Training is running"
    assert not panel.is_running()
    assert "c1" in window.session.diagram.nodes  # LeNet-5 is on screen
    assert window.session.state_dict is None and len(window.session.runs) == 0
    assert not panel.export_button.isVisibleTo(panel)
    assert panel.curves.current is None


def test_replacing_the_document_without_asking_stops_the_run_and_drops_its_result(qtbot, window):
    diagram = io.load(EXAMPLES / "cnn_image_classifier.nbd")
    diagram.set_training(
        {**diagram.training, "epochs": 500, "device": "cpu", "dataset_options": {"size": 120}}
    )
    window.session.replace(diagram, None, "cnn")
    panel = window.training_panel
    panel.start()
    qtbot.waitUntil(lambda: panel.step_events_seen > 0, timeout=WAIT_MS)
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        window.session.replace(io.load(EXAMPLES / "lenet5.nbd"), None, "lenet")
    assert window.session.state_dict is None and window.session.model_run is None
    assert len(window.session.runs) == 0 and panel.curves.current is None
    assert not panel.export_button.isVisibleTo(panel)


def test_every_panel_and_the_training_workspace_are_in_the_view_menu(qtbot, window):
    """Issue 9 item 3: every panel can be found again from View once closed."""
    actions = window.view_menu.actions()
    for dock in (window.palette_dock, window.inspector_dock, window.problems_dock):
        assert dock.toggleViewAction() in actions, dock.windowTitle()
    assert window.history_dock.toggleViewAction() in actions
    assert window.workspaces.act_training in actions
    assert window.workspaces.act_training.shortcut().toString() == "Ctrl+2"
    window.workspaces.act_training.trigger()
    assert window.training_panel.isVisible() and not window.view.isVisible()
    assert not window.palette_dock.isVisible()  # design panels step aside
    window.workspaces.act_design.trigger()
    assert window.view.isVisible() and window.palette_dock.isVisible()
    window.inspector_dock.close()
    window.inspector_dock.toggleViewAction().trigger()
    assert window.inspector_dock.isVisible()


@pytest.mark.parametrize("with_runs", [True, False])
def test_runs_travel_in_the_pt_file(qtbot, window, monkeypatch, tmp_path, with_runs):
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: Btn.Discard))
    from netbuilder.train.checkpoint import load_checkpoint, save_checkpoint

    panel = train_cnn(qtbot, window)
    path = tmp_path / "cnn.pt"
    if with_runs:
        assert window.files.save_trained_model(path)
    else:  # a .pt from before run histories: one record is made from its metrics
        ck = window.session.checkpoint
        save_checkpoint(path, ck.diagram, ck.state_dict, ck.training, ck.metrics, ck.classes)
    assert window.files.open(path, ask=False)
    runs = list(window.session.runs)
    assert len(runs) == 1 and runs[0].metrics["val_loss"]
    assert window.session.model_run is runs[0]
    assert runs[0].best_epoch == 1
    if with_runs:
        assert runs[0].name == "run 1" and runs[0].status == "completed"
        assert load_checkpoint(path).runs[0]["summary"]["param_count"] > 0
    assert panel.export_button.isVisibleTo(panel)
