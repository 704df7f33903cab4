"""CSV/TSV tables: chosen feature columns and one target column; classification or regression.

Values are parsed with the standard ``csv`` module; a bad column name or a non-numeric
feature value is reported with the column (and row) so the user can fix the file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import torch

from netbuilder.core.tensor import TensorSpec, format_shape
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, DataError, split_tensor_bundle

MAX_CLASSES_AUTO = 20


def load_table(path: Path, spec: TensorSpec, node_id: str, config: TrainConfig) -> DataBundle:
    """Read ``path`` (comma-separated, or tab-separated for .tsv) for a TabularInput block."""
    if spec.rank != 1 or spec.dtype != "float":
        raise DataError(
            f"the table '{path.name}' gives rows of numbers, but the input block '{node_id}' "
            f"takes {format_shape(spec)}; use a TabularInput block"
        )
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read the table '{path}': {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 3:
        raise DataError(f"the table '{path}' needs a header row and at least 2 data rows")
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    target = str(config.option("target") or header[-1])
    if target not in header:
        raise DataError(
            f"the table '{path.name}' has no column '{target}'; columns: {', '.join(header)}"
        )
    features = config.dataset_options.get("features") or [h for h in header if h != target]
    missing = [f for f in features if f not in header]
    if missing:
        raise DataError(
            f"the table '{path.name}' has no column(s) {', '.join(missing)}; "
            f"columns: {', '.join(header)}"
        )
    if target in features:
        raise DataError(f"column '{target}' cannot be both the target and a feature")
    if len(features) != spec.shape[0]:
        raise DataError(
            f"{len(features)} feature column(s) chosen from '{path.name}' but the input block "
            f"'{node_id}' takes {spec.shape[0]}; set its features to {len(features)} or "
            "choose other columns"
        )
    cols = [header.index(f) for f in features]
    t_col = header.index(target)
    x = torch.empty(len(body), len(cols))
    for r, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(
                f"row {r} of '{path.name}' has {len(row)} values but the header has {len(header)}"
            )
        for j, c in enumerate(cols):
            try:
                x[r - 2, j] = float(row[c])
            except ValueError:
                raise DataError(
                    f"row {r} of '{path.name}', column '{header[c]}': {row[c]!r} is not a number"
                ) from None
    raw_targets = [row[t_col].strip() for row in body]
    task = str(config.option("task"))
    numeric = _all_numbers(raw_targets)
    if task == "auto":
        few = len(set(raw_targets)) <= MAX_CLASSES_AUTO
        whole = numeric and all(float(v).is_integer() for v in raw_targets)
        task = "classification" if not numeric or (whole and few) else "regression"
    if task == "regression":
        if not numeric:
            bad = next(v for v in raw_targets if not _is_number(v))
            raise DataError(
                f"target column '{target}' holds {bad!r}, not a number; use task classification"
            )
        y = torch.tensor([float(v) for v in raw_targets])[:, None]
        classes: list[str] = []
    else:
        classes = sorted(set(raw_targets), key=float) if numeric else sorted(set(raw_targets))
        if len(classes) < 2:
            raise DataError(f"target column '{target}' has only one class")
        index = {c: i for i, c in enumerate(classes)}
        y = torch.tensor([index[v] for v in raw_targets])
    return split_tensor_bundle(
        str(path), x, y, classes, task, "table", config, config.seed, normalize=True
    )


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def _all_numbers(values: list[str]) -> bool:
    return all(_is_number(v) for v in values)
