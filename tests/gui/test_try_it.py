"""The "Try it" panel: a model and its pipeline, new images / rows / texts, probability bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from netbuilder.core.compile import compile_diagram
from netbuilder.gui.widgets.try_it import TryItPanel
from netbuilder.train.pipeline import InputPipeline, image_pipeline
from tests.train.conftest import image_net, table_net


@pytest.fixture
def panel(qtbot) -> TryItPanel:
    widget = TryItPanel()
    qtbot.addWidget(widget)
    widget.resize(420, 360)
    widget.show()
    return widget


def _bright_dark_model() -> torch.nn.Module:
    """Says "bright" (class 0) when the normalised pixels sum above zero."""
    model = compile_diagram(image_net(channels=1, size=8, classes=2))
    with torch.no_grad():
        model.fc.weight.copy_(torch.stack([torch.ones(64), -torch.ones(64)]) * 0.05)
        model.fc.bias.zero_()
    return model.train()


def _image_pipeline() -> InputPipeline:
    return image_pipeline([1, 8, 8], ["bright", "dark"], "test", 8, [0.5], [0.25])


def _png(path: Path, value: int, size: tuple[int, int] = (13, 9)) -> Path:
    Image.fromarray(np.full((size[1], size[0], 3), value, np.uint8)).save(path)
    return path


def test_without_a_model_it_says_how_to_get_one(panel: TryItPanel) -> None:
    assert "Train a model" in panel.hint.text()
    assert not panel.choose_action.isEnabled()
    assert panel.predict_files(["x.png"]) == []
    assert "does not take images" in panel.error_text()


def test_image_files_give_probability_bars_like_the_model(
    panel: TryItPanel, tmp_path: Path, qtbot
) -> None:
    model = _bright_dark_model()
    pipeline = _image_pipeline()
    panel.set_model(model, pipeline)
    assert panel.choose_action.isEnabled() and "Drop image files" in panel.hint.text()
    files = [_png(tmp_path / "light.png", 220), _png(tmp_path / "night.jpg", 30, (30, 40))]
    with qtbot.waitSignal(panel.predicted) as signal:
        results = panel.predict_files(files)
    assert signal.args[0] == results
    assert model.training  # the caller's module is left in the mode it was given
    assert [r.top[0][0] for r in results] == ["bright", "dark"]
    # The bars are the model's own softmax on the pipeline's preprocessing of the file.
    with torch.no_grad():
        probs = model.eval()(pipeline.preprocess([str(files[0])])).softmax(1)[0]
    assert panel.bars.rows() == [
        ("bright", pytest.approx(float(probs[0]))),
        ("dark", pytest.approx(float(probs[1]))),
    ]
    assert panel.headline.text().startswith("bright")
    assert panel.preview.isVisible() and not panel.preview.pixmap().isNull()
    assert panel.list.isVisible() and panel.list.count() == 2
    panel.list.setCurrentRow(1)
    assert panel.headline.text().startswith("dark")


def test_dropping_files_and_folders_predicts_them(panel: TryItPanel, tmp_path: Path, qtbot) -> None:
    panel.set_model(_bright_dark_model(), _image_pipeline())
    folder = tmp_path / "imgs"
    folder.mkdir()
    _png(folder / "a.png", 200)
    _png(folder / "b.png", 10)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Qt delivers drop events only during a real drag, so the handlers are called directly.
    panel.dragEnterEvent(enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(panel.predicted):
        panel.dropEvent(drop)
    assert [r.source for r in panel.results()] == ["a.png", "b.png"]
    panel.set_model(*_table())  # a table model takes no files
    refused = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dragEnterEvent(refused)
    assert not refused.isAccepted()


def test_a_corrupt_image_shows_its_name_instead_of_raising(
    panel: TryItPanel, tmp_path: Path
) -> None:
    panel.set_model(_bright_dark_model(), _image_pipeline())
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not an image")
    assert panel.predict_files([bad]) == []
    assert "broken.png" in panel.error_text()
    assert panel.bars.rows() == []
    assert panel.predict_files([tmp_path / "empty_dir_missing"]) == []
    assert "cannot read the image" in panel.error_text()


def _table() -> tuple[torch.nn.Module, InputPipeline]:
    model = compile_diagram(table_net(3, 2))
    pipeline = InputPipeline(
        "table",
        [3],
        "float",
        "classification",
        ["no", "yes"],
        mean=[170.0, 70.0, 40.0],
        std=[10.0, 15.0, 12.0],
        columns=["height", "weight", "age"],
    )
    return model, pipeline


def test_typed_rows_in_column_order_or_by_name(panel: TryItPanel, qtbot) -> None:
    model, pipeline = _table()
    panel.set_model(model, pipeline)
    assert panel.entry.isVisible() and panel.entry.placeholderText() == "height, weight, age"
    qtbot.keyClicks(panel.entry, "180, 80, 30")
    with qtbot.waitSignal(panel.predicted):
        qtbot.keyClick(panel.entry, Qt.Key.Key_Return)
    by_order = panel.results()[0].top
    with torch.no_grad():
        probs = model.eval()(pipeline.preprocess([[180, 80, 30]])).softmax(1)[0]
    assert dict(by_order) == pytest.approx({"no": float(probs[0]), "yes": float(probs[1])})
    by_name = panel.predict_text("age=30, weight=80, height=180")[0].top
    assert by_name == by_order


def test_bad_rows_say_what_is_wrong(panel: TryItPanel) -> None:
    panel.set_model(*_table())
    assert panel.predict_text("height=180, weight=80") == []
    assert "missing column(s) age" in panel.error_text()
    assert panel.predict_text("180, heavy, 30") == []
    assert "'heavy' is not a number" in panel.error_text()
    assert panel.predict_text("180, 80") == []
    assert "has 2 values" in panel.error_text()


def test_regression_shows_the_value(panel: TryItPanel) -> None:
    model = compile_diagram(table_net(2, 1))
    pipeline = InputPipeline("table", [2], "float", "regression", [], columns=["a", "b"])
    panel.set_model(model, pipeline)
    result = panel.predict_text("1.5, -2")[0]
    with torch.no_grad():
        expected = float(model.eval()(torch.tensor([[1.5, -2.0]]))[0, 0])
    assert result.values == pytest.approx([expected])
    assert panel.headline.text() == f"{expected:.4g}"
    assert panel.bars.isHidden()


def test_token_texts(panel: TryItPanel) -> None:
    from netbuilder.core.builder import chain
    from netbuilder.core.diagram import Diagram

    d = Diagram()
    chain(
        d,
        ("TokenInput", {"length": 6, "vocab_size": 20}, "tokens"),
        ("Embedding", {"embedding_dim": 4}, "emb"),
        ("Flatten", {}, "flat"),
        ("Linear", {"out_features": 3}, "fc"),
        ("Output", {}, "out"),
    )
    model = compile_diagram(d)
    pipeline = InputPipeline(
        "tokens", [6], "long", "classification", ["a", "b", "c"], vocab_size=20
    )
    panel.set_model(model, pipeline)
    top = panel.predict_text("3 4 5")[0].top
    with torch.no_grad():
        probs = model.eval()(torch.tensor([[3, 4, 5, 0, 0, 0]])).softmax(1)[0]
    assert dict(top) == pytest.approx({c: float(p) for c, p in zip("abc", probs, strict=True)})
    assert panel.predict_text("3 hello") == []
    assert "'hello' is not a token id" in panel.error_text()
