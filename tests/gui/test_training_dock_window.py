"""The training panel inside the main window: weights reach the session, failures select the
block on the canvas, Export opens the export dialog, closing the window stops the thread."""

from __future__ import annotations

import torch
from PySide6.QtWidgets import QFileDialog, QMessageBox

from netbuilder.core import io

Btn = QMessageBox.StandardButton

WAIT_MS = 60_000


def load_cnn(window, epochs: int, size: int = 120):
    diagram = io.load("resources/examples/cnn_image_classifier.nbd")
    diagram.set_training(
        {**diagram.training, "epochs": epochs, "device": "cpu", "dataset_options": {"size": size}}
    )
    window.session.replace(diagram, None, "cnn")
    return window.training_panel


def test_finished_run_gives_the_session_weights_and_offers_export(qtbot, window):
    panel = load_cnn(window, epochs=1)
    window.training_dock.raise_()
    assert window.session.state_dict is None
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        panel.start()
    assert window.session.state_dict is not None
    assert "conv1.weight" in window.session.state_dict
    checkpoint = window.session.checkpoint
    assert len(checkpoint.classes) == 6 and checkpoint.metrics["val_loss"]
    assert checkpoint.diagram.node("conv1").params["out_channels"] == 16
    assert panel.export_button.isVisible()
    panel.export_button.click()
    dialog = panel.export_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_failure_selects_the_block_on_the_canvas(qtbot, window):
    panel = load_cnn(window, epochs=1)
    window.session.diagram.set_param("fc2", "out_features", 4)
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        panel.start()
    assert window.scene.selected_node_ids() == ["fc2"]
    assert "fc2" in panel.message.text()


def test_closing_the_window_during_training_asks_then_joins_the_thread(qtbot, window, monkeypatch):
    asked: list[str] = []
    answers = {"Training is running": Btn.Cancel, "Unsaved trained model": Btn.Discard}

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return answers[title]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    panel = load_cnn(window, epochs=500)
    panel.start()
    qtbot.waitUntil(lambda: panel.step_events_seen > 0, timeout=WAIT_MS)
    thread = panel.runner.thread
    window.session.undo_stack.setClean()  # no "save changes?" question
    assert not window.close()  # Cancel: the run goes on
    assert panel.is_running() and asked == ["Training is running"]
    qtbot.waitUntil(lambda: panel.step_events_seen > 3, timeout=WAIT_MS)
    answers["Training is running"] = Btn.Yes
    assert window.close()
    assert thread.isFinished() and not panel.is_running()
    # stopping handed over the best weights so far, and the window offered to save them
    assert asked == ["Training is running", "Training is running", "Unsaved trained model"]


def test_save_trained_model_writes_a_checkpoint_to_continue_from(
    qtbot, window, monkeypatch, tmp_path
):
    from netbuilder.train.checkpoint import load_checkpoint

    panel = load_cnn(window, epochs=1)
    assert not window.act_save_trained.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        panel.start()
    assert window.act_save_trained.isEnabled() and window.session.weights_unsaved
    assert "Save Trained Model" in panel.log.toPlainText()
    out = tmp_path / "trained"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), ""))
    )
    window.act_save_trained.trigger()
    saved = load_checkpoint(tmp_path / "trained.pt")
    assert not window.session.weights_unsaved
    assert saved.classes == window.session.checkpoint.classes
    assert saved.optimizer_state is not None and saved.optimizer_state["optimizer"] == "adam"
    acc = saved.metrics["val_accuracy"]  # the file says which epoch's weights it holds
    assert saved.best_epoch == acc.index(max(acc)) + 1
    for key, value in window.session.state_dict.items():
        assert torch.equal(saved.state_dict[key], value)
    # the edited canvas does not leak into the file: it keeps the diagram that was trained
    window.editor.set_param("fc2", "out_features", 4)
    window.act_save_trained.trigger()
    assert load_checkpoint(tmp_path / "trained.pt").diagram.node("fc2").params["out_features"] == 6
    window.session.undo_stack.setClean()
    assert window.close()  # nothing unsaved: no question (the fixture fails on any)


def test_png_folder_trains_from_the_panel(qtbot, window, tmp_path):
    from PIL import Image

    colours = {"red": (220, 30, 30), "blue": (30, 30, 220)}
    for split, count in (("train", 12), ("val", 4)):
        for name, rgb in colours.items():
            folder = tmp_path / "pics" / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                shade = tuple(max(0, c - 8 * i) for c in rgb)
                Image.new("RGB", (40, 36), shade).save(folder / f"{i}.png")
    panel = load_cnn(window, epochs=1)
    window.session.diagram.set_param("fc2", "out_features", 2)
    window.training_dock.raise_()
    panel.picker.set_dataset(str(tmp_path / "pics"))
    assert window.session.diagram.training["dataset"] == str(tmp_path / "pics")
    assert panel.picker.source.currentText() == "Image folder…"
    qtbot.waitUntil(lambda: panel.picker.bundle is not None, timeout=WAIT_MS)
    assert "2 classes" in panel.picker.preview_status.text()
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        panel.start()
    outcome = finished.args[0]
    assert outcome.status == "completed", panel.message.text()
    assert outcome.result.classes == ["blue", "red"]
    assert panel.evaluation.confusion_counts().sum() == 8


def test_evaluate_weights_on_demand_and_refuse_weights_that_no_longer_fit(qtbot, window):
    panel = load_cnn(window, epochs=1)
    assert not panel.evaluate_button.isVisibleTo(panel)  # no weights yet
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        panel.start()
    n_val = len(finished.args[0].data.val)
    assert panel.evaluate_button.isVisibleTo(panel)
    panel.evaluation.confusion.setRowCount(0)  # forget the post-training view
    with qtbot.waitSignal(panel.evaluation_finished, timeout=WAIT_MS) as evaluated:
        assert panel.evaluate_weights()
    assert evaluated.args[0] is not None
    assert panel.evaluation.confusion_counts().sum() == n_val

    window.session.diagram.set_param("fc1", "out_features", 32)  # weights no longer fit
    with qtbot.waitSignal(panel.evaluation_finished, timeout=WAIT_MS) as evaluated:
        panel.evaluate_weights()
    assert evaluated.args[0] is None
    assert "Evaluation failed" in panel.message.text() and "fc1" in panel.message.text()


def test_weights_of_a_run_do_not_land_on_a_diagram_opened_meanwhile(qtbot, window):
    import sys

    switch = sys.getswitchinterval()
    panel = load_cnn(window, epochs=500)
    panel.start()
    qtbot.waitUntil(lambda: panel.step_events_seen > 0, timeout=WAIT_MS)
    assert sys.getswitchinterval() < switch  # lowered while training (GIL hand-over)
    other = io.load("resources/examples/mlp_regressor.nbd")
    window.session.replace(other, None, "mlp")
    assert "next run" in panel.edit_note.text()
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        panel.stop()
    assert finished.args[0].status == "stopped"
    assert window.session.state_dict is None
    assert sys.getswitchinterval() == switch  # restored
