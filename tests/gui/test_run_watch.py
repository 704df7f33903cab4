"""File > Watch Run…: a run written elsewhere streams into the training panel like a local run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.gui.run_watch import RunWatcher, watch_folder
from netbuilder.train.events import EpochEvent, StatusEvent, StepEvent
from netbuilder.train.runlog import EVENTS_FILE, RunEnded, RunStarted, encode, run_folder
from tests.train.conftest import table_net


def _step(i: int, per_epoch: int = 10) -> StepEvent:
    epoch = (i - 1) // per_epoch + 1
    return StepEvent(epoch, 2, (i - 1) % per_epoch + 1, per_epoch, i, 2.0 / i, 0.5, 0.01, 1e3, 1.0)


def _epoch(e: int) -> EpochEvent:
    return EpochEvent(e, 2, 0.5, 0.7, 0.6, 0.65, 0.01, e == 1, 2.0)


def _lines(records: list[object]) -> str:
    return "".join(encode(r) or "" for r in records)  # type: ignore[arg-type]


def test_the_watcher_emits_what_a_local_run_emits(qtbot, tmp_path: Path) -> None:
    path = tmp_path / EVENTS_FILE
    start = RunStarted("net.nbd", str(tmp_path / "m.pt"), 2)
    first = [start, StatusEvent("training on cpu"), *(_step(i) for i in range(1, 6))]
    text = _lines(first) + encode(_step(6))[:20]  # type: ignore[index]
    path.write_text(text)
    watcher = RunWatcher(tmp_path)
    got: list[object] = []
    starts: list[object] = []
    watcher.events.connect(got.extend)
    watcher.started.connect(starts.append)
    with qtbot.waitSignal(watcher.started, timeout=5000):
        watcher.start()
    qtbot.waitUntil(lambda: len(got) == 6, timeout=5000)  # the torn 6th step waits
    assert starts == [start] and got == first[1:]
    rest = encode(_step(6))[20:] + _lines([*(_step(i) for i in range(7, 11)), _epoch(1)])  # type: ignore[index]
    with path.open("a") as f:
        f.write(rest + "garbage that is not json\n")
        f.write(encode(RunEnded("completed", None, 1, None)) or "")
    with qtbot.waitSignal(watcher.ended, timeout=5000) as ended:
        pass
    assert ended.args == [RunEnded("completed", None, 1, None)]
    assert got[6:] == [*(_step(i) for i in range(6, 11)), _epoch(1)]
    assert watcher.follower.skipped == 1
    watcher.stop()


def test_watch_run_streams_into_the_training_panel_and_offers_the_checkpoint(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:
    window = make_window()
    assert window.findChild(object, "act_watch_run") is not None
    panel = window.training_panel
    folder = run_folder(tmp_path / "model.pt")
    folder.mkdir()
    events = folder / EVENTS_FILE
    start = RunStarted("net.nbd", str(tmp_path / "model.pt"))
    events.write_text(_lines([start, *(_step(i) for i in range(1, 8))]))
    asked: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        staticmethod(lambda parent, title, text, *a: asked.append(text) or QMessageBox.Cancel),
    )
    watcher = watch_folder(window, folder)
    assert watcher is not None
    qtbot.waitUntil(lambda: panel.step_events_seen == 7, timeout=5000)
    assert len(panel.curves.current.step_loss) == 7
    # the file grows: the curves follow
    with events.open("a") as f:
        f.write(_lines([*(_step(i) for i in range(8, 11)), _epoch(1)]))
    qtbot.waitUntil(lambda: len(panel.curves.current.val_loss) == 1, timeout=5000)
    assert panel.step_events_seen == 10
    assert not asked  # no checkpoint yet, no question
    with events.open("a") as f:  # it ends without saving: nothing to offer
        f.write(encode(RunEnded("stopped", None, None, None)) or "")
    qtbot.waitUntil(lambda: not watcher.is_watching(), timeout=5000)
    assert not asked


def test_a_finished_run_offers_its_checkpoint_and_opens_it(
    make_window, qtbot, tmp_path: Path, monkeypatch
) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
    diagram = table_net(2, 2)
    diagram.set_training({"dataset": str(csv), "epochs": 2, "batch_size": 16})
    nbd = tmp_path / "n.nbd"
    save(diagram, nbd)
    out = tmp_path / "m.pt"
    assert main(["train", str(nbd), "--out", str(out), "-q"]) == 0  # a run made elsewhere

    window = make_window()
    asked: list[str] = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Open

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    watch_folder(window, run_folder(out))
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert asked == ["The watched run saved m.pt. Open it?"]
    assert len(window.training_panel.curves.current.val_loss) == 2
    qtbot.waitUntil(lambda: window.session.state_dict is not None, timeout=10000)
