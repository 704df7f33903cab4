"""Cells of the misclassified-samples grid: the validation picture, true → predicted label."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from netbuilder.gui.docks.training_data import sample_widget


def _entry(item: Any) -> tuple[int, int | None, int | None]:
    """(validation index, true class, predicted class) from the evaluator's record."""
    if isinstance(item, int):
        return item, None, None
    if isinstance(item, tuple | list):
        index, true, pred = [*item, None, None][:3]
        return int(index), _as_int(true), _as_int(pred)
    return (
        int(item.index),
        _as_int(getattr(item, "true", getattr(item, "target", None))),
        _as_int(getattr(item, "predicted", getattr(item, "pred", None))),
    )


def _as_int(value: Any) -> int | None:
    if value is None:
        return None
    return int(value.item() if hasattr(value, "item") else value)


def _name(classes: list[str], index: int | None) -> str:
    if index is None:
        return "?"
    return classes[index] if 0 <= index < len(classes) else str(index)


def misclassified_cells(ev: Any, classes: list[str], data: Any, limit: int) -> list[QWidget]:
    """Up to ``limit`` cells for image data; [] when there is no data or it is not images."""
    records = list(getattr(ev, "misclassified", None) or [])
    if data is None or getattr(data, "kind", "") != "image" or not records:
        return []
    cells: list[QWidget] = []
    preds = getattr(ev, "predictions", None)
    targets = getattr(ev, "targets", None)
    for item in records[:limit]:
        index, true, pred = _entry(item)
        if pred is None and preds is not None and index < len(preds):
            pred = _as_int(preds[index])
        if true is None and targets is not None and index < len(targets):
            true = _as_int(targets[index])
        x, y = data.val[index]
        if true is None:
            true = _as_int(y)
        label = f"{_name(classes, true)} → {_name(classes, pred)}"
        cell = sample_widget(data.display(x), label, "image")
        cell.setToolTip(
            QCoreApplication.translate(
                "EvaluationView", "validation sample {index}: true {true}, predicted {predicted}"
            ).format(index=index, true=_name(classes, true), predicted=_name(classes, pred))
        )
        cells.append(cell)
    return cells
