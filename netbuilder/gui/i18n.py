"""The interface's language: Qt translators for the GUI's own words, the core's catalogue
for what the block library and the checker say.

GUI strings are marked with ``self.tr()`` / ``QCoreApplication.translate()`` and live in
``resources/translations/netbuilder_<lang>.ts`` (compiled to ``.qm``). Block descriptions,
parameter docs and category names come from the Qt-free core, which has its own gettext
catalogue (``netbuilder.core.i18n``); ``core_text`` shows them in the current language.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def core_text(text: str) -> str:
    """A core string (block doc, parameter doc, category) in the interface's language."""
    if not text:
        return text
    try:
        from netbuilder.core.i18n import _
    except ImportError:  # a core without its catalogue: its own (English) words
        return text
    return _(text)


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
    t = QCoreApplication.translate
    return {
        "dataset": t("Settings", "Dataset"),
        "loss": t("Settings", "Loss"),
        "optimizer": t("Settings", "Optimizer"),
        "lr": t("Settings", "Learning rate"),
        "weight_decay": t("Settings", "Weight decay"),
        "batch_size": t("Settings", "Batch size"),
        "epochs": t("Settings", "Epochs"),
        "scheduler": t("Settings", "Scheduler"),
        "early_stopping": t("Settings", "Early stopping"),
        "grad_clip": t("Settings", "Grad clip"),
        "seed": t("Settings", "Seed"),
        "device": t("Settings", "Device"),
        "mixed_precision": t("Settings", "Mixed precision"),
        "val_split": t("Settings", "Validation split"),
        "size": t("Settings", "Size"),
        "data_seed": t("Settings", "Data seed"),
        "resize": t("Settings", "Resize shorter side"),
        "grayscale": t("Settings", "Greyscale"),
        "normalize": t("Settings", "Normalise"),
        "cache_limit_mb": t("Settings", "Cache limit (MB)"),
        "workers": t("Settings", "Decoding workers"),
        "target": t("Settings", "Target column"),
        "task": t("Settings", "Task"),
        "missing": t("Settings", "Missing cells"),
    }
