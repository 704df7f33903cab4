"""Image folders and CSV/TSV tables as training data."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataError, TensorData, load_data
from netbuilder.train.folders import StreamedImages
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
