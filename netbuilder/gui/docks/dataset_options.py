"""The dataset options form, generated from ``DATASET_OPTION_FIELDS`` (DESIGN rule 4).

One editor per declared option, as rows of the dataset picker's form (so the columns line
up); only the options that apply to the chosen kind of source (built-in, image folder,
table: ``OPTION_KINDS``) are shown. The form never writes the
model itself: ``edited`` hands (name, value) to the dataset picker, which saves it into
``diagram.training["dataset_options"]`` as one undoable command, like its other choices.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from netbuilder.core.blocks.spec import Param, ParamError
from netbuilder.gui.widgets.scroll_safe import ComboBox, WheelNeedsFocus
from netbuilder.train.config import DATASET_OPTION_FIELDS, options_for

#: Row labels that the option name alone would spell badly.
_LABELS = {
    "val_split": "Validation split",
    "data_seed": "Data seed",
    "resize": "Resize shorter side",
    "grayscale": "Greyscale",
    "normalize": "Normalise",
    "cache_limit_mb": "Cache limit (MB)",
    "workers": "Decoding workers",
    "missing": "Missing cells",
}
#: What some values of int options mean, shown instead of the number.
_SPECIAL = {
    "size": {0: "default"},
    "resize": {0: "input size"},
    "workers": {-1: "none", 0: "auto"},
}
_INT_MAX = 2**31 - 1


class _NamedSpinBox(WheelNeedsFocus, QSpinBox):
    """A spin box that shows words for some values ("auto" for 0) and accepts them typed.

    Like every box in these scrolled forms, the wheel changes it only once it has the focus.
    """

    def __init__(self, names: dict[int, str]) -> None:
        super().__init__()
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
            state = QValidator.State
            full = text.strip().lower() in self.names.values()
            return (state.Acceptable if full else state.Intermediate, text, pos)
        return super().validate(text, pos)


class _DoubleSpinBox(WheelNeedsFocus, QDoubleSpinBox):
    """A ``QDoubleSpinBox`` whose value the wheel changes only while it has the focus."""


class DatasetOptionsForm(QObject):
    """Editors for the dataset options of one kind of source, as rows of ``form``."""

    #: (option name, new value) after the user changed an editor.
    edited = Signal(str, object)

    #: Options the picker edits with widgets of its own (the table's column choosers).
    SKIP = ("target",)

    def __init__(self, form: QFormLayout, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QWidget] = {}
        self.kind = ""
        self._loading = False
        self._form = form
        for param in DATASET_OPTION_FIELDS:
            if param.name in self.SKIP:
                continue
            editor = self._make_editor(param)
            editor.setToolTip(param.doc)
            editor.setObjectName(f"dataset_option_{param.name}")
            self.editors[param.name] = editor
            label = _LABELS.get(param.name, param.name.replace("_", " ").capitalize())
            self._form.addRow(label, editor)

    def _make_editor(self, param: Param) -> QWidget:
        name = param.name
        if param.kind == "choice":
            box = ComboBox()
            box.addItems([str(c) for c in param.choices])
            box.currentTextChanged.connect(lambda text, n=name: self._emit(n, text))
            return box
        if param.kind == "bool":
            check = QCheckBox()
            check.toggled.connect(lambda on, n=name: self._emit(n, bool(on)))
            return check
        if param.kind == "int":
            spin = _NamedSpinBox(_SPECIAL.get(name, {}))
            spin.setRange(int(param.min or 0), int(min(param.max or _INT_MAX, _INT_MAX)))
            spin.setKeyboardTracking(False)  # commit on Enter/focus-out, not every key
            spin.valueChanged.connect(lambda v, n=name: self._emit(n, int(v)))
            return spin
        if param.kind == "float" and param.min is not None and param.max is not None:
            dspin = _DoubleSpinBox()
            dspin.setRange(param.min, param.max)
            dspin.setDecimals(2 if param.max <= 1 else 3)
            dspin.setSingleStep(0.05 if param.max <= 1 else 1.0)
            dspin.setKeyboardTracking(False)
            dspin.valueChanged.connect(lambda v, n=name: self._emit(n, float(v)))
            return dspin
        line = QLineEdit()
        line.editingFinished.connect(lambda n=name, w=line: self._emit(n, w.text()))
        return line

    # ------------------------------------------------------------------ model → form
    def load(self, kind: str, options: dict[str, Any]) -> None:
        """Show the options of a ``kind`` of source, with ``options``' values or defaults."""
        self.kind = kind
        shown = {p.name for p in options_for(kind)}
        self._loading = True
        try:
            for param in DATASET_OPTION_FIELDS:
                editor = self.editors.get(param.name)
                if editor is None:
                    continue
                self._form.setRowVisible(editor, param.name in shown)
                try:
                    value = param.validate(options.get(param.name, param.default))
                except ParamError:  # a hand-edited file: show the default, keep the file
                    value = param.default
                _show(editor, value)
        finally:
            self._loading = False

    def visible_options(self) -> list[str]:
        """Names of the options shown now (in form order)."""
        return [p.name for p in options_for(self.kind) if p.name in self.editors]

    def _emit(self, name: str, value: Any) -> None:
        if not self._loading:
            self.edited.emit(name, value)


def _show(editor: QWidget, value: Any) -> None:
    if isinstance(editor, QComboBox):
        editor.setCurrentText(str(value))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.setValue(value)
    elif isinstance(editor, QLineEdit):
        editor.setText(str(value))
