"""A multi-process run started from the app: a child `netbuilder train --nproc 2`, watched."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from netbuilder.gui.process_run import ProcessRun
from netbuilder.train.config import TrainConfig
from netbuilder.train.events import EpochEvent, StepEvent
from tests.train.conftest import table_net

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX process groups")


def _diagram(tmp_path: Path, epochs: int, rows: int = 300):
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(rows)))
    diagram = table_net(2, 2)
    diagram.set_training({"dataset": str(csv), "epochs": epochs, "batch_size": 16, "device": "cpu"})
    return diagram, TrainConfig.from_dict(diagram.training)


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def test_a_two_process_run_streams_its_curves_and_ends_with_the_saved_model(
    qtbot, tmp_path: Path
) -> None:
    diagram, config = _diagram(tmp_path, epochs=2)
    run = ProcessRun()
    got: list[object] = []
    run.events.connect(got.extend)
    run.start(diagram, config, processes=2)
    assert run.is_running()
    with qtbot.waitSignal(run.finished, timeout=240_000) as done:
        pass
    outcome = done.args[0]
    assert outcome.error is None, outcome.error
    assert outcome.status == "completed"
    assert len(outcome.result.metrics["val_loss"]) == 2
    assert outcome.result.model is not None and outcome.result.best_epoch in (1, 2)
    assert [e.epoch for e in got if isinstance(e, EpochEvent)] == [1, 2]
    assert any(isinstance(e, StepEvent) for e in got)
    assert not run.is_running() and not run.folder.exists()  # its private folder is gone


def test_stop_ends_every_rank_and_keeps_the_best_epoch(qtbot, tmp_path: Path) -> None:
    diagram, config = _diagram(tmp_path, epochs=1000)
    run = ProcessRun()
    epochs: list[int] = []
    run.events.connect(
        lambda batch: epochs.extend(e.epoch for e in batch if isinstance(e, EpochEvent))
    )
    run.start(diagram, config, processes=2)
    pgid = run.process.pid
    qtbot.waitUntil(lambda: bool(epochs), timeout=240_000)
    with qtbot.waitSignal(run.finished, timeout=120_000) as done:
        run.stop()
    outcome = done.args[0]
    assert outcome.status == "stopped", outcome.error
    assert outcome.result.model is not None and outcome.result.best_epoch >= 1
    assert len(outcome.result.metrics["val_loss"]) < 1000
    qtbot.waitUntil(lambda: not _alive(pgid), timeout=30_000)  # no rank outlives the stop
