"""File > Import… and File > Export > Mermaid in the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from netbuilder.core.io import load
from netbuilder.gui.import_dialog import ModuleImportDialog
from netbuilder.resources import EXAMPLES_DIR

MODEL = """\
from torch import nn


class Net(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.fc = nn.Linear(6, classes)

    def forward(self, x):
        return self.fc(x).tanh()
"""


def test_menus_hold_the_actions(window) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert window.imports.act_import in file_menu.actions()
    assert window.imports.act_subblocks in file_menu.actions()
    assert window.imports.act_subblocks.isCheckable() and window.imports.act_subblocks.isChecked()
    assert window.imports.act_mermaid in window.export_menu.actions()


def test_mermaid_import_replaces_the_canvas(window, tmp_path: Path) -> None:
    chart = tmp_path / "net.mmd"
    chart.write_text("graph LR\nA[TabularInput 4] --> B[Linear 2]\nB --> C[Output]\n")
    assert window.imports.import_file(chart)
    assert sorted(n.type for n in window.session.diagram.nodes.values()) == [
        "Linear",
        "Output",
        "TabularInput",
    ]
    assert len(window.scene.nodes) == 3 and window.session.state_dict is None
    assert window.session.display_name == "net.nbd" and window.session.path is None


def test_module_import_keeps_weights_unsaved(window, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    assert window.imports.import_file(path, module=("Net", "[5]", "", False))
    assert window.session.state_dict is not None and window.session.weights_unsaved
    assert window.act_save_trained.isEnabled()
    assert "outputs match" in window.statusBar().currentMessage()


REPEATED = """\
from torch import nn


class Unit(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.act = nn.Tanh()

    def forward(self, x):
        return self.act(self.fc(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = Unit(), Unit()

    def forward(self, x):
        return self.b(self.a(x))
"""


def test_repeated_modules_come_in_as_subblocks_unless_unchecked(
    window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.py"
    path.write_text(REPEATED)
    assert window.imports.import_file(path, module=("Net", "", "1x6", False))
    diagram = window.session.diagram
    assert list(diagram.definitions) == ["Unit"]
    assert sorted(n.type for n in diagram.nodes.values()).count("Unit") == 2
    assert "1 sub-block definition(s) made from repeated modules, 2 use(s): Unit ×2" in (
        window.statusBar().currentMessage()
    )
    # the .py dialog shows the same choice; unchecking it there imports plain blocks
    seen = []

    def answer(dialog: ModuleImportDialog) -> int:
        seen.append(dialog.subblocks.isChecked())
        # the file's module classes are offered, read without running it; the last first
        choices = [dialog.class_choice.itemText(i) for i in range(dialog.class_choice.count())]
        assert choices == ["Unit", "Net"] and dialog.class_name.text() == "Net"
        dialog.input_shape.setText("1x6")
        dialog.subblocks.setChecked(False)
        return ModuleImportDialog.DialogCode.Accepted

    monkeypatch.setattr(ModuleImportDialog, "exec", answer)
    monkeypatch.setattr(window.files, "maybe_save", lambda: True)
    assert window.imports.import_file(path)
    assert seen == [True] and not window.imports.act_subblocks.isChecked()
    diagram = window.session.diagram
    assert not diagram.definitions
    assert sorted(n.type for n in diagram.nodes.values()).count("Linear") == 2


def test_failed_import_lists_problems_and_keeps_the_diagram(
    window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.files.open(EXAMPLES_DIR / "mlp_regressor.nbd", as_template=True)
    before = window.session.diagram.to_dict()
    shown: list[QMessageBox] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    chart = tmp_path / "bad.mmd"
    chart.write_text("graph LR\nA[Conv9d] --> B[ReLU]\nB --> C[Squish]\n")
    assert not window.imports.import_file(chart)
    assert window.session.diagram.to_dict() == before
    assert "bad.mmd cannot be imported" in shown[0].text()
    assert "line 2" in shown[0].detailedText() and "line 3" in shown[0].detailedText()


def test_python_dialog_warns_that_code_runs(qtbot, tmp_path: Path) -> None:
    dialog = ModuleImportDialog(tmp_path / "model.py")
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QLabel

    label = dialog.findChild(QLabel, "runs_code_warning")
    assert label is not None and "runs its code" in label.text()


def test_export_mermaid_writes_the_chart(window, tmp_path: Path) -> None:
    window.files.open(EXAMPLES_DIR / "lenet5.nbd", as_template=True)
    out = tmp_path / "lenet.mmd"
    assert window.imports.export_mermaid(out)
    text = out.read_text()
    assert text.splitlines()[1] == "graph LR" and "Conv2d 6 k5" in text
    md = tmp_path / "lenet.md"
    assert window.imports.export_mermaid(md)
    assert md.read_text().startswith("```mermaid\n")
    from netbuilder.importers import import_path

    back = import_path(str(md)).diagram
    assert len(back.nodes) == len(load(EXAMPLES_DIR / "lenet5.nbd").nodes)


def test_import_runs_off_the_gui_thread_and_cancel_drops_it(
    window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The work runs on a BackgroundJobs thread behind a progress dialog; Cancel returns at
    once, leaves the diagram as it was, and the late result never opens."""
    import threading

    from PySide6.QtCore import QTimer

    from netbuilder.gui import import_dialog
    from netbuilder.gui.worker import BackgroundJobs

    window.files.open(EXAMPLES_DIR / "mlp_regressor.nbd", as_template=True)
    before = window.session.diagram.to_dict()
    chart = tmp_path / "net.mmd"
    chart.write_text("graph LR\nA[TabularInput 4] --> B[Linear 2]\nB --> C[Output]\n")
    release, threads = threading.Event(), []
    real = import_dialog.run_import

    def slow(*args, **kwargs):
        threads.append(threading.current_thread())
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(import_dialog, "run_import", slow)
    monkeypatch.setattr(import_dialog, "SHOW_PROGRESS_AFTER_MS", 0)
    seen = []

    def cancel() -> None:
        progress = window.imports.progress
        seen.append(progress is not None and progress.isVisible())
        from PySide6.QtWidgets import QPushButton

        progress.findChild(QPushButton).click()  # the dialog's Cancel button

    QTimer.singleShot(200, cancel)
    assert not window.imports.import_file(chart)
    assert seen == [True]
    assert threads and threads[0] is not threading.main_thread()
    assert window.session.diagram.to_dict() == before
    assert "cancelled" in window.statusBar().currentMessage()
    release.set()
    for t in list(BackgroundJobs.shared()._threads.values()):
        t.join(20)
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    assert window.session.diagram.to_dict() == before


def test_failed_onnx_import_names_node_and_reason(
    window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    node = helper.make_node("Sin", ["x"], ["y"], name="wobble")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
    )
    path = tmp_path / "sin.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    assert not window.imports.import_file(path)
    assert "Sin node 'wobble'" in shown[0].informativeText()
    assert "no NetBuilder block" in shown[0].informativeText()


OPAQUE = """\
import torch
from torch import nn


class Padded(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return torch.nn.functional.pad(self.fc(x), (1, 1))
"""


def test_import_notes_stay_in_problems_until_another_document(window, tmp_path: Path) -> None:
    """What an import could not map (kept as Python ops) is listed in Problems, not only in
    the status line that a hovered menu replaces; it belongs to that document."""
    path = tmp_path / "padded.py"
    path.write_text(OPAQUE)
    assert window.imports.import_file(path, module=("Padded", "", "1x4", True))
    texts = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("Python ops" in t for t in texts), texts
    window.session.weights_unsaved = False  # no "save the imported weights?" question
    window.session.undo_stack.setClean()
    assert window.files.new()
    texts = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert not any("Python ops" in t for t in texts), texts
