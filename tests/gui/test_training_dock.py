"""The training dock end to end: start, live curves, pause/resume/stop, clean thread shutdown,
failures that leave the dock usable, edits during a run, settings saved undoably."""

from __future__ import annotations

import gc
import warnings

import pytest
import torch
from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QMainWindow

from netbuilder.core import io
from netbuilder.core.diagram import Diagram
from netbuilder.gui.docks.training import TrainingDock, format_eta

EXAMPLES = "resources/examples"
WAIT_MS = 60_000  # generous: the 2 CPU cores are shared


def small_cnn(epochs: int, size: int = 240, batch_size: int = 16) -> Diagram:
    d = io.load(f"{EXAMPLES}/cnn_image_classifier.nbd")
    d.set_training(
        {
            **d.training,
            "epochs": epochs,
            "batch_size": batch_size,
            "device": "cpu",
            "dataset_options": {"size": size},
        }
    )
    return d


def running_qthreads() -> list[QThread]:
    with warnings.catch_warnings():  # isinstance() on every object pokes deprecated torch attrs
        warnings.simplefilter("ignore")
        return [o for o in gc.get_objects() if isinstance(o, QThread) and o.isRunning()]


@pytest.fixture
def dock(qtbot):
    widget = TrainingDock(small_cnn(epochs=200), QUndoStack())
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.shutdown()


def test_start_curves_pause_resume_stop_and_thread_is_gone(qtbot, dock):
    assert dock.start()
    thread = dock.runner.thread
    assert thread is not None and thread.isRunning()
    assert not dock.start_button.isEnabled() and dock.stop_button.isEnabled()

    qtbot.waitUntil(lambda: len(dock.curves.current.step_loss) >= 3, timeout=WAIT_MS)
    assert len(dock.curves.raw_item.xData) >= 3  # pushed to pyqtgraph, not only stored
    assert len(dock.curves.smooth_item.xData) == len(dock.curves.raw_item.xData)
    assert "epoch" in dock.progress.format() and "ETA" in dock.progress.format()
    assert dock.device_label.text() == "Device: cpu"

    dock.pause()
    assert dock.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: "paused" in dock.log.toPlainText(), timeout=WAIT_MS)
    dock.runner.drain()
    frozen = dock.step_events_seen
    qtbot.wait(400)  # several drain ticks while paused
    dock.runner.drain()
    assert dock.step_events_seen == frozen, "steps arrived while paused"

    dock.resume()
    qtbot.waitUntil(lambda: dock.step_events_seen > frozen + 2, timeout=WAIT_MS)

    with qtbot.waitSignal(dock.run_finished, timeout=WAIT_MS) as finished:
        dock.stop()
    outcome = finished.args[0]
    assert outcome.status == "stopped"
    assert thread.isFinished()
    assert dock.runner.thread is None and dock.runner.last_thread is thread
    assert thread not in running_qthreads()
    assert dock.start_button.isEnabled() and not dock.stop_button.isEnabled()
    # something to export only when an epoch finished before the stop
    assert dock.export_button.isVisible() == (outcome.result.best_epoch is not None)


def test_closing_the_dock_during_training_stops_the_thread(qtbot, dock):
    dock.start()
    qtbot.waitUntil(lambda: dock.step_events_seen > 0, timeout=WAIT_MS)
    thread = dock.runner.thread
    dock.close()  # joins synchronously
    assert thread.isFinished()
    assert not dock.is_running()
    assert thread not in running_qthreads()


