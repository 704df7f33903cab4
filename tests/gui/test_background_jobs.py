"""One mechanism for background work (issue 9): typed results on the GUI thread, errors as
one line, answers kept apart by job number; and the session's settings parsed once."""

from __future__ import annotations

import threading

import pytest

from netbuilder.gui.worker import BackgroundJobs, JobResult


def test_jobs_report_values_and_errors_on_the_gui_thread(qtbot):
    jobs = BackgroundJobs.shared()
    seen: list[tuple[JobResult, bool]] = []

    def record(result: JobResult) -> None:
        seen.append((result, threading.current_thread() is threading.main_thread()))

    jobs.finished.connect(record)
    try:
        ok = jobs.submit(lambda: 6 * 7, "answer")

        def fail() -> int:
            raise ValueError("the dataset 'x' does not exist\nsecond line")

        bad = jobs.submit(fail, "fail")
        assert ok != bad
        qtbot.waitUntil(lambda: {r.job for r, _ in seen} >= {ok, bad}, timeout=10_000)
    finally:
        jobs.finished.disconnect(record)
    results = {r.job: (r, on_gui) for r, on_gui in seen}
    good, on_gui = results[ok]
    assert good.ok and good.value == 42 and on_gui
    failed, _ = results[bad]
    assert not failed.ok and failed.value is None
    assert failed.error == "the dataset 'x' does not exist"  # one line for the user
    assert jobs.wait(ok) and jobs.wait(bad)


def test_session_parses_the_settings_once_per_change():
    from netbuilder.core.diagram import Diagram
    from netbuilder.gui.session import Session
    from netbuilder.train.config import ConfigError

    session = Session(diagram=Diagram())
    first = session.training_config()
    assert session.training_config() is first  # not parsed again
    session.diagram.set_training({**session.diagram.training, "epochs": 7})
    assert session.training_config().epochs == 7
    session.diagram.set_training({**session.diagram.training, "batch_size": 0})
    with pytest.raises(ConfigError, match="batch_size"):
        session.training_config()
