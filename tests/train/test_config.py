"""TrainConfig: validation with named settings, JSON round trip, form metadata."""

from __future__ import annotations

import dataclasses

import pytest

from netbuilder.train.config import (
    DATASET_OPTION_FIELDS,
    FIELDS,
    OPTION_KINDS,
    SOURCE_KINDS,
    ConfigError,
    TrainConfig,
    options_for,
    source_kind,
)


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
        ({"dataset_options": {"workers": -2}}, "'workers' must be at least -1"),
        ({"dataset_options": {"missing": "ignore"}}, "'missing' must be one of"),
        ({"dataset_options": {"cache_limit_mb": 1.5}}, "'cache_limit_mb' must be a whole"),
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


def test_every_dataset_option_says_which_sources_it_applies_to() -> None:
    assert set(OPTION_KINDS) == {p.name for p in DATASET_OPTION_FIELDS}
    assert all(kinds and set(kinds) <= set(SOURCE_KINDS) for kinds in OPTION_KINDS.values())
    for p in DATASET_OPTION_FIELDS:
        assert p.doc and p.validate(p.default) == TrainConfig().option(p.name)
    assert [p.name for p in options_for("table")] == [
        "val_split",
        "normalize",
        "target",
        "task",
        "missing",
    ]
    folder = {p.name for p in options_for("folder")}
    assert {"resize", "grayscale", "workers", "cache_limit_mb"} <= folder
    assert "size" not in folder and "missing" not in folder


def test_source_kind_of_a_dataset_setting() -> None:
    assert source_kind("builtin:digits") == "builtin"
    assert source_kind("/data/flowers.CSV") == source_kind("t.tsv") == "table"
    assert source_kind("/data/flowers") == "folder"


def test_processes_is_a_validated_setting_that_check_reports() -> None:
    from netbuilder.train.config import training_diagnostics

    assert TrainConfig().processes == 1
    assert TrainConfig.from_dict({"processes": 4}).processes == 4
    problems = training_diagnostics({"processes": 0})
    assert len(problems) == 1 and "'processes'" in problems[0].message
    with pytest.raises(ConfigError, match="processes"):
        TrainConfig.from_dict({"processes": "two"})
