"""A run's events file: written in GUI-sized batches, followed live by a reader that never
trips over a torn last line, a corrupt line or a new run replacing the file."""

from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path

import pytest

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.train.events import EpochEvent, FailedEvent, StatusEvent, StepEvent
from netbuilder.train.runlog import (
    EVENTS_FILE,
    KEPT_EVENTS_FILE,
    UNSAVED_EVENTS_FILE,
    EventFollower,
    RunEnded,
    RunLog,
    RunStarted,
    decode,
    encode,
    run_folder,
)
from tests.train.conftest import table_net


def _step(i: int) -> StepEvent:
    return StepEvent(1, 2, i, 100, i, 1.0 / i, 0.5, 0.01, 1000.0, 3.0)


def _epoch(e: int) -> EpochEvent:
    return EpochEvent(e, 2, 0.5, 0.75, 0.6, None, 0.01, True, 1.5)


def test_every_record_round_trips_through_one_json_line() -> None:
    records = [
        RunStarted("/d/net.nbd", "/d/m.pt", 2, {"lr": 0.1}, 1.0),
        _step(3),
        _epoch(1),
        StatusEvent("training on cpu"),
        FailedEvent("block 'fc' failed", "fc"),
        RunEnded("completed", "/d/m.pt", 2, None),
    ]
    for record in records:
        line = encode(record)
        assert line is not None and line.endswith("\n") and line.count("\n") == 1
        assert decode(line) == record
    assert decode('{"event": "nope"}') is None and decode("[1, 2") is None


def test_a_torn_last_line_waits_for_its_end_and_corrupt_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / EVENTS_FILE
    follower = EventFollower(tmp_path)
    assert follower.poll() == []  # no file yet: nothing, no error
    first, second = encode(_step(1)), encode(_step(2))
    assert first and second
    with open(path, "w", encoding="utf-8") as f:
        f.write(first + second[:17])  # the writer is in the middle of line 2
        f.flush()
        assert follower.poll() == [_step(1)]
        assert follower.poll() == []
        f.write(second[17:] + "{not json\n" + '{"event":"step","epoch":1}\n')
        f.flush()
        assert follower.poll() == [_step(2)]
        assert follower.skipped == 2  # corrupt and incomplete records, not exceptions
        f.write(encode(RunEnded("stopped")) or "")
        f.write('{"event":"status","mess')  # the writer died mid-line: never completed
        f.flush()
    assert follower.poll() == [RunEnded("stopped")]
    assert follower.ended == RunEnded("stopped")
    assert follower.poll() == []


def test_a_follower_may_start_before_the_run_folder_exists(tmp_path: Path) -> None:
    folder = run_folder(tmp_path / "m.pt")
    follower = EventFollower(folder)
    assert follower.poll() == []
    log = RunLog(folder, RunStarted("a.nbd", "m.pt"), tensorboard=False)
    assert follower.poll() == [RunStarted("a.nbd", "m.pt")]
    log.close()


def test_a_new_run_into_the_same_folder_is_read_from_its_start(tmp_path: Path) -> None:
    start = RunStarted("a.nbd", "m.pt")
    log = RunLog(tmp_path, start, tensorboard=False)
    log(StatusEvent("one"))
    follower = EventFollower(tmp_path)
    assert follower.poll() == [start, StatusEvent("one")]
    log.finish(RunEnded("completed", "m.pt", 1))
    assert follower.poll()[-1] == RunEnded("completed", "m.pt", 1, None)
    again = RunLog(tmp_path, RunStarted("b.nbd", "m.pt"), tensorboard=False)
    assert follower.poll() == [RunStarted("b.nbd", "m.pt")]
    assert follower.restarts == 1 and follower.ended is None
    again.close()


def test_a_follower_reads_a_file_written_line_by_line_while_it_grows(tmp_path: Path) -> None:
    """Writer thread and reader poll concurrently; chunks are cut at arbitrary bytes."""
    lines = [encode(_step(i)) or "" for i in range(1, 301)] + [encode(RunEnded("completed")) or ""]
    text = "".join(lines)
    path = tmp_path / EVENTS_FILE

    def write() -> None:
        with open(path, "w", encoding="utf-8") as f:
            for i in range(0, len(text), 37):  # 37-byte pieces tear most lines in two
                f.write(text[i : i + 37])
                f.flush()
                time.sleep(0.0005)

    writer = threading.Thread(target=write)
    follower = EventFollower(path)
    seen: list[object] = []
    writer.start()
    deadline = time.monotonic() + 60
    while follower.ended is None and time.monotonic() < deadline:
        seen += follower.poll()
    writer.join()
    assert seen == [_step(i) for i in range(1, 301)] + [RunEnded("completed")]
    assert follower.skipped == 0