def test_closing_the_window_during_training_stops_the_thread(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    dock = TrainingDock(small_cnn(epochs=200))
    window.setCentralWidget(dock)
    window.show()
    dock.start()
    qtbot.waitUntil(lambda: dock.step_events_seen > 0, timeout=WAIT_MS)
    thread = dock.runner.thread
    window.close()
    qtbot.waitUntil(lambda: not dock.is_running(), timeout=WAIT_MS)
    assert thread.isFinished()


def test_nan_loss_is_reported_and_the_dock_stays_usable(qtbot, dock, monkeypatch):
    import netbuilder.train.trainer as trainer_module

    real_compile = trainer_module.compile_diagram

    class NanModel(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.inner(x) * float("nan")

    monkeypatch.setattr(trainer_module, "compile_diagram", lambda d: NanModel(real_compile(d)))
    with qtbot.waitSignal(dock.run_finished, timeout=WAIT_MS) as finished:
        dock.start()
    assert finished.args[0].status == "failed"
    assert "NaN" in dock.message.text() and "epoch 1, step 1" in dock.message.text()
    assert dock.start_button.isEnabled() and not dock.export_button.isVisible()
    assert not dock.is_running()

    monkeypatch.setattr(trainer_module, "compile_diagram", real_compile)
    dock.diagram.set_training({**dock.diagram.training, "epochs": 1})
    with qtbot.waitSignal(dock.run_finished, timeout=WAIT_MS) as finished:
        assert dock.start()
    assert finished.args[0].status == "completed"
    assert dock.message.text() == ""


def test_failure_naming_a_block_selects_it(qtbot):
    diagram = small_cnn(epochs=1)
    diagram.set_param("fc2", "out_features", 5)  # shapes has 6 classes
    dock = TrainingDock(diagram)
    qtbot.addWidget(dock)
    selected: list[str] = []
    dock.select_node = selected.append
    with qtbot.waitSignal(dock.node_failed, timeout=WAIT_MS) as failed:
        dock.start()
    qtbot.waitUntil(lambda: not dock.is_running(), timeout=WAIT_MS)
    assert failed.args == ["fc2"] and selected == ["fc2"]
    assert "6 classes" in dock.message.text() and "fc2" in dock.message.text()


def test_bad_settings_are_refused_before_starting(qtbot):
    diagram = small_cnn(epochs=1)
    diagram.set_training({**diagram.training, "batch_size": 0})
    dock = TrainingDock(diagram)
    qtbot.addWidget(dock)
    assert not dock.start()
    assert "batch_size" in dock.message.text()
    assert not dock.is_running()


def test_edits_during_a_run_apply_to_the_next_run(qtbot):
    diagram = small_cnn(epochs=3, size=120)
    dock = TrainingDock(diagram)
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.run_finished, timeout=WAIT_MS) as finished:
        dock.start()
        diagram.set_param("conv1", "out_channels", 8)  # while the run is going
        assert "next run" in dock.edit_note.text()
    trained = finished.args[0].result.model
    assert trained.state_dict()["conv1.weight"].shape[0] == 16  # the run used the copy
    assert diagram.node("conv1").params["out_channels"] == 8


def type_into(qtbot, box, text: str) -> None:
    """Select all, type, press Enter: what a user does in a spin box."""
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def test_settings_form_saves_undoably_and_refuses_bad_values(qtbot):
    stack = QUndoStack()
    diagram = small_cnn(epochs=1)
    dock = TrainingDock(diagram, stack)
    qtbot.addWidget(dock)
    lr = dock.settings.editors["lr"]
    type_into(qtbot, lr, "0.05")
    assert diagram.training["lr"] == 0.05
    dock.settings.editors["optimizer"].setCurrentText("sgd")
    assert diagram.training["optimizer"] == "sgd"
    stack.undo()
    assert diagram.training["optimizer"] == "adam"
    stack.undo()
    assert diagram.training["lr"] == 0.001
    assert lr.text() == "0.001"  # the form follows the model on undo
    type_into(qtbot, lr, "3e-4")
    assert diagram.training["lr"] == 3e-4 and float(lr.text()) == 3e-4
    stack.undo()

    type_into(qtbot, lr, "100")  # above the setting's maximum of 10
    assert "lr" in dock.message.text() and "at most" in dock.message.text()
    assert diagram.training["lr"] == 0.001
    lr.lineEdit().selectAll()
    qtbot.keyClicks(lr.lineEdit(), "fast")  # letters do not even get into the box
    assert "fast" not in lr.text()


def test_dataset_preview_and_picker(qtbot):
    dock = TrainingDock(small_cnn(epochs=1))
    qtbot.addWidget(dock)
    assert dock.picker.bundle is None  # hidden: nothing loaded yet
    dock.show()
    qtbot.waitUntil(lambda: dock.picker.bundle is not None, timeout=WAIT_MS)
    assert "6 classes" in dock.picker.preview_status.text()
    labels = [
        dock.picker.preview_grid.itemAt(i).widget().findChild(QLabel, "preview_label")
        for i in range(dock.picker.preview_grid.count())
    ]
    assert len(labels) == 8 and all(label.text() for label in labels)

    dock.picker.set_dataset("builtin:tokens")  # images expected: the preview names the cause
    assert dock.diagram.training["dataset"] == "builtin:tokens"
    qtbot.waitUntil(lambda: "⚠" in dock.picker.preview_status.text(), timeout=WAIT_MS)
    assert "image" in dock.picker.preview_status.text()


def test_csv_columns_are_offered_and_saved(qtbot, tmp_path):
    table = tmp_path / "t.csv"
    rows = ["a,b,c,label"] + [f"{i},{i * 2},{i % 3},{i % 2}" for i in range(40)]
    table.write_text("\n".join(rows) + "\n")
    d = io.load(f"{EXAMPLES}/mlp_regressor.nbd")
    dock = TrainingDock(d)
    qtbot.addWidget(dock)
    dock.picker.set_dataset(str(table))
    assert [dock.picker.target.itemText(i) for i in range(4)] == ["a", "b", "c", "label"]
    assert dock.picker.target.currentText() == "label"
    dock.picker.features.item(2).setCheckState(dock.picker.features.item(2).checkState().Unchecked)
    assert d.training["dataset_options"]["features"] == ["a", "b"]
    assert d.training["dataset_options"]["target"] == "label"


def test_format_eta():
    assert format_eta(None) == "–"
    assert format_eta(65) == "1:05"
    assert format_eta(3723) == "1:02:03"


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("lstm_sequence_classifier", "sequence"),
        ("transformer_text_classifier", "tokens"),
        ("mlp_regressor", "table"),
        ("lenet5", "image"),
    ],
)
def test_preview_of_every_builtin_kind(qtbot, example, kind):
    d = io.load(f"{EXAMPLES}/{example}.nbd")
    d.set_training({**d.training, "dataset_options": {"size": 64}})
    dock = TrainingDock(d)
    qtbot.addWidget(dock)
    dock.show()
    qtbot.waitUntil(lambda: dock.picker.bundle is not None, timeout=WAIT_MS)
    assert dock.picker.bundle.kind == kind
    cells = [dock.picker.preview_grid.itemAt(i).widget() for i in range(8)]
    views = [c.findChildren(QLabel)[0] for c in cells]
    if kind in ("sequence", "image"):  # sparklines and thumbnails are pictures
        assert all(not v.pixmap().isNull() for v in views)
    else:  # token ids and table rows are shown as text
        assert all(v.text() for v in views)


def test_accuracy_plot_only_for_classification_runs(qtbot):
    d = io.load(f"{EXAMPLES}/mlp_regressor.nbd")
    d.set_training({**d.training, "epochs": 1, "device": "cpu", "dataset_options": {"size": 300}})
    widget = TrainingDock(d, QUndoStack())
    qtbot.addWidget(widget)
    widget.show()
    curves = widget.curves
    layout = curves.graphics.ci.layout
    assert curves.accuracy_shown and layout.itemAt(0, 1) is curves.acc_plot
    with qtbot.waitSignal(widget.run_finished, timeout=WAIT_MS):
        widget.start()
    assert not curves.accuracy_shown  # a regression run: loss and learning rate only
    assert layout.itemAt(0, 1) is curves.lr_plot and curves.acc_plot.scene() is None
    d.replace_with(small_cnn(1, size=120))  # now a classifier on the shapes
    with qtbot.waitSignal(widget.run_finished, timeout=WAIT_MS):
        widget.start()
    assert curves.accuracy_shown and layout.itemAt(0, 1) is curves.acc_plot
    assert layout.itemAt(0, 2) is curves.lr_plot
    widget.shutdown()
