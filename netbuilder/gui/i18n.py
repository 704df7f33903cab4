"""The interface's language: Qt translators for the GUI's own words, the core's catalogue
for what the block library and the checker say.

GUI strings are marked with ``self.tr()`` / ``QCoreApplication.translate()`` and live in
``resources/translations/netbuilder_<lang>.ts`` (compiled to ``.qm`` and shipped in the
wheel; ``python packaging/update_translations.py`` regenerates both). Block descriptions,
parameter docs and category names come from the Qt-free core, which has its own gettext
catalogue (``netbuilder.core.i18n``); ``core_text`` shows them in the current language.

Which language: ``netbuilder --lang zh_CN`` (which sets ``$NETBUILDER_LANG``), else the
Preferences choice (QSettings ``ui/language``), else the system locale. Qt's own words
(standard buttons, file dialogs) come from Qt's ``qtbase_<lang>.qm`` in PySide6. The language
is fixed for the life of a window: widgets are built in it, so a change in Preferences takes
effect at the next start.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    QTranslator,
)

from netbuilder.core.i18n import (  # re-exported: the Preferences dialog offers LANGUAGES
    ENV_VAR,
    LANGUAGES,  # noqa: F401
    SOURCE_LANGUAGE,
    normalize_language,
)
from netbuilder.core.i18n import _ as core_gettext
from netbuilder.core.i18n import set_language as set_core_language
from netbuilder.core.i18n import system_language as core_system_language
from netbuilder.resources import RESOURCES_DIR

log = logging.getLogger(__name__)

#: QSettings key of the Preferences choice: "" follows the system, else a language code
LANGUAGE_KEY = "ui/language"
#: Debian's package with the fonts Chinese text needs on a minimal system
CJK_FONT_PACKAGE = "fonts-noto-cjk"

_installed: list[QTranslator] = []
_language = SOURCE_LANGUAGE


def translations_dir() -> Path:
    """``resources/translations`` of this install (wheel, checkout or frozen app)."""
    return RESOURCES_DIR / "translations"


def qm_path(language: str, domain: str = "netbuilder") -> Path:
    """A compiled catalogue: ``…/translations/netbuilder_zh_CN.qm`` (the GUI's own words) or,
    with ``domain="pyqtgraph"``, the plots' right-click menus."""
    return translations_dir() / f"{domain}_{language}.qm"


def system_language() -> str:
    """The offered language of the user's locale (as the command line reads it), else
    Qt's view of the locale (a desktop session may set it without ``LANG``), else English."""
    language = core_system_language()
    if language == SOURCE_LANGUAGE and not _locale_variables():
        language = normalize_language(QLocale.system().name()) or SOURCE_LANGUAGE
    return language


def _locale_variables() -> bool:
    return any(os.environ.get(v) for v in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"))


def preferred_language() -> str:
    """The Preferences choice: "" (follow the system) or a language code."""
    value = QSettings().value(LANGUAGE_KEY, "")
    return normalize_language(str(value)) or "" if value else ""


def set_preferred_language(language: str) -> None:
    """Store the Preferences choice ("" follows the system); used from the next start."""
    QSettings().setValue(LANGUAGE_KEY, normalize_language(language) or "")


def forced_language() -> str | None:
    """The language ``--lang`` / ``$NETBUILDER_LANG`` asks for (None: not asked)."""
    return normalize_language(os.environ.get(ENV_VAR))


def chosen_language() -> str:
    """``--lang`` / ``$NETBUILDER_LANG``, else Preferences, else the system locale."""
    return forced_language() or preferred_language() or system_language()


def current_language() -> str:
    """The language the GUI's translators speak now ("en" when none is installed)."""
    return _language


def has_cjk_font() -> bool:
    """Whether any installed font can draw Simplified Chinese (needs a QGuiApplication)."""
    from PySide6.QtGui import QFontDatabase

    return bool(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))


def install_language(language: str | None = None) -> str:
    """Translate the GUI (and the core's messages) into ``language`` (None: the chosen one).

    Returns the language in effect. Chinese without a font that can draw it, or without its
    catalogue, falls back to English with one log line that says why, rather than a window
    of empty boxes. Call before building widgets: their texts are set when they are made.
    """
    global _language
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("install_language needs the QApplication first")
    wanted = normalize_language(language) if language else chosen_language()
    wanted = wanted or SOURCE_LANGUAGE
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if wanted != SOURCE_LANGUAGE and not has_cjk_font():
        log.warning(
            "no font for Chinese text is installed (on Debian/Ubuntu: apt install %s); "
            "the interface stays in English",
            CJK_FONT_PACKAGE,
        )
        wanted = SOURCE_LANGUAGE
    if wanted != SOURCE_LANGUAGE and not _load(app, qm_path(wanted)):
        log.warning(
            "the %s translation (%s) cannot be read; English it is", wanted, qm_path(wanted)
        )
        wanted = SOURCE_LANGUAGE
    if wanted == SOURCE_LANGUAGE:
        _load(app, qm_path(SOURCE_LANGUAGE))  # English plural forms ("1 block", "2 blocks")
    else:
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        _load(app, Path(qt_dir) / f"qtbase_{wanted}.qm")  # Qt's buttons and dialogs
        _load(app, qm_path(wanted, "pyqtgraph"))  # the plots' context menus
    _language = wanted
    set_core_language(wanted)
    return wanted


def remove_translators() -> None:
    """Take out every translator ``install_language`` put in (tests; untranslated again)."""
    global _language
    app = QCoreApplication.instance()
    for translator in _installed:
        if app is not None:
            app.removeTranslator(translator)
    _installed.clear()
    _language = SOURCE_LANGUAGE


def _load(app: QCoreApplication, path: Path) -> bool:
    translator = QTranslator(app)
    if not path.is_file() or not translator.load(str(path)):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True


def core_text(text: str) -> str:
    """A core string (block doc, parameter doc, category) in the interface's language."""
    return core_gettext(text) if text else text


def status_text(status: str) -> str:
    """A run's status ("completed", "early_stopped"…) in words of the interface's language."""
    words = {
        "completed": QCoreApplication.translate("RunStatus", "completed"),
        "stopped": QCoreApplication.translate("RunStatus", "stopped"),
        "early_stopped": QCoreApplication.translate("RunStatus", "early stopped"),
        "failed": QCoreApplication.translate("RunStatus", "failed"),
        "running": QCoreApplication.translate("RunStatus", "running"),
        "saved": QCoreApplication.translate("RunStatus", "saved"),
        "interrupted": QCoreApplication.translate("RunStatus", "interrupted"),
    }
    return words.get(status, status.replace("_", " "))


def setting_labels() -> dict[str, str]:
    """Form row labels of the training settings and dataset options, by setting name.

    The names are code (``batch_size``); the labels are what a learner reads ("Batch size").
    """
    return {
        "dataset": QCoreApplication.translate("Settings", "Dataset"),
        "loss": QCoreApplication.translate("Settings", "Loss"),
        "optimizer": QCoreApplication.translate("Settings", "Optimizer"),
        "lr": QCoreApplication.translate("Settings", "Learning rate"),
        "weight_decay": QCoreApplication.translate("Settings", "Weight decay"),
        "batch_size": QCoreApplication.translate("Settings", "Batch size"),
        "epochs": QCoreApplication.translate("Settings", "Epochs"),
        "scheduler": QCoreApplication.translate("Settings", "Scheduler"),
        "early_stopping": QCoreApplication.translate("Settings", "Early stopping"),
        "grad_clip": QCoreApplication.translate("Settings", "Grad clip"),
        "seed": QCoreApplication.translate("Settings", "Seed"),
        "device": QCoreApplication.translate("Settings", "Device"),
        "mixed_precision": QCoreApplication.translate("Settings", "Mixed precision"),
        "val_split": QCoreApplication.translate("Settings", "Validation split"),
        "size": QCoreApplication.translate("Settings", "Size"),
        "data_seed": QCoreApplication.translate("Settings", "Data seed"),
        "resize": QCoreApplication.translate("Settings", "Resize shorter side"),
        "grayscale": QCoreApplication.translate("Settings", "Greyscale"),
        "normalize": QCoreApplication.translate("Settings", "Normalise"),
        "cache_limit_mb": QCoreApplication.translate("Settings", "Cache limit (MB)"),
        "workers": QCoreApplication.translate("Settings", "Decoding workers"),
        "target": QCoreApplication.translate("Settings", "Target column"),
        "task": QCoreApplication.translate("Settings", "Task"),
        "missing": QCoreApplication.translate("Settings", "Missing cells"),
        "processes": QCoreApplication.translate("Settings", "Processes"),
    }


class Counted(QObject):
    """Counted messages of code outside QObject subclasses ("Delete %n block(s)").

    lupdate reads plural forms from ``tr(text, "", n)`` calls only (not from
    ``QCoreApplication.translate`` with a variable count), so such messages live here as
    ``tr`` calls; the English catalogue gives them their singular and plural.
    """

    def delete_blocks(self, n: int) -> str:
        return self.tr("Delete %n block(s)", "", n)

    def on_processes(self, n: int) -> str:
        return self.tr(" on %n process(es)", "", n)

    def continuing_blocks(self, n: int) -> str:
        return self.tr(
            "Continuing from the current weights: the diagram is unchanged, all %n "
            "block(s) with weights keep their training.",
            "",
            n,
        )

    def imported_blocks(self, n: int) -> str:
        return self.tr("Imported %n block(s) from {file}", "", n)

    def recover_diagrams(self, n: int) -> str:
        return self.tr("NetBuilder did not close normally. Recover %n unsaved diagram(s)?", "", n)


def counted() -> Counted:
    """The counted messages (a fresh object: cheap, and never shared across threads)."""
    return Counted()


# ---------------------------------------------------------------------- training records
# How the GUI names runs and data: RunRecord/DataBundle/MemoryPrediction describe themselves
# in English for logs and the command line; the window words them in its own language.
def run_name(record: object) -> str:
    """ "run 3" in the interface's language (the record's own ``name`` is the English id)."""
    number = getattr(record, "number", "?")
    return QCoreApplication.translate("Runs", "run {number}").format(number=number)


def run_score(record: object) -> str:
    """The validation accuracy (or loss) at the run's best epoch; "" when unknown."""
    import math

    best = getattr(record, "best_epoch", None)
    metrics = getattr(record, "metrics", {}) or {}
    if not best:
        return ""
    i = best - 1
    accuracy = metrics.get("val_accuracy", [])
    if i < len(accuracy) and math.isfinite(accuracy[i]):
        return QCoreApplication.translate("Runs", "accuracy {accuracy}").format(
            accuracy=f"{accuracy[i]:.1%}"
        )
    loss = metrics.get("val_loss", [])
    if i < len(loss) and math.isfinite(loss[i]):
        return QCoreApplication.translate("Runs", "loss {loss}").format(loss=f"{loss[i]:.4g}")
    return ""


def run_summary(record: object) -> str:
    """ "12 blocks, 136,614 parameters" for the network a run trained."""
    summary = getattr(record, "summary", None)
    blocks = len(getattr(summary, "blocks", {}) or {})
    params = getattr(summary, "param_count", 0) or 0
    return QCoreApplication.translate("Runs", "{blocks} blocks, {params} parameters").format(
        blocks=blocks, params=f"{params:,}"
    )


def run_line(record: object) -> str:
    """One line for a run: name, status, best epoch and its score."""
    parts = [run_name(record), status_text(str(getattr(record, "status", "")))]
    best = getattr(record, "best_epoch", None)
    if best:
        parts.append(QCoreApplication.translate("Runs", "best epoch {epoch}").format(epoch=best))
        if score := run_score(record):
            parts.append(score)
    return " · ".join(parts)


def data_text(bundle: object) -> str:
    """The preview's line about loaded data: counts, task, classes and loading notes."""
    n_train, n_val = len(bundle.train), len(bundle.val)  # type: ignore[attr-defined]
    head = QCoreApplication.translate(
        "Runs", "{name}: {train} training / {val} validation samples"
    ).format(name=bundle.name, train=n_train, val=n_val)  # type: ignore[attr-defined]
    if bundle.task == "classification":  # type: ignore[attr-defined]
        detail = QCoreApplication.translate("Runs", "classification, {n} classes").format(
            n=len(bundle.classes)  # type: ignore[attr-defined]
        )
    else:
        detail = QCoreApplication.translate("Runs", "regression")
    notes = "".join(f"; {note}" for note in bundle.notes)  # type: ignore[attr-defined]
    return f"{head} ({detail}){notes}"


def memory_verdict(mem: object) -> str:
    """The predicted training memory and whether it fits (``MemoryPrediction.verdict``)."""
    from netbuilder.train.memory import format_bytes

    head = QCoreApplication.translate(
        "Runs", "predicted peak training memory {total} at batch size {batch} on {device}"
    )
    head = head.format(
        total=format_bytes(mem.total),  # type: ignore[attr-defined]
        batch=mem.batch_size,  # type: ignore[attr-defined]
        device=mem.device,  # type: ignore[attr-defined]
    )
    if mem.available is None:  # type: ignore[attr-defined]
        return QCoreApplication.translate("Runs", "{head} (free memory unknown)").format(head=head)
    largest = ""
    if mem.max_batch is not None:  # type: ignore[attr-defined]
        largest = QCoreApplication.translate("Runs", "; largest batch that fits: {batch}").format(
            batch=mem.max_batch  # type: ignore[attr-defined]
        )
    free = format_bytes(mem.available)  # type: ignore[attr-defined]
    if mem.fits:  # type: ignore[attr-defined]
        return QCoreApplication.translate("Runs", "{head}: fits in {free} free{largest}").format(
            head=head, free=free, largest=largest
        )
    return QCoreApplication.translate(
        "Runs",
        "warning: {head} may not fit in {free} free{largest} (training can still be started)",
    ).format(head=head, free=free, largest=largest)
