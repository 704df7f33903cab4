"""Image folders and CSV/TSV tables as training data."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataError, TensorData, split_indices
from netbuilder.train.folders import StreamedImages
from netbuilder.train.sources import load_data
from tests.train.conftest import image_net, table_net, write_png_folder


def test_image_folder_with_train_and_val(png_folder: Path) -> None:
    data = load_data(TrainConfig(dataset=str(png_folder)), image_net(size=16))
    assert data.classes == ["bright", "dark"]
    assert len(data.train) == 24 and len(data.val) == 8
    assert isinstance(data.train, TensorData)  # small: decoded once, cached
    assert data.train[0][0].shape == (3, 16, 16)  # resized and centre-cropped
    assert len(data.files) == 8 and data.files[0].endswith(".png")
    bright = data.train.inputs[data.train.targets == 0].mean()
    dark = data.train.inputs[data.train.targets == 1].mean()
    assert bright > dark


def test_one_folder_gets_a_validation_split(tmp_path: Path) -> None:
    root = write_png_folder(tmp_path / "flat", per_class=10, split=False)
    cfg = TrainConfig(dataset=str(root), dataset_options={"val_split": 0.25})
    data = load_data(cfg, image_net(channels=1, size=12))
    assert len(data.train) + len(data.val) == 20 and len(data.val) == 5
    assert data.train[0][0].shape == (1, 12, 12)  # greyscale to the input's channels


def test_streamed_when_over_the_cache_limit(png_folder: Path) -> None:
    cfg = TrainConfig(dataset=str(png_folder), dataset_options={"cache_limit_mb": 0})
    data = load_data(cfg, image_net(size=16))
    assert isinstance(data.train, StreamedImages)
    x, y = data.train[0]
    assert x.shape == (3, 16, 16) and int(y) in (0, 1)


def test_unreadable_image_is_named(png_folder: Path) -> None:
    bad = png_folder / "train" / "dark" / "broken.png"
    bad.write_bytes(b"not a png at all")
    with pytest.raises(DataError, match=r"broken\.png"):
        load_data(TrainConfig(dataset=str(png_folder)), image_net(size=16))


def test_folder_layout_errors(tmp_path: Path) -> None:
    (tmp_path / "one" / "only_class").mkdir(parents=True)
    with pytest.raises(DataError, match="one subfolder per class"):
        load_data(TrainConfig(dataset=str(tmp_path / "one")), image_net())
    root = write_png_folder(tmp_path / "img")
    (root / "val" / "extra").mkdir()
    with pytest.raises(DataError, match="extra"):
        load_data(TrainConfig(dataset=str(root)), image_net())


def test_grayscale_option_needs_one_channel_input(png_folder: Path) -> None:
    cfg = TrainConfig(dataset=str(png_folder), dataset_options={"grayscale": True})
    with pytest.raises(DataError, match="set its channels to 1"):
        load_data(cfg, image_net(channels=3))


def _write_csv(path: Path, sep: str = ",") -> Path:
    rows = ["a,b,colour,price".replace(",", sep)]
    for i in range(40):
        colour = "red" if i % 2 else "blue"
        rows.append(sep.join([str(i), str(i % 7), colour, str(i * 1.5 + 2)]))
    path.write_text("\n".join(rows) + "\n")
    return path


def test_csv_regression_with_chosen_features(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "t.csv")
    opts = {"target": "price", "features": ["a", "b"]}
    data = load_data(TrainConfig(dataset=str(path), dataset_options=opts), table_net(2, 1))
    assert data.task == "regression" and data.classes == []
    assert data.train[0][1].shape == (1,)
    assert abs(float(data.train.inputs.mean())) < 0.2  # standardised


def test_tsv_classification_of_text_labels(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "t.tsv", sep="\t")
    opts = {"target": "colour", "features": ["a", "b", "price"]}
    data = load_data(TrainConfig(dataset=str(path), dataset_options=opts), table_net(3, 2))
    assert data.task == "classification" and data.classes == ["blue", "red"]
    assert data.train.targets.dtype == torch.long


@pytest.mark.parametrize(
    ("opts", "words"),
    [
        ({"target": "cost"}, "no column 'cost'"),
        ({"target": "price", "features": ["a", "zzz"]}, "zzz"),
        ({"target": "price", "features": ["a", "colour"]}, r"row 2 .*'blue' is not a number"),
        ({"target": "price", "features": ["a"]}, "takes 2"),
        ({"target": "colour", "features": ["a", "b"], "task": "regression"}, "not a number"),
    ],
)
def test_csv_errors_name_the_column(tmp_path: Path, opts: dict, words: str) -> None:
    path = _write_csv(tmp_path / "t.csv")
    with pytest.raises(DataError, match=words):
        load_data(TrainConfig(dataset=str(path), dataset_options=opts), table_net(2, 1))


def _write_gappy_csv(path: Path, gaps: dict[tuple[int, str], str], n: int = 30) -> Path:
    """Columns x, y, z (numbers) and label (a/b); ``gaps`` puts texts into cells (row, col)."""
    rows = ["x,y,z,label"]
    for i in range(n):
        cells = {"x": str(i), "y": str(i % 5 + 0.5), "z": str(-i), "label": "ab"[i % 2]}
        for (row, col), text in gaps.items():
            if row == i:
                cells[col] = text
        rows.append(",".join(cells[c] for c in ("x", "y", "z", "label")))
    path.write_text("\n".join(rows) + "\n")
    return path


def _table(path: Path, **opts: object):  # type: ignore[no-untyped-def]
    options = {"target": "label", "features": ["x", "y"], "normalize": False, **opts}
    return load_data(TrainConfig(dataset=str(path), dataset_options=options), table_net(2, 2))


@pytest.mark.parametrize("mark", ["", "NA", "NaN", "nan", "null", "?", " n/a "])
def test_missing_cells_are_an_error_by_default(tmp_path: Path, mark: str) -> None:
    path = _write_gappy_csv(tmp_path / "t.csv", {(4, "y"): mark})
    with pytest.raises(DataError, match=r"row 6 of 't.csv', column 'y'.*missing.*drop_rows"):
        _table(path)


def test_missing_target_is_an_error_by_default(tmp_path: Path) -> None:
    path = _write_gappy_csv(tmp_path / "t.csv", {(7, "label"): ""})
    with pytest.raises(DataError, match=r"row 9 .*column 'label'"):
        _table(path)


def test_gaps_in_unused_columns_do_not_matter(tmp_path: Path) -> None:
    data = _table(_write_gappy_csv(tmp_path / "t.csv", {(3, "z"): "NA"}))
    assert len(data.train) + len(data.val) == 30 and data.notes == []


def test_drop_rows_drops_and_counts_them(tmp_path: Path) -> None:
    gaps = {(1, "x"): "?", (2, "y"): "", (2, "x"): "NA", (9, "label"): "null"}
    data = _table(_write_gappy_csv(tmp_path / "t.csv", gaps), missing="drop_rows")
    assert len(data.train) + len(data.val) == 27
    kept = torch.cat([data.train.inputs[:, 0], data.val.inputs[:, 0]]).tolist()
    assert {1.0, 2.0, 9.0}.isdisjoint(kept)
    assert data.notes == [
        "1 row without a target value dropped",
        "2 rows with missing values dropped",
    ]
    assert data.describe().endswith(
        "; 1 row without a target value dropped; 2 rows with missing values dropped"
    )
    assert "training /" in data.describe()


def test_fill_mean_uses_the_training_rows_only(tmp_path: Path) -> None:
    n, holes = 30, (0, 3, 5, 8, 13, 21)
    tr, va = split_indices(n, 0.2, 0)
    val_rows = set(va.tolist())
    # y is 1 in training rows and 1000 in validation rows: any leak would show in the fill
    gaps = {(i, "y"): ("1000" if i in val_rows else "1") for i in range(n)}
    gaps.update({(i, "y"): "NA" for i in holes})
    data = _table(_write_gappy_csv(tmp_path / "t.csv", gaps), missing="fill_mean")
    assert len(data.train) == len(tr) and len(data.val) == len(va)
    inputs = torch.cat([data.train.inputs, data.val.inputs])
    filled = {int(x): y for x, y in inputs.tolist() if int(x) in holes}
    assert filled == dict.fromkeys(holes, 1.0)  # the mean over all rows would be about 200
    assert data.notes == ["6 missing cells filled with training means"]
    assert not torch.isnan(inputs).any()


def test_fill_mean_still_drops_rows_without_a_target(tmp_path: Path) -> None:
    gaps = {(2, "y"): "", (4, "label"): "?", (6, "label"): "NA"}
    data = _table(_write_gappy_csv(tmp_path / "t.csv", gaps), missing="fill_mean")
    assert len(data.train) + len(data.val) == 28
    assert data.classes == ["a", "b"]  # a missing target is no class of its own
    assert data.notes == [
        "2 rows without a target value dropped",
        "1 missing cell filled with training means",
    ]


def test_fill_mean_needs_a_value_in_the_training_rows(tmp_path: Path) -> None:
    gaps = {(i, "y"): "NA" for i in range(30)}
    with pytest.raises(DataError, match=r"column 'y' .* no value in any training row"):
        _table(_write_gappy_csv(tmp_path / "t.csv", gaps), missing="fill_mean")
