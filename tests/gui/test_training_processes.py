"""The Training workspace's "processes" setting: Start on 2 ranks through torchrun, like a
local run on screen (curves, run list, weights to save and export); Stop ends every rank; a
rank that dies is named."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
import torch
from PySide6.QtGui import QUndoStack

from netbuilder.core import io
from netbuilder.gui.docks.training import TrainingWorkspace
from netbuilder.gui.process_run import descendants
from netbuilder.train.checkpoint import build_model, load_checkpoint, save_checkpoint

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX process groups, /proc")

WAIT_MS = 240_000  # two ranks start a Python and torch each on 2 shared cores


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def _workspace(qtbot, epochs: int, processes: int = 2) -> TrainingWorkspace:
    """The MLP regressor example on its built-in data, small, on ``processes`` ranks."""
    diagram = io.load("resources/examples/mlp_regressor.nbd")
    diagram.set_training(
        {
            **diagram.training,
            "epochs": epochs,
            "batch_size": 32,
            "device": "cpu",
            "processes": processes,
            "dataset_options": {"size": 256},
        }
    )
    ws = TrainingWorkspace(diagram, QUndoStack())
    qtbot.addWidget(ws)
    ws.show()
    return ws


def _rank_pids(ws: TrainingWorkspace) -> dict[int, int]:
    """{rank: pid} of the run's worker processes, read from their environment."""
    process = ws.engines.processes.process
    ranks: dict[int, int] = {}
    for pid in descendants(process.pid) if process is not None else []:
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in env:
            if item.startswith(b"RANK="):
                ranks[int(item[5:])] = pid
    return ranks


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_the_processes_setting_is_in_the_form_and_validated(qtbot) -> None:
    ws = _workspace(qtbot, epochs=1, processes=1)
    box = ws.settings.editors["processes"]
    assert box.value() == 1
    box.setValue(3)
    assert ws.diagram.training["processes"] == 3
    ws.diagram.set_training({**ws.diagram.training, "processes": 0})
    assert not ws.start()
    assert "processes" in ws.message.text()


def test_start_on_two_processes_streams_curves_and_keeps_a_usable_model(
    qtbot, tmp_path: Path
) -> None:
    ws = _workspace(qtbot, epochs=2)
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        assert ws.start()
        assert ws.engines.processes.is_running() and not ws.runner.is_running()
        assert ws.stop_button.isEnabled() and not ws.pause_button.isEnabled()
        assert not ws.start_button.isEnabled()
    outcome = done.args[0]
    assert outcome.status == "completed", outcome.error
    # the curves arrived through the events file, as a local run's do
    assert ws.step_events_seen > 0
    assert list(ws.curves.current.val_loss.x) == [1.0, 2.0]
    assert "2 processes" in ws.log.toPlainText()
    # the run list entry belongs to this diagram, with its best epoch
    record = ws.session.runs.runs[-1]
    assert record.status == "completed" and record.best_epoch in (1, 2)
    assert record.training["processes"] == 2 and len(record.metrics["val_loss"]) == 2
    # Save Trained Model / Export act on the checkpoint the ranks wrote
    assert ws.session.model_run is record and ws.export_button.isEnabled()
    checkpoint = ws.session.checkpoint
    assert checkpoint is outcome.checkpoint and checkpoint.best_epoch == record.best_epoch
    saved = tmp_path / "kept.pt"
    save_checkpoint(saved, checkpoint.diagram, checkpoint.state_dict, checkpoint.training)
    model = build_model(load_checkpoint(saved)).eval()
    with torch.no_grad():
        y = model(torch.randn(4, ws.diagram.nodes["features"].params["features"]))
    assert torch.isfinite(y).all()
    # the ranks do not evaluate: the workspace scores the weights afterwards, in background
    qtbot.waitUntil(lambda: not ws.background_evaluation.busy, timeout=WAIT_MS)
    assert ws.evaluation.evaluation is not None


def test_stop_ends_every_rank_and_leaves_no_process_behind(qtbot) -> None:
    ws = _workspace(qtbot, epochs=1000)
    assert ws.start()
    launcher = ws.engines.processes.process.pid
    qtbot.waitUntil(
        lambda: ws.curves.current is not None and len(ws.curves.current.val_loss) >= 1,
        timeout=WAIT_MS,
    )
    ranks = _rank_pids(ws)
    assert sorted(ranks) == [0, 1]
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.stop()
    outcome = done.args[0]
    assert outcome.status == "stopped", outcome.error
    assert ws.session.state_dict is not None  # the best finished epoch was kept
    qtbot.waitUntil(lambda: not any(_alive(p) for p in [launcher, *ranks.values()]), timeout=30_000)
    assert not ws.is_running() and ws.start_button.isEnabled()


def test_a_rank_that_dies_is_named_and_every_other_rank_stops(qtbot) -> None:
    ws = _workspace(qtbot, epochs=1000)
    assert ws.start()
    qtbot.waitUntil(
        lambda: ws.curves.current is not None and len(ws.curves.current.val_loss) >= 1,
        timeout=WAIT_MS,
    )
    ranks = _rank_pids(ws)
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        os.kill(ranks[1], signal.SIGKILL)
    outcome = done.args[0]
    assert outcome.status == "failed"
    assert "rank 1" in ws.message.text(), ws.message.text()
    qtbot.waitUntil(lambda: not any(_alive(p) for p in ranks.values()), timeout=30_000)


def test_without_process_groups_start_says_so_instead_of_failing_at_stop(
    qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from netbuilder.gui.process_run import ProcessRun

    monkeypatch.setattr(ProcessRun, "supported", staticmethod(lambda: False))
    ws = _workspace(qtbot, epochs=1)
    assert not ws.start()
    assert "Processes to 1" in ws.message.text() and not ws.is_running()
