"""A training run emits thousands of signals and timer calls. PySide6 6.12.0 on CPython 3.11
dropped a reference to True per ``emit()`` and aborted within seconds ("bool_dealloc"), which
is why pyproject.toml requires PySide6-Essentials < 6.12. This guards against a release with
the same leak slipping back in."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class _Emitter(QObject):
    ping = Signal(list)


def test_emits_and_timer_slots_keep_singleton_refcounts(qtbot):
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(lambda batch: received.append(len(batch)))
    before_true, before_none = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(2000):
        emitter.ping.emit([1])
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 2000, timeout=60_000)
    timer.stop()
    assert len(received) == 2000
    # A leak of one reference per call would show as a drop of ~2000; allow small noise.
    assert sys.getrefcount(True) > before_true - 100
    assert sys.getrefcount(None) > before_none - 100
