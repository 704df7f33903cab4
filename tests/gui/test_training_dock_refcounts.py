"""A training run emits thousands of signals and timer calls: PySide6 6.12 on CPython 3.11
drops a reference to True per ``emit()`` and to None per timer-called slot, which used to
abort the process within seconds (see ``netbuilder.gui.pyside_compat``)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal

import netbuilder.gui  # noqa: F401  (applies the workaround, as every GUI entry point does)


class _Emitter(QObject):
    ping = Signal(list)


def test_many_emits_and_timer_slots_do_not_exhaust_singleton_refcounts(qtbot):
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(lambda batch: received.append(len(batch)))
    for _ in range(5000):  # more than True's natural reference count on 3.11
        emitter.ping.emit([1])
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    qtbot.waitUntil(lambda: len(ticks) >= 6000, timeout=60_000)  # None's count is ~5000
    timer.stop()
    assert len(received) == 5000
    assert sys.getrefcount(None) > 10**6 and sys.getrefcount(True) > 10**6