def test_steps_are_written_in_gui_sized_batches_and_the_rest_at_once(tmp_path: Path) -> None:
    log = RunLog(tmp_path, RunStarted("a.nbd", "m.pt"), tensorboard=False)
    follower = EventFollower(tmp_path)
    follower.poll()
    for i in range(1, 201):  # a fast run: 200 steps in far less than 1/30 s each
        log(_step(i))
    visible = len(follower.poll())
    assert visible < 200  # buffered, not one write per step
    log(_epoch(1))  # an epoch is written at once, with the steps before it
    assert len(follower.poll()) == 200 - visible + 1
    log.close()


def test_netbuilder_train_writes_its_run_folder_next_to_the_checkpoint(tmp_path: Path) -> None:
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
    diagram = table_net(2, 2)
    diagram.set_training({"dataset": str(csv), "epochs": 2, "batch_size": 16})
    nbd = tmp_path / "n.nbd"
    save(diagram, nbd)
    out = tmp_path / "m.pt"
    assert main(["train", str(nbd), "--out", str(out), "-q"]) == 0
    records = EventFollower(run_folder(out)).read_all()
    assert isinstance(records[0], RunStarted) and records[0].checkpoint == str(out.resolve())
    assert [r.epoch for r in records if isinstance(r, EpochEvent)] == [1, 2]
    assert records[-1] == RunEnded("completed", str(out.resolve()), records[-1].best_epoch, None)
    assert main(["train", str(nbd), "--out", str(tmp_path / "q.pt"), "-q", "--no-events"]) == 0
    assert not run_folder(tmp_path / "q.pt").exists()


@pytest.mark.skipif(
    importlib.util.find_spec("tensorboard") is None, reason="the tensorboard extra is not installed"
)
def test_tensorboard_event_files_are_written_when_the_extra_is_installed(tmp_path: Path) -> None:
    log = RunLog(tmp_path, RunStarted("a.nbd", "m.pt"))
    log(_step(1))
    log(_epoch(1))
    log.close()
    assert list(tmp_path.glob("events.out.tfevents.*"))


def test_a_run_stopped_before_it_saves_keeps_the_older_checkpoints_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OUT is kept when a new run into it saves nothing; so must OUT.run's events be (Watch
    Run on OUT.run shows OUT's curves, not those of the unsaved run)."""
    import netbuilder.commands.train as train_command

    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
    diagram = table_net(2, 2)
    diagram.set_training({"dataset": str(csv), "epochs": 2, "batch_size": 16, "device": "cpu"})
    nbd = tmp_path / "n.nbd"
    save(diagram, nbd)
    out = tmp_path / "m.pt"
    assert main(["train", str(nbd), "--out", str(out), "-q"]) == 0
    kept = (run_folder(out) / EVENTS_FILE).read_bytes()
    weights = out.read_bytes()

    real = train_command._run_stoppable

    def stopped_at_the_first_step(trainer, same_press_s=0.0):  # the user's Ctrl-C
        emit = trainer.on_event

        def on_event(event: object) -> None:
            emit(event)
            if isinstance(event, StepEvent):
                trainer.stop()

        trainer.on_event = on_event
        result, _interrupted = real(trainer, same_press_s)
        return result, True

    monkeypatch.setattr(train_command, "_run_stoppable", stopped_at_the_first_step)
    assert main(["train", str(nbd), "--out", str(out), "-q", "--epochs", "3"]) == 130
    assert out.read_bytes() == weights  # nothing was saved: the older checkpoint stays
    assert (run_folder(out) / EVENTS_FILE).read_bytes() == kept
    records = EventFollower(run_folder(out)).read_all()
    assert [r.epoch for r in records if isinstance(r, EpochEvent)] == [1, 2]
    assert records[-1].checkpoint == str(out.resolve())
    # the unsaved run's own events are not thrown away: they sit beside, named as such
    unsaved = EventFollower(run_folder(out) / UNSAVED_EVENTS_FILE).read_all()
    assert isinstance(unsaved[-1], RunEnded) and unsaved[-1].checkpoint is None
    assert unsaved[0].config["epochs"] == 3
    # a run that saves replaces the checkpoint, and its events replace the older ones
    monkeypatch.setattr(train_command, "_run_stoppable", real)
    assert main(["train", str(nbd), "--out", str(out), "-q", "--epochs", "1"]) == 0
    records = EventFollower(run_folder(out)).read_all()
    assert [r.epoch for r in records if isinstance(r, EpochEvent)] == [1]
    assert not (run_folder(out) / KEPT_EVENTS_FILE).exists()
