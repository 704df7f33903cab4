"""Spin boxes for parameter values a plain ``QSpinBox`` / ``QDoubleSpinBox`` cannot edit.

* ``OptionalIntSpinBox``: a whole number that may be ``None``, meaning "inferred from the
  wire" (``Linear.in_features``). Its lowest position shows "auto" (with the inferred value
  when known); clearing the text or typing "auto" also means ``None``.
* ``SciDoubleSpinBox``: a real number that may span decades (``eps`` 1e-5, dropout 0.5, a
  learning rate 3e-4). It reads and shows scientific notation, keeps every digit (Qt's
  spin box would round 1e-5 to its ``decimals``), and steps by one unit of the leading digit
  (1e-5 → 2e-5, 0.1 → 0.2, 0.001 → 0.0009 going down), so Page Up moves about a decade.

Both take their range from the ``Param`` and never hand out a value outside it: text that
is not (yet) a number in range is refused or reverted on Enter, as in any Qt spin box, and
``refused`` then says why in the parameter's own words (``Param.validate``), since a box
that silently snaps back teaches nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from netbuilder.core.blocks.spec import Param, ParamError
from netbuilder.gui.i18n import core_text
from netbuilder.gui.widgets.scroll_safe import ComboBox, SpinBox, WheelNeedsFocus

INT_LIMIT = 2**31 - 1
AUTO = "auto"
MAX_STEPS = 100  # a stepBy(n) larger than this (a fast wheel) is cut to it

#: what may stand in the box while a number is being typed: "-", "1.", "1e", "1e-", ".5"
_NUMBER_SO_FAR = re.compile(r"[+-]?(\d+\.?\d*|\.\d*)?([eE][+-]?\d*)?")

State = QValidator.State


def int_range(param: Param) -> tuple[int, int]:
    """The parameter's range as a QSpinBox can hold it (32-bit)."""
    lo = param.min if param.min is not None else -INT_LIMIT
    hi = param.max if param.max is not None else INT_LIMIT
    return int(max(math.ceil(lo), -INT_LIMIT)), int(min(math.floor(hi), INT_LIMIT))


def refusal(param: Param | None, text: str, value: Any) -> str:
    """Why ``text`` (read as ``value``, None if unreadable) is not taken, in a learner's words."""
    name = param.name if param is not None else "value"
    if value is None:
        return QCoreApplication.translate(
            "ParamEditors", "'{name}' must be a number, not {text}"
        ).format(name=name, text=repr(text.strip()))
    if param is not None:
        try:
            param.validate(value)
        except ParamError as exc:
            return str(exc)
    return QCoreApplication.translate("ParamEditors", "'{name}' cannot be {text}").format(
        name=name, text=repr(text.strip())
    )


