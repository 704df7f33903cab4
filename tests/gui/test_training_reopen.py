"""Reopen a trained ``.pt`` (issue 5 item 2): evaluate it, continue training it exactly, or
fine-tune it after an edit with the dock saying which blocks kept their training."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from netbuilder.core import io
from netbuilder.gui.docks.training_start import CURRENT, FRESH
from netbuilder.train.checkpoint import save_checkpoint
from netbuilder.train.config import TrainConfig
from netbuilder.train.events import StepEvent
from netbuilder.train.trainer import Trainer

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
WAIT_MS = 60_000


@dataclass
class Trained:
    path: Path
    last_train_loss: float
    fresh_first_loss: float


@pytest.fixture(scope="module")
def trained_pt(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """The MLP example trained one epoch on builtin:regression, saved as a .pt."""
    diagram = io.load(EXAMPLES / "mlp_regressor.nbd")
    diagram.set_training({**diagram.training, "epochs": 1, "device": "cpu"})
    losses: list[float] = []
    result = Trainer(
        diagram,
        TrainConfig.from_dict(diagram.training),
        on_event=lambda e: losses.append(e.loss) if isinstance(e, StepEvent) else None,
    ).run()
    assert result.status == "completed", result.error
    path = tmp_path_factory.mktemp("pt") / "mlp.pt"
    save_checkpoint(path, diagram, result.model, metrics=result.metrics, classes=result.classes)
    return Trained(path, result.metrics["train_loss"][-1], losses[0])


def open_in_panel(window, trained: Trained):
    assert window.files.open(trained.path, ask=False)
    window.show_workspace("training")
    return window.training_panel


def first_step_loss(qtbot, panel) -> float:
    losses: list[float] = []

    def collect(batch: list) -> None:
        losses.extend(e.loss for e in batch if isinstance(e, StepEvent))

    panel.runner.events.connect(collect)
    try:
        with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
            assert panel.start(), panel.message.text()
    finally:
        panel.runner.events.disconnect(collect)
    assert finished.args[0].status == "completed", panel.message.text()
    return losses[0]


def test_opened_pt_shows_its_diagram_and_evaluates(qtbot, window, trained_pt):
    panel = open_in_panel(window, trained_pt)
    assert set(window.session.diagram.nodes) == {
        "features", "fc1", "relu1", "fc2", "relu2", "fc3", "prediction"
    }  # fmt: skip
    assert set(window.scene.nodes) == set(window.session.diagram.nodes)
    assert panel.evaluate_button.isVisible() and panel.start_from.isVisible()
    with qtbot.waitSignal(panel.evaluation_finished, timeout=WAIT_MS) as done:
        panel.evaluate_button.click()
    assert done.args[0] is not None, panel.message.text()
    assert panel.tabs.currentWidget() is panel.evaluation


def test_continue_training_starts_where_it_ended(qtbot, window, trained_pt):
    panel = open_in_panel(window, trained_pt)
    assert panel.start_from.value() == CURRENT  # the default once there are weights
    first = first_step_loss(qtbot, panel)
    assert "Continuing from the current weights" in panel.message.text()
    assert first < 1.5 * trained_pt.last_train_loss
    assert first < 0.4 * trained_pt.fresh_first_loss

    panel.start_from.set_value(FRESH)  # the other choice really starts from scratch
    fresh = first_step_loss(qtbot, panel)
    assert fresh > 0.8 * trained_pt.fresh_first_loss
    assert panel.message.text() == ""
    assert panel.start_from.value() == FRESH  # a finished run does not undo the user's pick


def test_continue_training_restores_the_saved_optimizer_state(qtbot, window, tmp_path):
    diagram = io.load(EXAMPLES / "mlp_regressor.nbd")
    diagram.set_training({**diagram.training, "epochs": 1, "device": "cpu"})
    result = Trainer(diagram, TrainConfig.from_dict(diagram.training)).run()
    path = tmp_path / "with_optimizer.pt"
    save_checkpoint(
        path,
        diagram,
        result.model,
        metrics=result.metrics,
        optimizer_state=result.optimizer_state,
    )
    assert window.files.open(path, ask=False)
    panel = window.training_panel
    first_step_loss(qtbot, panel)
    assert "continuing with the saved adam state" in panel.log.toPlainText()
    history = window.session.checkpoint.metrics["val_loss"]
    assert len(history) == 2 and history[0] == result.metrics["val_loss"][0]  # 1 + 1 epochs
    panel.start_from.set_value(FRESH)  # a fresh run's history starts again
    first_step_loss(qtbot, panel)
    assert len(window.session.checkpoint.metrics["val_loss"]) == 1


def test_edited_diagram_fine_tunes_and_says_which_blocks_kept_weights(qtbot, window, trained_pt):
    panel = open_in_panel(window, trained_pt)
    assert window.editor.set_param("fc1", "out_features", 32) is None
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        assert panel.start(), panel.message.text()
    text = panel.message.text()
    assert "Fine-tuning the edited diagram" in text
    fresh, kept = text.split("fresh weights for ")[1].split("(kept: ")
    assert "fc1" in fresh and "fc2" in fresh  # fc2's input width changed with fc1
    assert "fc3" in kept and "fc1" not in kept
    assert finished.args[0].status == "completed"
    assert window.session.state_dict["fc1.weight"].shape[0] == 32  # the new weights arrived
