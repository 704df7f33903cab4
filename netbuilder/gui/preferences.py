"""Edit › Preferences: the interface language (more settings can join the same form).

The choice is stored in QSettings (``gui.i18n.LANGUAGE_KEY``) and used from the next start:
every widget is built in the language of its window. ``--lang`` / ``$NETBUILDER_LANG``
override it for one start, and the dialog says so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui import i18n


class PreferencesDialog(QDialog):
    """Language: follow the system, or one of ``i18n.LANGUAGES``; OK stores the choice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self.setWindowTitle(self.tr("Preferences"))
        self.language = QComboBox(self)
        self.language.setObjectName("preferences_language")
        system = i18n.LANGUAGES.get(i18n.system_language(), i18n.system_language())
        self.language.addItem(self.tr("System default ({language})").format(language=system), "")
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.preferred_language())))
        self.note = QLabel(self)
        self.note.setObjectName("preferences_note")
        self.note.setWordWrap(True)
        self.language.currentIndexChanged.connect(lambda _i: self._update_note())
        form = QFormLayout()
        form.addRow(self.tr("Interface language:"), self.language)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self._update_note()

    def chosen(self) -> str:
        """The language picked: "" (follow the system) or a code."""
        return str(self.language.currentData() or "")

    def _update_note(self) -> None:
        lines = []
        effective = self.chosen() or i18n.system_language()
        if effective != i18n.current_language():
            lines.append(self.tr("The new language is used when NetBuilder starts again."))
        forced = i18n.forced_language()
        if forced is not None:
            lines.append(
                self.tr(
                    "This start uses {language} because of --lang or {variable}, which "
                    "take precedence over this choice."
                ).format(language=i18n.LANGUAGES.get(forced, forced), variable=i18n.ENV_VAR)
            )
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))

    def accept(self) -> None:
        i18n.set_preferred_language(self.chosen())
        super().accept()


def preferences_shortcuts() -> list[QKeySequence]:
    """The platform's Preferences keys, or Ctrl+, where it has none (plain X11, Windows)."""
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    return standard or [QKeySequence("Ctrl+,")]


def install_preferences_action(window: Any, menu: Any) -> QAction:
    """Add Preferences… (the platform's Preferences shortcut) to ``menu``."""
    action = QAction(QCoreApplication.translate("PreferencesDialog", "&Preferences…"), window)
    action.setObjectName("act_preferences")
    action.setShortcuts(preferences_shortcuts())
    action.setMenuRole(QAction.MenuRole.PreferencesRole)
    action.setStatusTip(
        QCoreApplication.translate("PreferencesDialog", "Choose the interface language")
    )

    def open_dialog() -> None:
        dialog = PreferencesDialog(window)
        dialog.exec()
        dialog.deleteLater()

    action.triggered.connect(lambda _checked=False: open_dialog())
    menu.addAction(action)
    return action
