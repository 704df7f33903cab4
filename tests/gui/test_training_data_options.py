"""The dataset options in the training dock: one editor per declared option of the chosen kind
of source, saved undoably into ``diagram.training``, used by the loaded data and the run."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.gui.docks.training import TrainingWorkspace
from netbuilder.gui.widgets.scroll_safe import WheelNeedsFocus
from netbuilder.resources import EXAMPLES_DIR
from netbuilder.train.config import options_for
from netbuilder.train.folders import StreamedImages
from tests.train.conftest import image_net, table_net, write_png_folder

WAIT_MS = 60_000


def _dock(qtbot, diagram: Diagram, stack: QUndoStack | None = None) -> TrainingWorkspace:  # type: ignore[no-untyped-def]
    dock = TrainingWorkspace(diagram, stack)
    qtbot.addWidget(dock)
    dock.show()
    return dock


def _loaded(dock: TrainingWorkspace, test) -> bool:  # type: ignore[no-untyped-def]
    bundle = dock.picker.bundle
    return bundle is not None and bool(test(bundle))


def _samples(bundle) -> int:  # type: ignore[no-untyped-def]
    return len(bundle.train) + len(bundle.val)


def test_builtin_options_are_edited_undoably_and_reach_the_data(qtbot) -> None:
    stack = QUndoStack()
    diagram = load(EXAMPLES_DIR / "cnn_image_classifier.nbd")
    diagram.set_training({**diagram.training, "dataset_options": {"size": 240}})
    dock = _dock(qtbot, diagram, stack)
    form = dock.picker.options
    assert form.visible_options() == [p.name for p in options_for("builtin")]
    assert form.editors["size"].isVisibleTo(dock) and form.editors["normalize"].isVisibleTo(dock)
    assert not form.editors["resize"].isVisibleTo(dock)
    assert not form.editors["missing"].isVisibleTo(dock)
    assert not dock.picker.path_label.isVisibleTo(dock)  # no empty path row for built-ins
    assert form.editors["size"].value() == 240  # the diagram's value, not the default
    assert form.editors["size"].toolTip().startswith("Samples generated")
    boxes = [e for e in form.editors.values() if isinstance(e, QAbstractSpinBox | QComboBox)]
    assert len(boxes) >= 6 and all(isinstance(e, WheelNeedsFocus) for e in boxes)  # scrolls
    qtbot.waitUntil(lambda: _loaded(dock, lambda b: _samples(b) == 240), timeout=WAIT_MS)

    form.editors["size"].setValue(100)
    assert diagram.training["dataset_options"] == {"size": 100}
    assert stack.count() == 1 and not stack.isClean()
    qtbot.waitUntil(lambda: _loaded(dock, lambda b: _samples(b) == 100), timeout=WAIT_MS)
    form.editors["val_split"].setValue(0.5)
    assert diagram.training["dataset_options"] == {"size": 100, "val_split": 0.5}
    qtbot.waitUntil(lambda: _loaded(dock, lambda b: len(b.val) == 50), timeout=WAIT_MS)
    assert "50 training / 50 validation" in dock.picker.preview_status.text()

    stack.undo()
    assert diagram.training["dataset_options"] == {"size": 100}
    assert form.editors["val_split"].value() == 0.2  # the form follows the model on undo
    form.editors["size"].setValue(0)  # back to the default: left out of the file
    assert diagram.training["dataset_options"] == {}
    assert form.editors["size"].text() == "default"


def test_image_folder_options(qtbot, tmp_path: Path) -> None:
    root = write_png_folder(tmp_path / "flat", per_class=10, split=False)
    diagram = image_net(channels=3, size=12)
    dock = _dock(qtbot, diagram, QUndoStack())
    dock.picker.set_dataset(str(root))
    form = dock.picker.options
    shown = form.visible_options()
    assert {"resize", "grayscale", "normalize", "val_split", "workers", "cache_limit_mb"} <= set(
        shown
    )
    assert "size" not in shown and "missing" not in shown and "task" not in shown
    assert form.editors["workers"].isVisibleTo(dock) and not form.editors["task"].isVisibleTo(dock)
    assert dock.picker.path_label.isVisibleTo(dock) and dock.picker.path_label.text() == str(root)
    qtbot.waitUntil(lambda: _loaded(dock, lambda b: _samples(b) == 20), timeout=WAIT_MS)

    form.editors["cache_limit_mb"].setValue(0)
    workers = form.editors["workers"]
    assert workers.text() == "auto"  # 0 means auto
    workers.lineEdit().selectAll()
    qtbot.keyClicks(workers, "none")  # the words are accepted typed, too
    qtbot.keyClick(workers, Qt.Key.Key_Return)
    form.editors["val_split"].setValue(0.5)
    assert diagram.training["dataset_options"] == {
        "cache_limit_mb": 0,
        "workers": -1,
        "val_split": 0.5,
    }
    qtbot.waitUntil(
        lambda: _loaded(dock, lambda b: isinstance(b.train, StreamedImages) and len(b.val) == 10),
        timeout=WAIT_MS,
    )
    assert dock.picker.bundle.train.workers == 0

    form.editors["grayscale"].setChecked(True)  # a 3-channel input cannot take grey images
    assert diagram.training["dataset_options"]["grayscale"] is True
    qtbot.waitUntil(lambda: "set its channels to 1" in dock.picker.preview_status.text())


def test_table_options(qtbot, tmp_path: Path) -> None:
    rows = ["x,y,label"] + [f"{i},{'NA' if i % 10 == 3 else i % 4},{i % 2}" for i in range(40)]
    (table := tmp_path / "gaps.csv").write_text("\n".join(rows) + "\n")
    diagram = table_net(2, 2)
    dock = _dock(qtbot, diagram, QUndoStack())
    dock.picker.set_dataset(str(table))
    form = dock.picker.options
    assert form.visible_options() == ["val_split", "normalize", "task", "missing"]
    assert "target" not in form.editors  # chosen with the picker's column list instead
    qtbot.waitUntil(lambda: "the value is missing" in dock.picker.preview_status.text())

    form.editors["missing"].setCurrentText("drop_rows")
    assert diagram.training["dataset_options"]["missing"] == "drop_rows"
    qtbot.waitUntil(lambda: _loaded(dock, lambda b: _samples(b) == 36), timeout=WAIT_MS)
    assert "4 rows with missing values dropped" in dock.picker.preview_status.text()
    assert dock.picker.bundle.task == "classification"  # 0/1 labels: classes by default

    form.editors["task"].setCurrentText("regression")
    qtbot.waitUntil(lambda: _loaded(dock, lambda b: b.task == "regression"), timeout=WAIT_MS)
    dock.picker.target.activated.emit(dock.picker.target.currentIndex())  # columns saved...
    assert diagram.training["dataset_options"]["target"] == "label"
    assert diagram.training["dataset_options"]["missing"] == "drop_rows"  # ...options kept


def test_streamed_folder_trains_with_workers_on_the_training_thread(qtbot, tmp_path: Path) -> None:
    root = write_png_folder(tmp_path / "images", per_class=12)
    diagram = image_net(size=16)
    diagram.set_training(
        {
            "dataset": str(root),
            "dataset_options": {"cache_limit_mb": 0, "workers": 2},
            "epochs": 500,
            "batch_size": 4,
            "device": "cpu",
        }
    )
    dock = _dock(qtbot, diagram)
    try:
        assert dock.start()
        qtbot.waitUntil(lambda: dock.step_events_seen >= 3, timeout=WAIT_MS)
        assert len(multiprocessing.active_children()) >= 2
        with qtbot.waitSignal(dock.run_finished, timeout=WAIT_MS) as finished:
            dock.stop()
        assert finished.args[0].status == "stopped"
        qtbot.waitUntil(lambda: multiprocessing.active_children() == [], timeout=5_000)
    finally:
        dock.shutdown()
