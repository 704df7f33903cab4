"""TrainConfig: validation with named settings, JSON round trip, form metadata."""

from __future__ import annotations

import dataclasses

import pytest

from netbuilder.train.config import DATASET_OPTION_FIELDS, FIELDS, ConfigError, TrainConfig


def test_defaults_round_trip_through_json_dict() -> None:
    cfg = TrainConfig.from_dict({"lr": 0.01, "epochs": 3, "dataset_options": {"size": 100}})
    assert cfg.lr == 0.01 and cfg.epochs == 3
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


def test_unknown_keys_are_ignored() -> None:
    assert TrainConfig.from_dict({"something_new": 1}) == TrainConfig()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"lr": -1}, "'lr'"),
        ({"loss": "hinge"}, "'loss' must be one of"),
        ({"batch_size": 0}, "'batch_size'"),
        ({"epochs": 2.5}, "'epochs' must be a whole number"),
        ({"device": "tpu"}, "'device'"),
        ({"dataset": "  "}, "'dataset' is empty"),
        ({"dataset_options": {"val_split": 2}}, "'val_split'"),
        ({"dataset_options": {"features": "a,b"}}, "'features'"),
        ({"dataset_options": []}, "'dataset_options'"),
    ],
)
def test_bad_values_name_the_setting(data: dict, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        TrainConfig.from_dict(data)


def test_fields_describe_every_scalar_setting() -> None:
    names = {f.name for f in dataclasses.fields(TrainConfig)} - {"dataset_options"}
    assert {p.name for p in FIELDS} == names
    for p in FIELDS:
        assert p.doc
        assert p.validate(p.default) == getattr(TrainConfig(), p.name)
    assert {p.name for p in DATASET_OPTION_FIELDS} >= {"val_split", "resize", "grayscale"}


def test_replace_validates() -> None:
    cfg = TrainConfig().replace(epochs=7)
    assert cfg.epochs == 7
    with pytest.raises(ConfigError):
        cfg.replace(optimizer="lbfgs")
