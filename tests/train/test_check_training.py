"""`netbuilder check` validates the training settings the way `train` reads them (issue 17.3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netbuilder.cli import main
from netbuilder.resources import EXAMPLES_DIR
from netbuilder.train.config import ConfigError, TrainConfig, training_diagnostics

CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"

BAD = [
    ({"lr": "abc"}, "training setting 'lr' must be a number, not 'abc'"),
    ({"epochs": 0}, "training setting 'epochs' must be at least 1, not 0"),
    ({"dataset": -1}, "training setting 'dataset' must be text, not -1"),
    ({"dataset_options": {"val_split": 2}}, "dataset option 'val_split' must be at most 0.9"),
]


def with_training(tmp_path: Path, changes: dict) -> Path:
    doc = json.loads(CNN.read_text("utf-8"))
    doc["training"] = {**doc.get("training", {}), **changes}
    path = tmp_path / "net.nbd"
    path.write_text(json.dumps(doc), "utf-8")
    return path


@pytest.mark.parametrize(("changes", "message"), BAD, ids=lambda x: str(x)[:20])
def test_check_exits_1_naming_the_setting_that_train_refuses(
    changes: dict, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = with_training(tmp_path, changes)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"error: {message[0].upper()}{message[1:]}" in out
    assert out.rstrip().endswith("1 error(s)")
    with pytest.raises(ConfigError, match=message.split(",")[0]):  # the same rule in train
        TrainConfig.from_dict(json.loads(path.read_text("utf-8"))["training"])


def test_check_lists_every_bad_setting_and_passes_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = with_training(tmp_path, {"lr": "abc", "epochs": 0, "dataset": -1})
    assert main(["check", "-q", str(path)]) == 1
    out = capsys.readouterr().out
    assert all(f"'{name}'" in out for name in ("lr", "epochs", "dataset"))
    assert out.rstrip().endswith("3 error(s)")
    assert main(["check", "-q", str(with_training(tmp_path, {"lr": 0.01}))]) == 0


def test_parse_keeps_defaults_for_bad_values() -> None:
    config, problems = TrainConfig.parse({"lr": "abc", "epochs": 3})
    assert (config.lr, config.epochs) == (TrainConfig().lr, 3)
    assert problems == ["training setting 'lr' must be a number, not 'abc'"]
    assert TrainConfig.parse(None) == (TrainConfig(), [])
    assert [d.node_id for d in training_diagnostics({"epochs": 0})] == [None]
    assert training_diagnostics({"epochs": 2}) == []
