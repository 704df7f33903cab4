"""The core's message catalogue: what the checker, the block library and the CLI say, in the
user's language.

The core stays Qt-free (DESIGN), so it cannot use Qt's translator; it uses the standard
library's ``gettext`` with one domain, ``netbuilder_core``, whose catalogues live beside the
GUI's ``.qm`` files in ``resources/translations/`` (edited as ``.po``, shipped compiled as
``.mo``; ``python packaging/update_translations.py`` regenerates both). The GUI and the CLI
share it: the GUI shows ``_(spec.doc)`` in the palette and a Diagnostic's ``message``/``hint``
as the checker produced them; the CLI prints the same words.

Marking a string:

- ``_("text")`` translates now, in the current language. Messages with values are templates
  with named placeholders, formatted after translation so a translator can move them:
  ``_("'{name}' must be a number, not {value}").format(name=..., value=...)``.
- ``N_("text")`` only marks a string for extraction (module constants, tables); translate it
  where it is shown with ``_(constant)``.
- Block descriptions, parameter docs and category names need no marking: the extractor reads
  them from the block library itself, and whoever shows one calls ``_(spec.doc)``.

Which language: ``set_language(code)`` (the CLI's ``--lang``, the GUI's Preferences), else
``$NETBUILDER_LANG``, else the system locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG``, as gettext reads them). Any Chinese locale gets Simplified Chinese; anything without
a catalogue gets English, the language the messages are written in. Messages are translated
when they are made, so set the language before checking or building a parser.
"""

from __future__ import annotations

import contextlib
import gettext
import locale
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "netbuilder_core"
ENV_VAR = "NETBUILDER_LANG"
SOURCE_LANGUAGE = "en"
#: Languages the interface offers, with their names in their own language (for menus).
LANGUAGES: Mapping[str, str] = {"en": "English", "zh_CN": "简体中文"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def translations_dir() -> Path:
    """``resources/translations`` of this install (wheel, editable checkout or frozen app)."""
    from netbuilder.resources import RESOURCES_DIR

    return RESOURCES_DIR / "translations"


def catalogue_path(language: str, suffix: str = ".mo") -> Path:
    """``…/translations/netbuilder_core_zh_CN.mo`` (or ``.po`` with ``suffix=".po"``)."""
    return translations_dir() / f"{DOMAIN}_{language}{suffix}"


def _(message: str) -> str:
    """``message`` in the current language (itself when English or untranslated)."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet (see module doc)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for ``n``: ``ngettext("{n} error", "{n} errors", n)``."""
    return _translation.ngettext(singular, plural, n)


def normalize_language(code: str | None) -> str | None:
    """The offered language a locale name means, or None when it means none of them.

    ``zh_CN.UTF-8``, ``zh``, ``zh-Hans``, ``zh_TW`` → ``zh_CN`` (the only Chinese catalogue;
    Simplified reads better to a Traditional reader than English does); ``en_US``, ``C``,
    ``POSIX`` → ``en``.
    """
    if not code:
        return None
    base = code.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not base:
        return None
    if base in ("C", "POSIX") or base.lower().startswith("en"):
        return SOURCE_LANGUAGE
    if base.lower().startswith("zh"):
        return "zh_CN"
    return base if base in LANGUAGES else None


def system_language() -> str:
    """The interface language of the user's locale, English when it has no catalogue."""
    candidates: list[str] = []
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            candidates.extend(value.split(":"))
            break
    if not candidates:  # Windows and macOS apps often have no LANG
        with contextlib.suppress(ValueError):
            candidates.append(locale.getlocale()[0] or "")
    for candidate in candidates:
        language = normalize_language(candidate)
        if language is not None:
            return language
    return SOURCE_LANGUAGE


def default_language() -> str:
    """``$NETBUILDER_LANG`` when it names an offered language, else ``system_language()``."""
    return normalize_language(os.environ.get(ENV_VAR)) or system_language()


def set_language(code: str | None = None) -> str:
    """Translate from now on into ``code`` (``None``: ``default_language()``).

    Returns the language in effect: ``"en"`` for English, an unknown code, or a catalogue
    that cannot be read (a broken install still speaks, in English).
    """
    global _translation, _language
    language = default_language() if code is None else normalize_language(code)
    translation: gettext.NullTranslations = gettext.NullTranslations()
    if language is None:
        language = SOURCE_LANGUAGE
    if language != SOURCE_LANGUAGE:
        try:
            with open(catalogue_path(language), "rb") as fp:
                translation = gettext.GNUTranslations(fp)
        except (OSError, ValueError):
            language = SOURCE_LANGUAGE
    _translation, _language = translation, language
    return language


def current_language() -> str:
    """The language messages are made in now: ``"en"`` or ``"zh_CN"``."""
    return _language


def is_known_language(code: str | None) -> bool:
    """Whether ``code`` names an offered language (for validating ``--lang``)."""
    return normalize_language(code) is not None


set_language()
