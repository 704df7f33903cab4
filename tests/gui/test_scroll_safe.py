"""The wheel scrolls a form instead of changing the value under the pointer, until the box
has the focus (the inspector and training settings are long forms in scroll areas)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from netbuilder.core.blocks.spec import Param
from netbuilder.gui.widgets.param_editors import SciDoubleSpinBox
from netbuilder.gui.widgets.scroll_safe import ComboBox, SpinBox


def wheel_up(widget: QWidget) -> bool:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_wheel_changes_a_value_only_with_focus(qtbot) -> None:
    page = QWidget()
    layout = QVBoxLayout(page)
    spin, combo = SpinBox(), ComboBox()
    spin.setRange(0, 100)
    combo.addItems(["adam", "sgd", "adamw"])
    real = SciDoubleSpinBox(Param("lr", "float", 1e-3, "", 1e-7, 10.0))
    real.setValue(1e-3)
    for w in (spin, combo, real):
        layout.addWidget(w)
    layout.addSpacing(2000)  # a long form: the area has something to scroll
    area = QScrollArea()
    area.setWidget(page)
    area.resize(300, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    for w in (spin, combo, real):
        assert w.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives no focus
        assert not wheel_up(w)  # ignored: it travels on to the scroll area
    assert (spin.value(), combo.currentText(), real.value()) == (0, "adam", 1e-3)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    wheel_up(spin)
    assert spin.value() == 1
    real.setFocus()
    qtbot.waitUntil(real.hasFocus)
    wheel_up(real)
    assert real.value() == 2e-3
