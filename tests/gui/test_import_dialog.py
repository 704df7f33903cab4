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
