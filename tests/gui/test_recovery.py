"""Crash recovery: autosaved copies of unsaved diagrams, their clean-up, and the offer to
recover them after a crash. Each test uses its own recovery folder (conftest)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QLockFile
from PySide6.QtWidgets import QFileDialog, QMessageBox

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import dumps, load
from netbuilder.gui import recovery
from netbuilder.resources import EXAMPLES_DIR

CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"


@pytest.fixture
def folder(isolated_recovery: Path) -> Path:
    return isolated_recovery


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Answer the recovery question with ``asked["answer"]``; records what was offered."""
    state: dict = {"answer": recovery.RECOVER, "offered": []}

    def ask(parent, orphans):
        state["offered"].append([o.name for o in orphans])
        return state["answer"]

    monkeypatch.setattr(recovery, "ask_to_recover", ask)
    return state


def _entry_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def _edit_and_autosave(window) -> tuple[Path, Path, Path]:
    window.editor.add_block("ReLU", (0.0, 0.0))
    assert window.autosave.write_now()
    paths = window.autosave.paths()
    assert paths is not None
    return paths


def _reaped() -> int:
    """The pid of a process that has exited and been reaped: nobody owns it now."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _stale_lock(path: Path) -> None:
    """A lock file as Qt writes it, left by a process that died without unlocking."""
    probe = QLockFile(str(path))
    assert probe.tryLock(0)
    lines = path.read_text().split("\n")
    probe.unlock()
    lines[0] = str(_reaped())
    path.write_text("\n".join(lines))


def _crash_copy(paths: tuple[Path, Path, Path], folder: Path, key: str, lock: str) -> None:
    """What a crashed process leaves: the entry's files under ``key``; lock 'stale' or 'none'."""
    nbd, meta, _ = paths
    shutil.copy(nbd, folder / f"{key}.nbd")
    shutil.copy(meta, folder / f"{key}.json")
    if lock == "stale":
        _stale_lock(folder / f"{key}.lock")


def _close_extra(windows, qapp) -> None:
    for w in windows:
        w.session.undo_stack.setClean()
        w.close()
        w.scene.detach()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        qapp.processEvents()


# ---------------------------------------------------------------------- autosave
def test_first_edit_schedules_a_write_that_loads_back(window, folder: Path) -> None:
    saver = window.autosave
    assert not saver.timer.isActive() and saver.paths() is None
    window.files.open(CNN, as_template=True)
    window.editor.set_param("conv1", "out_channels", 20)
    assert saver.timer.isActive() and saver.timer.interval() == recovery.FIRST_DELAY_MS
    saver.timer.stop()
    saver.write_if_due()  # what the timer does when it fires
    nbd, meta, lock = saver.paths()
    assert dumps(load(nbd)) == dumps(window.session.diagram)
    assert load(nbd).nodes["conv1"].params["out_channels"] == 20
    info = json.loads(meta.read_text())
    assert info["display_name"] == "cnn_image_classifier.nbd"
    assert info["original_path"] is None and info["netbuilder_version"] and info["saved_at"]
    assert lock.exists()
    # later edits are written within the regular interval, not at once
    assert not saver.timer.isActive()
    window.editor.set_param("conv1", "out_channels", 24)
    assert saver.timer.isActive() and saver.timer.interval() == recovery.INTERVAL_MS
    saver.timer.stop()
    saver.write_if_due()
    assert load(nbd).nodes["conv1"].params["out_channels"] == 24
    assert _entry_files(folder) == sorted([nbd.name, meta.name, lock.name])


def test_nothing_is_written_while_clean(window, folder: Path) -> None:
    window.files.open(CNN)
    window.autosave.write_if_due()
    assert not window.autosave.timer.isActive() and _entry_files(folder) == []


def test_saving_removes_the_copy(window, folder: Path, tmp_path: Path) -> None:
    nbd, meta, lock = _edit_and_autosave(window)
    assert window.files.save_to(tmp_path / "net.nbd")
    assert not nbd.exists() and not meta.exists() and not lock.exists()
    assert not window.autosave.timer.isActive() and _entry_files(folder) == []
    info_after_save = _edit_and_autosave(window)
    assert json.loads(info_after_save[1].read_text())["original_path"] == str(
        (tmp_path / "net.nbd").resolve()
    )


def test_undo_back_to_clean_removes_the_copy(window, folder: Path) -> None:
    window.files.open(CNN)
    _edit_and_autosave(window)
    window.session.undo_stack.undo()
    assert not window.session.modified and _entry_files(folder) == []
    window.session.undo_stack.redo()  # dirty again: a new copy is due soon
    assert window.autosave.timer.interval() == recovery.FIRST_DELAY_MS


