"""The Export trained model dialog and the File > Export entry that opens it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMenu

from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.export import VerificationError
from netbuilder.gui import export_dialog
from netbuilder.gui.export_dialog import (
    ExportDialog,
    dialog_for_session,
    install_export_actions,
    trained_model_for,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def trained() -> SimpleNamespace:
    diagram = load(EXAMPLES / "mlp_regressor.nbd")
    torch.manual_seed(0)
    model = compile_diagram(diagram)
    return SimpleNamespace(
        diagram=diagram, state_dict=model.state_dict(), model=model, path=None, checkpoint=None
    )


def run_export(qtbot, dialog: ExportDialog) -> object:
    with qtbot.waitSignal(dialog.export_finished, timeout=120_000) as blocker:
        dialog.export_button.click()
    return blocker.args[0]


@pytest.mark.parametrize(("fmt", "name"), [("pt2", "m.pt2"), ("python", "code/model.py")])
def test_export_shows_the_largest_difference(
    qtbot, tmp_path: Path, trained: SimpleNamespace, fmt: str, name: str
) -> None:
    dialog = dialog_for_session(trained)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.set_format(fmt)
    assert dialog.path_edit.text().endswith({"pt2": ".pt2", "python": "model.py"}[fmt])
    dialog.path_edit.setText(str(tmp_path / name))
    outcome = run_export(qtbot, dialog)
    assert dialog.result is outcome and dialog.error is None
    assert (tmp_path / name).is_file()
    text = dialog.result_label.text()
    assert "Largest difference" in text and str(tmp_path / name) in text
    assert dialog.export_button.isEnabled()


def test_weights_that_no_longer_fit_are_explained(
    qtbot, tmp_path: Path, trained: SimpleNamespace
) -> None:
    trained.diagram.set_param("fc2", "out_features", 32)  # edited after training
    dialog = dialog_for_session(trained)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "m.pt2"))
    run_export(qtbot, dialog)
    text = dialog.result_label.text()
    assert text.startswith("Cannot export") and "changed since training" in text
    assert "fc2" in text
    assert not (tmp_path / "m.pt2").exists()


def test_failed_verification_is_shown(
    qtbot, tmp_path: Path, trained: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise VerificationError("the exported pt2 model differs by 0.5", 0.5)

    monkeypatch.setattr("netbuilder.export.export_model", fail)
    dialog = dialog_for_session(trained)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.path_edit.setText(str(tmp_path / "m.pt2"))
    run_export(qtbot, dialog)
    assert dialog.result_label.text().startswith("Verification failed")
    assert isinstance(dialog.error, VerificationError)


def test_missing_onnx_disables_export_with_install_hint(
    qtbot, trained: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_dialog, "missing_onnx_packages", lambda: ["onnxruntime"])
    dialog = dialog_for_session(trained)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.set_format("onnx")
    assert not dialog.export_button.isEnabled()
    assert "pip install" in dialog.hint_label.text()
    dialog.set_format("pt2")
    assert dialog.export_button.isEnabled()


def test_no_weights_no_dialog(trained: SimpleNamespace) -> None:
    trained.state_dict = None
    assert dialog_for_session(trained) is None
    with pytest.raises(Exception, match="no trained model"):
        trained_model_for(trained)


class FakeSession(QObject):
    weights_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.state_dict = None


def test_action_follows_the_weights(qtbot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.export_menu = QMenu("Export", window)  # type: ignore[attr-defined]
    session = FakeSession()
    action = install_export_actions(window, lambda: session)
    assert action in window.export_menu.actions()  # type: ignore[attr-defined]
    assert not action.isEnabled()
    session.state_dict = {"w": torch.zeros(1)}
    session.weights_changed.emit()
    assert action.isEnabled()


def test_installs_into_the_real_main_window(window, trained: SimpleNamespace) -> None:
    action = window.act_export_trained  # the main window installs it itself
    assert action in window.export_menu.actions()
    assert action.objectName() == "act_export_trained"
    assert not action.isEnabled()
    window.session.replace(trained.diagram, None, "mlp", state_dict=trained.state_dict)
    assert action.isEnabled()


@pytest.fixture(scope="module")
def digits_checkpoint(tmp_path_factory: pytest.TempPathFactory):
    """LeNet-5 trained one short epoch; its checkpoint records the input pipeline."""
    from netbuilder.train.checkpoint import load_checkpoint, save_checkpoint
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.trainer import Trainer

    diagram = load(EXAMPLES / "lenet5.nbd")
    base = TrainConfig.from_dict(diagram.training)
    config = base.replace(
        epochs=1,
        device="cpu",
        mixed_precision="off",
        dataset_options={**base.dataset_options, "size": 120},
    )
    result = Trainer(diagram, config).run()
    assert result.ok, result.error
    path = tmp_path_factory.mktemp("digits") / "lenet.pt"
    save_checkpoint(
        path,
        diagram,
        result.model,
        config.to_dict(),
        result.metrics,
        result.classes,
        pipeline=result.data.pipeline,
    )
    return load_checkpoint(path)


@pytest.mark.parametrize("bake", [True, False])
def test_export_carries_the_pipeline_and_checks_raw_validation_samples(
    qtbot, tmp_path: Path, digits_checkpoint, bake: bool
) -> None:
    import json

    ckpt = digits_checkpoint
    session = SimpleNamespace(
        diagram=ckpt.diagram, state_dict=ckpt.state_dict, path=None, checkpoint=ckpt
    )
    dialog = dialog_for_session(session)
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.set_format("pt2")
    assert dialog.bake_check.isEnabled() and dialog.bake_check.isChecked()
    dialog.bake_check.setChecked(bake)
    dialog.path_edit.setText(str(tmp_path / "m.pt2"))
    outcome = run_export(qtbot, dialog)
    assert dialog.error is None, dialog.error
    assert "Raw validation samples" in dialog.result_label.text()
    assert any("as in the app" in n for n in outcome.notes)
    extra = {"netbuilder.json": ""}
    torch.export.load(tmp_path / "m.pt2", extra_files=extra)
    record = json.loads(extra["netbuilder.json"])
    assert record["normalisation_in_graph"] is bake
    assert record["input_pipeline"] == ckpt.pipeline.to_dict()
    dialog.set_format("python")
    assert not dialog.bake_check.isEnabled()  # preprocess() is always written
