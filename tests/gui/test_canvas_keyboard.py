"""Keyboard use of the canvas: Tab searches, Ctrl+Tab / Ctrl+Shift+Tab move the focus on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def focus_view(window) -> None:
    window.view.setFocus(Qt.FocusReason.OtherFocusReason)
    assert window.focusWidget() is window.view


def test_canvas_takes_focus_by_tab_and_click_and_has_a_name(window) -> None:
    view = window.view
    policy = view.focusPolicy()
    assert policy & Qt.FocusPolicy.TabFocus and policy & Qt.FocusPolicy.ClickFocus
    assert view.accessibleName() == "Network canvas"
    assert "Ctrl+Tab" in view.accessibleDescription()


def test_ctrl_tab_and_ctrl_shift_tab_leave_the_canvas(window) -> None:
    view = window.view
    focus_view(window)
    QTest.keyClick(view, Qt.Key.Key_Tab, CTRL)
    after = window.focusWidget()
    assert after is not None and after is not view
    assert view.popup is None  # no search opened
    focus_view(window)
    QTest.keyClick(view, Qt.Key.Key_Tab, CTRL | SHIFT)
    before = window.focusWidget()
    assert before is not None and before not in (view, after)
    assert view.popup is None
    # some platforms deliver Ctrl+Shift+Tab as Backtab
    focus_view(window)
    QTest.keyClick(view, Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert window.focusWidget() is before
    # and the way back in: plain Tab from the widget before the canvas lands on it
    before.setFocus(Qt.FocusReason.OtherFocusReason)
    QTest.keyClick(before, Qt.Key.Key_Tab)
    assert window.focusWidget() is view


def test_plain_tab_on_the_canvas_still_opens_the_search(window) -> None:
    view = window.view
    focus_view(window)
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert view.popup is not None and view.popup.isVisible()
    assert window.focusWidget() is view  # the popup is its own window; the canvas keeps focus
    view.popup.close()
