"""The interface's language: Qt translators for the GUI's own words, the core's catalogue
for what the block library and the checker say.

GUI strings are marked with ``self.tr()`` / ``QCoreApplication.translate()`` and live in
``resources/translations/netbuilder_<lang>.ts`` (compiled to ``.qm``). Block descriptions,
parameter docs and category names come from the Qt-free core, which has its own gettext
catalogue (``netbuilder.core.i18n``); ``core_text`` shows them in the current language.
"""

from __future__ import annotations


def core_text(text: str) -> str:
    """A core string (block doc, parameter doc, category) in the interface's language."""
    if not text:
        return text
    try:
        from netbuilder.core.i18n import _
    except ImportError:  # a core without its catalogue: its own (English) words
        return text
    return _(text)