def test_new_after_discarding_removes_the_copy(window, folder: Path, monkeypatch) -> None:
    _edit_and_autosave(window)
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    assert window.files.new()
    assert _entry_files(folder) == []


def test_normal_close_removes_the_copy_and_writes_no_more(window, folder, monkeypatch) -> None:
    _edit_and_autosave(window)
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )
    assert window.close()
    assert _entry_files(folder) == []
    window.autosave.write_if_due()
    assert _entry_files(folder) == [] and not window.autosave.timer.isActive()


def test_cancelled_close_keeps_the_copy(window, folder: Path, monkeypatch) -> None:
    nbd, _, _ = _edit_and_autosave(window)
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Cancel)
    )
    assert not window.close()
    assert nbd.exists()


def test_failed_write_is_shown_once_in_the_status_bar(window, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setattr(recovery, "recovery_dir", lambda: blocker / "recovery")
    window.editor.add_block("ReLU", (0.0, 0.0))
    window.autosave.write_if_due()  # no exception into Qt
    assert "Autosave for crash recovery failed" in window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    window.autosave.write_if_due()
    assert window.statusBar().currentMessage() == ""  # once, not every 30 s
    assert window.autosave.timer.isActive()  # retried later


def test_a_500_block_diagram_is_autosaved_whole(window, folder: Path) -> None:
    """Large diagrams are kept too (how long it takes is benchmarks' business, not a test's)."""
    d = Diagram()
    first = chain(d, ("ImageInput", {"channels": 1, "height": 8, "width": 8}), "Flatten")
    pairs = [step for _ in range(249) for step in (("Linear", {"out_features": 16}), "ReLU")]
    chain(d, *pairs, after=first)
    assert len(d.nodes) == 500
    window.session.replace(d, None)
    window.editor.set_label(first, "flat")  # unsaved
    assert window.autosave.write_now()
    paths = window.autosave.paths()
    assert paths is not None
    saved = load(paths[0])
    assert len(saved.nodes) == 500 and saved.node(first).label == "flat"


# ---------------------------------------------------------------------- recovery
def test_crashed_copy_is_offered_and_recovered_identical(
    window, make_window, folder, asked, monkeypatch
) -> None:
    window.files.open(CNN)
    window.editor.set_param("conv1", "out_channels", 20)
    paths = window.autosave.paths() or _edit_and_autosave(window)
    assert window.autosave.write_now()
    autosaved = paths[0].read_text(encoding="utf-8")
    _crash_copy(paths, folder, "crashed", lock="stale")

    fresh = make_window()
    assert recovery.offer_recovery(fresh) == []  # the empty window takes it
    assert asked["offered"] == [["cnn_image_classifier.nbd"]]  # not the live window's own copy
    assert dumps(fresh.session.diagram) == autosaved
    s = fresh.session
    assert s.modified and s.path is None
    assert s.display_name == "cnn_image_classifier.nbd (recovered)"
    assert fresh.windowTitle().startswith("cnn_image_classifier.nbd (recovered)[*]")
    assert not any(p.name.startswith("crashed.") for p in folder.iterdir())
    # it is safe in the new window's own copy straight away
    assert fresh.autosave.paths()[0].read_text(encoding="utf-8") == autosaved
    # undo cannot make it look saved
    s.undo_stack.undo()
    assert s.modified
    # Save asks where, proposing the file it came from
    proposed = []

    def cancelled_dialog(parent, title, start, *args):
        proposed.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(cancelled_dialog))
    assert not fresh.files.save()
    assert proposed == [str(CNN.resolve())]


def test_copies_without_lock_are_recovered_into_new_windows_when_busy(
    window, folder, asked, qapp
) -> None:
    window.files.open(CNN)
    window.editor.set_param("conv1", "out_channels", 20)
    assert window.autosave.write_now()
    paths = window.autosave.paths()
    _crash_copy(paths, folder, "a", lock="none")
    _crash_copy(paths, folder, "b", lock="none")
    window.session.undo_stack.undo()  # this window has a diagram, so it is not reused
    extra = recovery.offer_recovery(window)
    try:
        assert len(extra) == 2 and asked["offered"] == [["cnn_image_classifier.nbd"] * 2]
        assert window.session.path == CNN.resolve() and not window.session.modified
        for w in extra:
            assert w.isVisible() and w.session.modified
            assert w.session.diagram.nodes["conv1"].params["out_channels"] == 20
    finally:
        _close_extra(extra, qapp)
    assert _entry_files(folder) == []


def test_later_keeps_the_copies_for_next_time(window, make_window, folder, asked) -> None:
    paths = _edit_and_autosave(window)
    _crash_copy(paths, folder, "crashed", lock="stale")
    asked["answer"] = recovery.LATER
    fresh = make_window()
    recovery.offer_recovery(fresh)
    assert not fresh.session.diagram.nodes and not fresh.session.modified
    assert (folder / "crashed.nbd").exists() and (folder / "crashed.json").exists()
    # released, so the next start offers it again
    recovery.offer_recovery(fresh)
    assert len(asked["offered"]) == 2


