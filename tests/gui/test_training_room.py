"""The Training tab shares the bottom dock area with the slim Problems list: raising it must
give the curves room, and a height the user chose that is big enough must be left alone."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_raising_training_makes_room_for_the_curves(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.problems_dock.height() < 200)  # the first-start layout
    window.training_dock.raise_()
    qtbot.waitUntil(lambda: window.training_dock.height() >= 0.85 * window.TRAINING_MIN_HEIGHT)
    assert window.training_panel.curves.isVisible()
    window.problems_dock.raise_()
    window.resizeDocks([window.problems_dock], [500], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: window.problems_dock.height() > 450)
    window.training_dock.raise_()
    qtbot.wait(50)
    assert abs(window.training_dock.height() - window.problems_dock.height()) < 5
    assert window.training_dock.height() > 450  # the user's bigger choice stays


def test_a_size_set_right_after_raising_is_kept(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.problems_dock.height() < 200)
    window.training_dock.raise_()
    window.resizeDocks([window.training_dock], [600], Qt.Orientation.Vertical)
    qtbot.wait(100)
    assert window.training_dock.height() > 520  # not replaced by the automatic ~390
