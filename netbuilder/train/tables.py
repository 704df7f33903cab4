"""CSV/TSV tables: chosen feature columns and one target column; classification or regression.

Values are parsed with the standard ``csv`` module; a bad column name or a non-numeric
feature value is reported with the column (and row) so the user can fix the file. Missing
cells (empty, NA, NaN, null, ?) are an error unless the ``missing`` option drops their rows
or fills them with the training split's column means; a row without a target is dropped
by either. The bundle's ``notes`` say how many rows were dropped or cells filled.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import torch

from netbuilder.core.tensor import TensorSpec, format_shape
from netbuilder.core.text import quoted, shorten
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, DataError, split_indices, split_tensor_bundle

MAX_CLASSES_AUTO = 20
#: Cell texts that mean "no value" (compared stripped and in lower case).
MISSING_MARKS = frozenset({"", "na", "n/a", "nan", "null", "?"})


def load_table(path: Path, spec: TensorSpec, node_id: str, config: TrainConfig) -> DataBundle:
    """Read ``path`` (comma-separated, or tab-separated for .tsv) for a TabularInput block."""
    if spec.rank != 1 or spec.dtype != "float":
        raise DataError(
            f"the table {quoted(path.name)} gives rows of numbers, but the input block '{node_id}' "
            f"takes {format_shape(spec)}; use a TabularInput block"
        )
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"cannot read the table {quoted(str(path), 120)}: {exc}") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if len(rows) < 3:
        raise DataError(
            f"the table {quoted(str(path), 120)} needs a header row and at least 2 data rows"
        )
    header = [h.strip() for h in rows[0]]
    body = rows[1:]
    target = str(config.option("target") or header[-1])
    if target not in header:
        raise DataError(
            f"the table {quoted(path.name)} has no column {quoted(target)}; "
            f"columns: {shorten(', '.join(header), 200)}"
        )
    features = config.dataset_options.get("features") or [h for h in header if h != target]
    missing = [f for f in features if f not in header]
    if missing:
        raise DataError(
            f"the table {quoted(path.name)} has no column(s) {shorten(', '.join(missing), 200)}; "
            f"columns: {shorten(', '.join(header), 200)}"
        )
    if target in features:
        raise DataError(f"column {quoted(target)} cannot be both the target and a feature")
    if len(features) != spec.shape[0]:
        raise DataError(
            f"{len(features)} feature column(s) chosen from {quoted(path.name)} but the input "
            f"block '{node_id}' takes {spec.shape[0]}; set its features to {len(features)} or "
            "choose other columns"
        )
    cols = [header.index(f) for f in features]
    t_col = header.index(target)
    policy = str(config.option("missing"))
    x = torch.empty(len(body), len(cols))
    keep: list[int] = []  # rows that stay (all rows unless some are dropped)
    no_target = no_feature = 0
    for i, row in enumerate(body):
        r = i + 2  # the row number a spreadsheet shows (the header is row 1)
        if len(row) != len(header):
            raise DataError(
                f"row {r} of {quoted(path.name)} has {len(row)} values but the header has "
                f"{len(header)}"
            )
        gaps = [c for c in [*cols, t_col] if is_missing(row[c])]
        if gaps and policy == "error":
            c = gaps[0]
            raise DataError(
                f"row {r} of {quoted(path.name)}, column {quoted(header[c])}: the value is missing "
                f"({quoted(row[c])}); set the dataset option 'missing' to drop_rows or fill_mean "
                "to use the file as it is"
            )
        if t_col in gaps or (gaps and policy == "drop_rows"):
            no_target += t_col in gaps
            no_feature += t_col not in gaps
            continue
        for j, c in enumerate(cols):
            try:
                x[i, j] = math.nan if c in gaps else float(row[c])
            except ValueError:
                raise DataError(
                    f"row {r} of {quoted(path.name)}, column {quoted(header[c])}: "
                    f"{quoted(row[c])} is not a number"
                ) from None
        keep.append(i)
    notes = _dropped_notes(no_target, no_feature)
    x = x[keep]
    body = [body[i] for i in keep]
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
                f"target column {quoted(target)} holds {quoted(bad)}, not a number; "
                "use task classification"
            )
        y = torch.tensor([float(v) for v in raw_targets])[:, None]
        classes: list[str] = []
    else:
        classes = sorted(set(raw_targets), key=float) if numeric else sorted(set(raw_targets))
        if len(classes) < 2:
            raise DataError(f"target column {quoted(target)} has only one class")
        index = {c: i for i, c in enumerate(classes)}
        y = torch.tensor([index[v] for v in raw_targets])
    split = split_indices(len(x), float(config.option("val_split")), config.seed)
    raw = x.clone()  # NaN where a cell was missing: what a deployed model is given
    fill = None
    if policy == "fill_mean":
        notes += _fill_with_training_means(x, split[0], features, path.name)
        fill = torch.nanmean(raw[split[0]], dim=0).tolist()
    bundle = split_tensor_bundle(
        str(path),
        x,
        y,
        classes,
        task,
        "table",
        config,
        config.seed,
        normalize=True,
        split=split,
        raw=raw,
    )
    bundle.notes = notes
    if bundle.pipeline is not None:
        bundle.pipeline.columns = list(features)
        bundle.pipeline.target = target
        bundle.pipeline.fill = fill
    return bundle


def is_missing(cell: str) -> bool:
    """Whether a table cell holds no value: empty, NA, N/A, NaN, null or ?."""
    return cell.strip().lower() in MISSING_MARKS


def _dropped_notes(no_target: int, no_feature: int) -> list[str]:
    notes = []
    if no_target:
        notes.append(f"{_rows(no_target)} without a target value dropped")
    if no_feature:
        notes.append(f"{_rows(no_feature)} with missing values dropped")
    return notes


def _rows(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''}"


def _fill_with_training_means(
    x: torch.Tensor, train_rows: torch.Tensor, features: list[str], name: str
) -> list[str]:
    """Replace NaNs (missing cells) in place by their column's mean over the training rows.

    Validation rows are filled with the same training means, so nothing about the
    validation split leaks into what the model is trained on.
    """
    gaps = torch.isnan(x)
    filled = int(gaps.sum())
    if not filled:
        return []
    train = x[train_rows]
    present = (~torch.isnan(train)).sum(dim=0)
    for j in torch.nonzero(gaps.any(dim=0)).flatten().tolist():
        if present[j] == 0:
            raise DataError(
                f"column {quoted(features[j])} of '{name}' has no value in any training row, so it "
                "has no mean to fill its gaps with; drop the column or use missing drop_rows"
            )
    means = torch.nanmean(train, dim=0)
    x[gaps] = means.expand_as(x)[gaps]
    return [f"{filled} missing cell{'s' if filled != 1 else ''} filled with training means"]


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def _all_numbers(values: list[str]) -> bool:
    return all(_is_number(v) for v in values)