def test_discard_deletes_the_copies(window, make_window, folder, asked) -> None:
    paths = _edit_and_autosave(window)
    _crash_copy(paths, folder, "crashed", lock="stale")
    asked["answer"] = recovery.DISCARD
    recovery.offer_recovery(make_window())
    assert not any(p.name.startswith("crashed.") for p in folder.iterdir())


def test_a_running_owners_copy_is_not_offered(window, folder) -> None:
    """Held through another QLockFile, as another NetBuilder process would hold it."""
    paths = _edit_and_autosave(window)
    _crash_copy(paths, folder, "alive", lock="none")
    owner = QLockFile(str(folder / "alive.lock"))
    assert owner.tryLock(0)
    try:
        assert recovery.offer_recovery(window) == []  # conftest fails any question
        assert (folder / "alive.nbd").exists()
    finally:
        owner.unlock()


def test_corrupt_copy_is_moved_aside_and_named(window, make_window, folder, asked) -> None:
    paths = _edit_and_autosave(window)
    _crash_copy(paths, folder, "good", lock="stale")
    (folder / "bad.nbd").write_text("{ not json", encoding="utf-8")
    (folder / "bad.json").write_text(json.dumps({"display_name": "broken.nbd"}))
    (folder / "junk.json").write_text("[[[")  # sidecar without a diagram: nothing to recover
    fresh = make_window()
    recovery.offer_recovery(fresh)
    assert asked["offered"] == [["Untitled"]]
    assert "broken.nbd" in fresh.statusBar().currentMessage()
    assert sorted(p.name.split("-", 2)[-1] for p in (folder / "corrupt").iterdir()) == [
        "bad.json",
        "bad.nbd",
    ]
    assert not (folder / "bad.lock").exists() and not (folder / "junk.json").exists()
    assert fresh.session.modified and len(fresh.session.diagram.nodes) == 1


def test_only_corrupt_copies_ask_nothing(window, folder) -> None:
    (folder / "bad.nbd").write_bytes(b"\xff\xfe garbage")
    assert recovery.offer_recovery(window) == []
    assert "Untitled" in window.statusBar().currentMessage()
    assert not (folder / "bad.nbd").exists()


def _trained(window) -> dict:
    """Weights as a finished run leaves them in the session (a checkpoint of the diagram)."""
    import torch

    from netbuilder.core.compile import compile_diagram
    from netbuilder.train.checkpoint import Checkpoint

    window.files.open(CNN)
    torch.manual_seed(0)
    state = compile_diagram(window.session.diagram).state_dict()
    ckpt = Checkpoint(
        window.session.diagram.copy(), state, metrics={"val_loss": [0.5]}, classes=["a", "b"]
    )
    window.session.set_weights(state, ckpt)
    return state


def test_unsaved_trained_weights_are_autosaved_even_with_a_saved_diagram(
    window, folder: Path, monkeypatch, tmp_path: Path
) -> None:
    from netbuilder.train.checkpoint import load_checkpoint

    state = _trained(window)
    assert not window.session.modified and window.session.weights_unsaved
    assert window.autosave.timer.isActive()  # a finished run is written soon
    window.autosave.write_if_due()
    nbd, _, _ = window.autosave.paths()
    saved = load_checkpoint(nbd.with_suffix(".pt"))
    assert saved.metrics == {"val_loss": [0.5]} and saved.classes == ["a", "b"]
    assert all(saved.state_dict[k].equal(v) for k, v in state.items())
    # File › Save Trained Model puts them in a .pt: the recovery copy has done its job
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(tmp_path / "m"), ""))
    )
    assert window.files.save_trained_model()
    assert window.autosave.paths() is None and _entry_files(folder) == []


def test_crashed_weights_come_back_unsaved(window, make_window, folder, asked) -> None:
    state = _trained(window)
    window.autosave.write_if_due()
    nbd, meta, _ = window.autosave.paths()
    _crash_copy((nbd, meta, None), folder, "crashed", lock="stale")
    shutil.copy(nbd.with_suffix(".pt"), folder / "crashed.pt")

    fresh = make_window()
    assert recovery.offer_recovery(fresh) == []
    s = fresh.session
    assert s.weights_unsaved and s.checkpoint.classes == ["a", "b"]
    assert all(s.state_dict[k].equal(v) for k, v in state.items())
    assert not (folder / "crashed.pt").exists()  # moved into the new window's own entry
    assert fresh.autosave.paths()[0].with_suffix(".pt").exists()
    assert fresh.act_save_trained.isEnabled()