class _Refusing:
    """Mixin: emit ``refused(message)`` when Enter or leaving the box drops unfinished text."""

    def _check_text(self: Any) -> None:
        text = self.lineEdit().text()
        state = self.validate(text, len(text))
        if (state[0] if isinstance(state, tuple) else state) != State.Acceptable:
            self.refused.emit(refusal(self.param, text, self._read(text)))

    def keyPressEvent(self: Any, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._check_text()
        super().keyPressEvent(event)  # type: ignore[misc]

    def focusOutEvent(self: Any, event: QFocusEvent) -> None:
        self._check_text()
        super().focusOutEvent(event)  # type: ignore[misc]


class OptionalIntSpinBox(_Refusing, WheelNeedsFocus, QSpinBox):
    """A whole number or ``None`` ("auto"): the position below the parameter's minimum."""

    refused = Signal(str)

    def __init__(self, param: Param, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        lo, hi = int_range(param)
        lo = max(lo, -INT_LIMIT + 1)
        self.setRange(lo - 1, hi)
        #: what the "auto" position reads in the interface's language ("auto" is read too)
        self.auto_text = QCoreApplication.translate("ParamEditors", "auto")
        self.setSpecialValueText(self.auto_text)
        self.setKeyboardTracking(False)  # commit on Enter / focus-out / arrows, not each key
        self.inferred: int | None = None

    # ------------------------------------------------------------------ value
    def value_or_none(self) -> int | None:
        value = self.value()
        return None if value == self.minimum() else value

    def set_value_or_none(self, value: int | None) -> None:
        target = self.minimum() if value is None else value
        if target != self.value():
            self.setValue(target)

    def set_inferred(self, value: int | None) -> None:
        """Show the value that "auto" stands for now, e.g. ``auto (128)``."""
        self.inferred = value
        auto = self.auto_text
        text = auto if value is None else f"{auto} ({value})"
        if text != self.specialValueText():
            self.setSpecialValueText(text)

    # ------------------------------------------------------------------ text
    def _means_auto(self, text: str) -> bool:
        t = text.strip().lower()
        return t in ("", AUTO, self.auto_text.lower(), self.specialValueText().lower())

    def validate(self, text: str, pos: int) -> object:
        t = text.strip().lower()
        if self._means_auto(text):
            return (State.Acceptable, text, pos)
        typing_auto = AUTO.startswith(t) or self.auto_text.lower().startswith(t)
        if typing_auto or self.specialValueText().lower().startswith(t):
            return (State.Intermediate, text, pos)
        try:
            number = int(t)
        except ValueError:
            number = None
        if number == self.minimum():  # the "auto" position typed as a number: not a value
            return (State.Intermediate, text, pos)
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> int:
        if self._means_auto(text):
            return self.minimum()
        try:
            return int(text.strip())
        except ValueError:
            return self.value()

    def _read(self, text: str) -> int | None:
        try:
            return int(text.strip())
        except ValueError:
            return None

    def stepBy(self, steps: int) -> None:
        """Up from "auto" starts at the inferred value, the size the block has now."""
        if self.value() == self.minimum() and steps > 0 and self.inferred is not None:
            self.setValue(max(self.minimum() + 1, min(self.maximum(), self.inferred + steps - 1)))
            return
        super().stepBy(steps)


def format_float(value: float) -> str:
    """Shortest text that reads back as exactly ``value``: 1e-5, 0.001, 2.5e-7, 100000."""
    text = repr(float(value))
    if text in ("0.0", "-0.0"):
        return "0"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if mantissa.endswith(".0"):
            mantissa = mantissa[:-2]
        return f"{mantissa}e{int(exponent)}"
    return text[:-2] if text.endswith(".0") else text


def parse_float(text: str) -> float | None:
    """The number in ``text`` (``1e-5``, ``.5``, ``0,25``), or None if it is not one."""
    t = text.strip().replace(",", ".")
    if not t or not _NUMBER_SO_FAR.fullmatch(t):
        return None  # also keeps out what float() would take: "nan", "inf", "1_000"
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def step_float(value: float, up: bool, zero_step: float, can_be_zero: bool) -> float:
    """One step from ``value``: one unit of its leading digit (decimal, so no 0.30000000004).

    From 0 the first step is ``zero_step``; a value at or below ``zero_step`` stepping
    towards 0 lands on 0 when 0 is allowed, so 0 is reachable from the keyboard.
    """
    if value == 0:
        return zero_step if up else -zero_step
    sign = 1 if value > 0 else -1
    size = Decimal(format_float(abs(value)))
    grow = up == (sign > 0)
    if not grow and can_be_zero and size <= Decimal(format_float(zero_step)):
        return 0.0
    unit = Decimal(1).scaleb(size.adjusted())
    if not grow and size == unit:  # below a power of ten the steps get finer: 0.001 → 0.0009
        unit = unit.scaleb(-1)
    return sign * float(size + unit if grow else size - unit)


class SciDoubleSpinBox(_Refusing, WheelNeedsFocus, QDoubleSpinBox):
    """A real number in the parameter's range, typed and shown as ``1e-5`` or ``0.001``."""

    refused = Signal(str)

    def __init__(self, param: Param | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.param = param
        self.setDecimals(323)  # Qt rounds values to this many places: keep every digit
        lo = param.min if param is not None and param.min is not None else -1e300
        hi = param.max if param is not None and param.max is not None else 1e300
        self.setRange(float(lo), float(hi))
        self.setKeyboardTracking(False)
        top = hi if hi > 0 else 1.0
        self.zero_step = min(10.0 ** (math.floor(math.log10(top)) - 1), 1.0)

    def validate(self, text: str, pos: int) -> object:
        t = text.strip().replace(",", ".")
        if not _NUMBER_SO_FAR.fullmatch(t):
            return (State.Invalid, text, pos)
        value = parse_float(t)
        if value is None or not self.minimum() <= value <= self.maximum():
            return (State.Intermediate, text, pos)  # maybe on the way to a number in range
        return (State.Acceptable, text, pos)

    def valueFromText(self, text: str) -> float:
        value = parse_float(text)
        return self.value() if value is None else value

    def _read(self, text: str) -> float | None:
        return parse_float(text)

    def textFromValue(self, value: float) -> str:
        return format_float(value)

    def fixup(self, text: str) -> str:
        return text  # no group separators to strip: an unfinished number reverts on Enter

    def stepBy(self, steps: int) -> None:
        value = self.value()
        can_be_zero = self.minimum() <= 0 <= self.maximum()
        for _ in range(min(abs(steps), MAX_STEPS)):
            value = step_float(value, steps > 0, self.zero_step, can_be_zero)
            value = max(self.minimum(), min(self.maximum(), value))
        self.setValue(value)


class NamedSpinBox(WheelNeedsFocus, QSpinBox):
    """A whole number that shows words for some values ("auto" for 0) and accepts them typed."""

    def __init__(self, names: dict[int, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = names

    def textFromValue(self, value: int) -> str:
        return self.names.get(value, super().textFromValue(value))

    def valueFromText(self, text: str) -> int:
        for value, name in self.names.items():
            if text.strip().lower() == name:
                return value
        return super().valueFromText(text)

    def validate(self, text: str, pos: int) -> object:
        if any(name.startswith(text.strip().lower()) for name in self.names.values()):
            full = text.strip().lower() in self.names.values()
            return (State.Acceptable if full else State.Intermediate, text, pos)
        return super().validate(text, pos)


def row_label(param: Param, labels: dict[str, str]) -> str:
    """A form row's label: the form's own wording, else the name spelled out."""
    return labels.get(param.name, param.name.replace("_", " ").capitalize())


def editor_for(
    param: Param,
    commit: Callable[[Any], None],
    *,
    names: dict[int, str] | None = None,
    refused: Callable[[str], None] | None = None,
    object_prefix: str = "",
) -> QWidget:
    """The editor of one scalar setting, with the declaration's doc as its tooltip."""
    editor = _bare_editor(param, commit, names, refused)
    editor.setToolTip(core_text(param.doc))
    editor.setObjectName(f"{object_prefix}{param.name}")
    return editor


def _bare_editor(
    param: Param,
    commit: Callable[[Any], None],
    names: dict[int, str] | None,
    refused: Callable[[str], None] | None,
) -> QWidget:
    """The editor of one scalar setting, from its declaration (DESIGN rule 4).

    Used by every settings form (training settings, dataset options) so a kind of value is
    edited the same way everywhere: choices in a combo box, flags in a check box, whole
    numbers in a spin box (``names`` shows words for special values), real numbers in the
    scientific spin box, anything else in a line edit. ``commit`` gets each new value;
    ``refused`` the reason when typed text is not taken.
    """
    if param.kind == "choice":
        box = ComboBox()
        box.addItems([str(c) for c in param.choices])
        box.currentTextChanged.connect(commit)
        return box
    if param.kind == "bool":
        check = QCheckBox()
        check.toggled.connect(lambda on: commit(bool(on)))
        return check
    if param.kind == "int":
        spin = NamedSpinBox(names) if names else SpinBox()
        spin.setRange(*int_range(param))
        spin.setKeyboardTracking(False)  # commit on Enter/focus-out/arrows, not every key
        spin.valueChanged.connect(lambda v: commit(int(v)))
        return spin
    if param.kind == "float":
        real = SciDoubleSpinBox(param)
        real.valueChanged.connect(lambda v: commit(float(v)))
        if refused is not None:
            real.refused.connect(refused)
        return real
    line = QLineEdit()
    line.editingFinished.connect(lambda: commit(line.text()))
    return line


def show_value(editor: QWidget, value: Any) -> None:
    """Put ``value`` into an editor made by ``editor_for`` (signals are the caller's care)."""
    if isinstance(editor, QComboBox):
        editor.setCurrentText(str(value))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox):
        editor.setValue(int(value))
    elif isinstance(editor, QDoubleSpinBox):
        editor.setValue(float(value))
    elif isinstance(editor, QLineEdit):
        editor.setText(str(value))
