"""Spin boxes for inferred sizes ("auto" = None) and for real numbers in scientific notation.

Checked on their own (text ↔ value, steps, refusals) and in the inspector, where every
edit must still be one merged undo step and nothing invalid may reach the model.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netbuilder.core.blocks import get_block
from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.gui.widgets.param_editors import (
    OptionalIntSpinBox,
    SciDoubleSpinBox,
    format_float,
    parse_float,
    step_float,
)
from tests.gui.ui import click_node

EPS = get_block("BatchNorm1d").param_map["eps"]  # 1e-12 … 1
IN_FEATURES = get_block("Linear").param_map["in_features"]  # optional, 1 …


def type_in(box, text: str) -> None:
    """Replace the box's text by typing, then press Enter (as a user would)."""
    box.lineEdit().selectAll()
    QTest.keyClick(box, Qt.Key.Key_Delete)
    if text:
        QTest.keyClicks(box, text)
    QTest.keyClick(box, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e-5, "1e-5"), (0.001, "0.001"), (2.5e-7, "2.5e-7"), (100000.0, "100000"), (0.0, "0")],
)
def test_floats_are_shown_short_and_read_back_exactly(value: float, text: str) -> None:
    assert format_float(value) == text
    assert parse_float(text) == value


def test_only_plain_numbers_are_read() -> None:
    assert parse_float("1E-3") == 0.001 and parse_float(".5") == 0.5
    assert parse_float("0,25") == 0.25  # a decimal comma is taken too
    for bad in ("nan", "inf", "1_000", "1e", "abc", ""):
        assert parse_float(bad) is None


def test_steps_follow_the_leading_digit() -> None:
    assert step_float(1e-5, True, 0.1, True) == 2e-5
    assert step_float(0.001, False, 0.1, False) == 0.0009
    assert step_float(0.3, True, 0.1, True) == 0.4  # decimal, not 0.30000000000000004
    assert step_float(9e-5, True, 0.1, True) == 1e-4
    assert step_float(0.0, True, 0.01, True) == 0.01
    assert step_float(0.01, False, 0.01, True) == 0.0  # 0 is reachable when allowed


def test_scientific_box_reads_writes_and_refuses(qtbot) -> None:
    box = SciDoubleSpinBox(EPS)
    qtbot.addWidget(box)
    box.setValue(1e-5)
    assert box.text() == "1e-5" and box.value() == 1e-5  # not rounded to 2 decimals
    refusals: list[str] = []
    box.refused.connect(refusals.append)
    type_in(box, "3e-7")
    assert box.value() == 3e-7 and box.text() == "3e-7" and not refusals
    QTest.keyClick(box, Qt.Key.Key_Up)
    assert box.value() == 4e-7
    QTest.keyClick(box, Qt.Key.Key_PageUp)  # ten steps, about a decade: 5e-7 … 9e-7, 1e-6 … 5e-6
    assert box.value() == 5e-6 and box.text() == "5e-6"
    type_in(box, "2")  # above the maximum of 1: kept out, and said why
    assert box.value() == 5e-6
    assert refusals and "at most 1" in refusals[-1]
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "abc")  # letters cannot even be typed
    assert box.lineEdit().text() in ("", "5e-6") and box.value() == 5e-6


def test_optional_int_box_round_trips_none(qtbot) -> None:
    box = OptionalIntSpinBox(IN_FEATURES)
    qtbot.addWidget(box)
    assert box.value_or_none() is None and box.text() == "auto"
    box.set_inferred(128)
    assert box.text() == "auto (128)"
    QTest.keyClick(box, Qt.Key.Key_Up)  # from "auto" to the size it stands for
    assert box.value_or_none() == 128
    type_in(box, "")  # an emptied box means "infer it"
    assert box.value_or_none() is None
    type_in(box, "64")
    assert box.value_or_none() == 64
    type_in(box, "auto")
    assert box.value_or_none() is None
    box.set_value_or_none(7)
    assert box.value() == 7 and box.text() == "7"


def linear_net(window) -> None:
    d = Diagram()
    chain(
        d,
        ("TabularInput", {"features": 16}, "x"),
        ("Linear", {"out_features": 8}, "fc"),
        ("Dropout", {"p": 0.5}, "drop"),
        ("Output", {}, "out"),
    )
    for i, nid in enumerate(d.nodes):
        d.nodes[nid].position = (i * 240.0, 0.0)
    window.session.replace(d, None)
    window.view.resetTransform()
    window.view.centerOn(360, 40)


def test_inspector_inferred_size_is_auto_and_round_trips_through_undo(window) -> None:
    linear_net(window)
    click_node(window, "fc")
    insp, stack = window.inspector, window.session.undo_stack
    params = window.session.diagram.nodes["fc"].params
    box = insp.fields["in_features"]
    assert isinstance(box, OptionalIntSpinBox) and box.text() == "auto (16)"
    steps = stack.count()
    type_in(box, "16")
    assert params["in_features"] == 16 and stack.count() == steps + 1
    stack.undo()
    assert params["in_features"] is None and box.text() == "auto (16)"
    stack.redo()
    assert params["in_features"] == 16 and box.value_or_none() == 16
    type_in(box, "")
    assert params["in_features"] is None
    assert not window.session.analysis.errors


def test_inspector_float_edits_merge_and_refuse_bad_text(window, qtbot) -> None:
    linear_net(window)
    click_node(window, "drop")
    insp, stack = window.inspector, window.session.undo_stack
    params = window.session.diagram.nodes["drop"].params
    box = insp.fields["p"]
    assert isinstance(box, SciDoubleSpinBox) and box.text() == "0.5"
    steps = stack.count()
    type_in(box, "5e-2")
    assert params["p"] == 0.05
    for _ in range(3):  # one burst of arrow steps …
        QTest.keyClick(box, Qt.Key.Key_Up)
    assert params["p"] == 0.08
    assert stack.count() == steps + 1  # … is one undo step with the typed value
    type_in(box, "1.5")  # out of range: refused with the reason, nothing written
    assert params["p"] == 0.08 and "at most 0.99" in insp.error.text()
    assert stack.count() == steps + 1
    stack.undo()
    assert params["p"] == 0.5 and box.text() == "0.5"
    # half-typed text in a focused box, then another block is selected: the form is
    # rebuilt under it, and the unfinished number is dropped, not written
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow() and box.isVisible())  # shown queued
    box.setFocus(Qt.FocusReason.OtherFocusReason)
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "1e-")
    assert box.hasFocus() and box.lineEdit().text() == "1e-"
    click_node(window, "fc")
    assert insp.node_id == "fc" and params["p"] == 0.5
    assert (stack.index(), stack.count()) == (steps, steps + 1)  # nothing new, redo kept
