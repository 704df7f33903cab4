"""The GUI's Qt catalogues: complete, current with the source, compiled, and installed the
way the app chooses its language (``--lang`` > Preferences > system locale).

Regenerate them with ``python packaging/update_translations.py`` after changing GUI strings;
these tests name what is missing.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from netbuilder.gui import i18n

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))
import gui_translations  # noqa: E402

PLACEHOLDER = re.compile(r"\{\w*\}|%n|%\d")


def messages(ts: Path) -> list[tuple[str, ET.Element]]:
    """(context name, <message>) for every message of a .ts file the GUI uses now (not the
    "vanished" ones lupdate keeps as translation memory)."""
    root = ET.parse(ts).getroot()
    return [
        (c.findtext("name") or "", m)
        for c in root.iter("context")
        for m in c.iter("message")
        if (m.find("translation") is None or m.find("translation").get("type") != "vanished")
    ]


def forms(message: ET.Element) -> list[str]:
    """The translation's text, or its plural forms."""
    translation = message.find("translation")
    assert translation is not None
    numerus = translation.findall("numerusform")
    return [f.text or "" for f in numerus] if numerus else [translation.text or ""]


@pytest.mark.parametrize("language", gui_translations.LANGUAGES)
@pytest.mark.parametrize("domain", ["netbuilder", "pyqtgraph"])
def test_every_message_is_translated(language: str, domain: str) -> None:
    check_translated(language, domain)


def check_translated(language: str, domain: str) -> None:
    """No unfinished, empty or placeholder-changing translation in the .ts sources."""
    problems = []
    found = messages(gui_translations.ts_path(language, domain))
    assert len(found) > (300 if domain == "netbuilder" else 50)  # the whole GUI, not a stub
    for context, message in found:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        where = f"{context}: {source!r}"
        if translation is None or translation.get("type") == "unfinished":
            problems.append(f"{where} is not translated")
            continue
        for text in forms(message):
            if not text.strip():
                problems.append(f"{where} has an empty translation")
            elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                problems.append(f"{where}: placeholders differ in {text!r}")
            elif ("&" in source.replace("&amp;", "")) != ("&" in text):
                problems.append(f"{where}: keyboard accelerator (&) lost or added in {text!r}")
    assert problems == [], "\n".join(problems)


def test_the_check_catches_an_unfinished_message(tmp_path: Path, monkeypatch) -> None:
    """The completeness check fails on an unfinished message (so it can fail at all)."""
    ts = tmp_path / "netbuilder_zh_CN.ts"
    text = gui_translations.ts_path("zh_CN").read_text(encoding="utf-8")
    text = text.replace(
        "<translation>文件(&amp;F)</translation>", '<translation type="unfinished"/>'
    )
    ts.write_text(text, encoding="utf-8")
    monkeypatch.setattr(gui_translations, "ts_path", lambda _language, _domain="": ts)
    with pytest.raises(AssertionError, match="'&File' is not translated"):
        check_translated("zh_CN", "netbuilder")


def test_the_ts_files_hold_every_marked_string(tmp_path: Path) -> None:
    """lupdate over netbuilder/gui adds nothing to the committed .ts: it is current."""
    for language in (*gui_translations.LANGUAGES, "en"):
        committed = gui_translations.ts_path(language)
        copy = tmp_path / committed.name
        shutil.copy(committed, copy)
        options = ["-pluralonly", "-source-language", "en"] if language == "en" else []
        command = [gui_translations.qt_tool("lupdate"), *options]
        command += [*gui_translations.sources(), "-ts", str(copy)]
        subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
        before = {(c, m.findtext("source")) for c, m in messages(committed)}
        after = {(c, m.findtext("source")) for c, m in messages(copy)}
        assert after - before == set(), (
            f"{committed.name} lacks strings marked in netbuilder/gui: run "
            f"python packaging/update_translations.py ({sorted(after - before)[:5]})"
        )
        assert before - after == set(), f"{committed.name} holds strings no longer in the GUI"


