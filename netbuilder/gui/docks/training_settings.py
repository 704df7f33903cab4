"""The training settings form, generated from ``train.config.FIELDS`` (DESIGN rule 4).

Each edit is validated with ``TrainConfig.from_dict`` and saved into ``diagram.training``
through ``SetTrainingCommand`` on the undo stack (repeated edits of one setting merge), so
settings are saved with the diagram, undoable, and identical to what the CLI would use.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFormLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.blocks.spec import Param, ParamError
from netbuilder.core.diagram import Diagram
from netbuilder.gui.i18n import setting_labels
from netbuilder.gui.widgets.param_editors import editor_for, row_label, show_value
from netbuilder.train.config import FIELDS, ConfigError, TrainConfig

_MERGE_ID = 0x7452  # "tR": QUndoCommand ids only need to be unique among mergeable commands
_INVALID_STYLE = "border: 1px solid #d33;"


class SetTrainingCommand(QUndoCommand):
    """Replace ``diagram.training``; consecutive edits of the same setting merge into one."""

    def __init__(self, diagram: Diagram, training: dict[str, Any], key: str = "") -> None:
        super().__init__(
            QCoreApplication.translate("Settings", "Change training setting {name}")
            .format(name=key)
            .strip()
        )
        self.diagram = diagram
        self.before = copy.deepcopy(diagram.training)
        self.after = copy.deepcopy(training)
        self.key = key

    def id(self) -> int:
        return _MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetTrainingCommand) or other.key != self.key or not self.key:
            return False
        self.after = copy.deepcopy(other.after)
        return True

    def redo(self) -> None:
        self.diagram.set_training(self.after)

    def undo(self) -> None:
        self.diagram.set_training(self.before)


def save_training(
    diagram: Diagram, training: dict[str, Any], undo_stack: QUndoStack | None, key: str = ""
) -> None:
    """Store settings undoably when a stack is given, else directly on the diagram."""
    if training == diagram.training:
        return
    if undo_stack is not None:
        undo_stack.push(SetTrainingCommand(diagram, training, key))
    else:
        diagram.set_training(training)


class SettingsForm(QWidget):
    """One editor per scalar setting; ``dataset`` is left to the dataset picker."""

    #: (setting name, error message or "") after each edit, for the dock's message area.
    edited = Signal(str, str)

    SKIP = ("dataset",)

    def __init__(
        self, diagram: Diagram, undo_stack: QUndoStack | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.diagram = diagram
        self.undo_stack = undo_stack
        self.editors: dict[str, QWidget] = {}
        self._loading = False
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for param in FIELDS:
            if param.name in self.SKIP:
                continue
            editor = self._make_editor(param)
            self.editors[param.name] = editor
            layout.addRow(row_label(param, setting_labels()), editor)
        self.load()

    def _make_editor(self, param: Param) -> QWidget:
        name = param.name
        return editor_for(
            param,
            lambda value, n=name: self._commit(n, value),
            refused=lambda message, n=name: self._reject(n, message),
            object_prefix="setting_",
        )

    # ------------------------------------------------------------------ model → form
    def load(self) -> None:
        """Show the diagram's settings (defaults for missing ones) without saving anything."""
        try:
            config = TrainConfig.from_dict(self.diagram.training)
        except ConfigError:
            config = TrainConfig()
            raw = {p.name: self.diagram.training.get(p.name) for p in FIELDS}
            for p in FIELDS:  # keep every valid value the user had
                with contextlib.suppress(ParamError):
                    setattr(config, p.name, p.validate(raw[p.name]))
        self._loading = True
        try:
            for name, editor in self.editors.items():
                value = getattr(config, name)
                editor.setStyleSheet("")
                show_value(editor, value)
        finally:
            self._loading = False

    def config(self) -> TrainConfig:
        """The diagram's settings as a validated config (raises ConfigError)."""
        return TrainConfig.from_dict(self.diagram.training)

    # ------------------------------------------------------------------ form → model
    def _commit(self, name: str, value: Any) -> None:
        if self._loading:
            return
        training = copy.deepcopy(self.diagram.training)
        training[name] = value
        try:
            TrainConfig.from_dict(training)
        except ConfigError as exc:
            self._reject(name, str(exc))
            return
        self.editors[name].setStyleSheet("")
        save_training(self.diagram, training, self.undo_stack, key=name)
        self.edited.emit(name, "")

    def _reject(self, name: str, message: str) -> None:
        self.editors[name].setStyleSheet(_INVALID_STYLE)
        self.edited.emit(name, message)


class SettingsColumn(QScrollArea):
    """The workspace's left column: the dataset picker over the settings form, a fixed
    width, scrolling vertically only (never sideways)."""

    def __init__(self, picker: QWidget, form: QWidget, width: int) -> None:
        super().__init__()
        self.setObjectName("training_settings_column")
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(picker)
        layout.addWidget(form)
        layout.addStretch(1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedWidth(width)
