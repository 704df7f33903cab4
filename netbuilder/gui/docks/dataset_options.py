"""The dataset options form, generated from ``DATASET_OPTION_FIELDS`` (DESIGN rule 4).

One editor per declared option, as rows of the dataset picker's form (so the columns line
up); only the options that apply to the chosen kind of source (built-in, image folder,
table: ``OPTION_KINDS``) are shown. The form never writes the
model itself: ``edited`` hands (name, value) to the dataset picker, which saves it into
``diagram.training["dataset_options"]`` as one undoable command, like its other choices.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QWidget,
)

from netbuilder.core.blocks.spec import Param, ParamError
from netbuilder.gui.i18n import setting_labels
from netbuilder.gui.widgets.param_editors import editor_for, row_label, show_value
from netbuilder.train.config import DATASET_OPTION_FIELDS, options_for


def _special() -> dict[str, dict[int, str]]:
    """What some values of int options mean, shown instead of the number."""
    return {
        "size": {0: QCoreApplication.translate("DatasetOptions", "default")},
        "resize": {0: QCoreApplication.translate("DatasetOptions", "input size")},
        "workers": {
            -1: QCoreApplication.translate("DatasetOptions", "none"),
            0: QCoreApplication.translate("DatasetOptions", "auto"),
        },
    }


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
            self.editors[param.name] = editor
            self._form.addRow(row_label(param, setting_labels()), editor)

    def _make_editor(self, param: Param) -> QWidget:
        name = param.name
        return editor_for(
            param,
            lambda value, n=name: self._emit(n, value),
            names=_special().get(name),
            object_prefix="dataset_option_",
        )

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
                show_value(editor, value)
        finally:
            self._loading = False

    def visible_options(self) -> list[str]:
        """Names of the options shown now (in form order)."""
        return [p.name for p in options_for(self.kind) if p.name in self.editors]

    def _emit(self, name: str, value: Any) -> None:
        if not self._loading:
            self.edited.emit(name, value)