@pytest.mark.parametrize(
    ("language", "domain"),
    [
        *((language, "netbuilder") for language in (*gui_translations.LANGUAGES, "en")),
        *((language, "pyqtgraph") for language in gui_translations.LANGUAGES),
    ],
)
def test_the_qm_files_are_compiled_from_the_ts(language: str, domain: str) -> None:
    """The shipped .qm answers every message of its .ts with the .ts translation."""
    translator = QTranslator()
    assert translator.load(str(i18n.qm_path(language, domain)))
    stale = []
    for context, message in messages(gui_translations.ts_path(language, domain)):
        source = message.findtext("source") or ""
        comment = message.findtext("comment")
        expected = forms(message)
        if message.get("numerus") == "yes":
            counts = (1, 2) if len(expected) == 2 else (1,)
            got = [translator.translate(context, source, comment, n) for n in counts]
        else:
            got = [translator.translate(context, source, comment)]
        if got != expected:
            stale.append(f"{context}: {source!r}: .qm has {got}, .ts {expected}")
    assert stale == [], "run python packaging/update_translations.py:\n" + "\n".join(stale)


def test_english_plurals() -> None:
    assert gui_translations.english_forms("Delete %n block(s)") == (
        "Delete %n block",
        "Delete %n blocks",
    )
    assert gui_translations.english_forms(" on %n process(es)") == (
        " on %n process",
        " on %n processes",
    )


# ---------------------------------------------------------------------- choosing
@pytest.fixture
def restore_language(qapp):
    yield
    i18n.remove_translators()


def test_install_language_translates_the_gui_qt_and_the_core(restore_language, monkeypatch) -> None:
    from netbuilder.core.i18n import _, current_language

    monkeypatch.setattr(i18n, "has_cjk_font", lambda: True)
    assert i18n.install_language("zh_CN") == "zh_CN"
    assert i18n.current_language() == "zh_CN" and current_language() == "zh_CN"
    assert QCoreApplication.translate("MainWindow", "&File") == "文件(&F)"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own
    assert QCoreApplication.translate("ViewBox", "View All") == "显示全部"  # pyqtgraph's
    assert _("Convolution") != "Convolution"  # the core's catalogue follows
    assert i18n.install_language("en") == "en"
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"
    assert QCoreApplication.translate("MainWindow", "%n problem(s)", "", 2) == "2 problems"
    assert current_language() == "en"


def test_without_a_chinese_font_the_gui_stays_english(
    restore_language, monkeypatch, caplog
) -> None:
    monkeypatch.setattr(i18n, "has_cjk_font", lambda: False)
    with caplog.at_level(logging.WARNING, logger=i18n.__name__):
        assert i18n.install_language("zh_CN") == "en"
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"
    assert i18n.CJK_FONT_PACKAGE in caplog.text


def test_the_language_comes_from_lang_then_preferences_then_the_system(
    monkeypatch, isolated_settings
) -> None:
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.preferred_language() == ""
    assert i18n.chosen_language() == "zh_CN"  # the system locale
    i18n.set_preferred_language("en")
    assert i18n.chosen_language() == "en"  # Preferences beat the locale
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")  # what `netbuilder --lang zh_CN` sets
    assert i18n.chosen_language() == "zh_CN"
    i18n.set_preferred_language("")
    monkeypatch.delenv(i18n.ENV_VAR)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.chosen_language() == "en"  # no German catalogue: the source language


def test_preferences_dialog_stores_the_choice(qtbot, isolated_settings, monkeypatch) -> None:
    from netbuilder.gui.preferences import PreferencesDialog

    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    assert dialog.chosen() == ""  # follows the system until chosen
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    assert "starts again" in dialog.note.text() or i18n.current_language() == "zh_CN"
    dialog.accept()
    assert i18n.preferred_language() == "zh_CN"
    again = PreferencesDialog()
    qtbot.addWidget(again)
    assert again.chosen() == "zh_CN"
    monkeypatch.setenv(i18n.ENV_VAR, "en")
    again.language.setCurrentIndex(again.language.findData("en"))
    assert "--lang" in again.note.text()


def test_preferences_is_an_action_with_the_standard_shortcut(window) -> None:
    from PySide6.QtGui import QKeySequence

    action = window.act_preferences
    standard = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
    assert action.shortcuts() == (standard or [QKeySequence("Ctrl+,")])
    assert action.shortcuts()  # never without a key
    assert action in window.menuBar().actions()[1].menu().actions()  # Edit
