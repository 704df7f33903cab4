"""Every data source records its input pipeline; applied to raw samples it gives, bit for bit,
the tensors the model was validated on; checkpoints keep it as plain data."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.train.checkpoint import (
    checkpoint_payload,
    input_pipeline,
    load_checkpoint,
    save_checkpoint,
)
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import validation_samples
from netbuilder.train.folders import StreamedImages
from netbuilder.train.pipeline import InputPipeline
from netbuilder.train.sources import load_data
from tests.train.conftest import example, image_net, table_net, write_png_folder


def _config(dataset: str, **options: object) -> TrainConfig:
    return TrainConfig(dataset=dataset, device="cpu", dataset_options=dict(options))


def _exact(bundle) -> InputPipeline:
    raw, prepared, _ = validation_samples(bundle)
    pipeline = bundle.pipeline
    assert pipeline is not None
    assert torch.equal(pipeline.preprocess(raw), prepared)  # bit for bit
    return pipeline


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("cnn_image_classifier", "image"),
        ("lenet5", "image"),
        ("lstm_sequence_classifier", "sequence"),
        ("mlp_regressor", "table"),
        ("transformer_text_classifier", "tokens"),
    ],
)
def test_builtin_sets_record_an_exact_pipeline(name: str, kind: str) -> None:
    diagram = example(name)
    base = TrainConfig.from_dict(diagram.training)
    config = base.replace(dataset_options={**base.dataset_options, "size": 60})
    bundle = load_data(config, diagram)
    pipeline = _exact(bundle)
    assert pipeline.kind == kind and pipeline.classes == bundle.classes
    if kind == "image":
        assert pipeline.mean is not None and pipeline.scale == pytest.approx(1 / 255)
        assert pipeline.colour == ("L" if pipeline.shape[0] == 1 else "RGB")
    if kind == "tokens":
        assert pipeline.vocab_size == diagram.nodes["tokens"].params["vocab_size"]


@pytest.mark.parametrize("streamed", [False, True])
def test_image_folders_record_resize_colour_and_statistics(tmp_path: Path, streamed: bool) -> None:
    folder = write_png_folder(tmp_path / "imgs", per_class=6, size=20)
    options = {"cache_limit_mb": 0} if streamed else {}
    bundle = load_data(_config(str(folder), **options), image_net(3, 16))
    assert isinstance(bundle.val, StreamedImages) == streamed
    pipeline = _exact(bundle)
    assert pipeline.resize == 16 and pipeline.colour == "RGB"
    assert pipeline.classes == ["bright", "dark"]
    if streamed:
        assert (pipeline.mean, pipeline.std) == ([0.5] * 3, [0.25] * 3)
    # A file given to the pipeline is decoded like the training data.
    first = pipeline.preprocess([bundle.files[0]])
    assert torch.equal(first[0], validation_samples(bundle)[1][0])


def test_tables_record_columns_statistics_and_gap_filling(tmp_path: Path) -> None:
    rows = ["a,b,c,label"] + [
        f"{i},{'' if i % 5 == 0 else i * 2.5},{100 - i},{'x' if i % 2 else 'y'}" for i in range(30)
    ]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    bundle = load_data(
        _config(str(tmp_path / "t.csv"), missing="fill_mean", features=["c", "b"]), table_net(2, 2)
    )
    pipeline = _exact(bundle)  # raw holds NaN for the gaps; the pipeline fills them
    assert pipeline.columns == ["c", "b"] and pipeline.target == "label"
    assert pipeline.fill is not None and pipeline.mean is not None
    by_name = pipeline.preprocess({"a": 1, "b": "", "c": 7, "label": "x"})
    by_order = pipeline.preprocess([7, float("nan")])
    assert torch.equal(by_name, by_order)
    assert by_name[0, 1] == pytest.approx((pipeline.fill[1] - pipeline.mean[1]) / pipeline.std[1])


def test_pipeline_round_trips_through_a_weights_only_checkpoint(tmp_path: Path) -> None:
    from netbuilder.core.compile import compile_diagram

    diagram = example("lenet5")
    base = TrainConfig.from_dict(diagram.training)
    config = base.replace(dataset_options={**base.dataset_options, "size": 40})
    pipeline = load_data(config, diagram).pipeline
    path = tmp_path / "m.pt"
    save_checkpoint(path, diagram, compile_diagram(diagram), config.to_dict(), pipeline=pipeline)
    raw = torch.load(path, weights_only=True)  # plain PyTorch reads it
    assert raw["input_pipeline"] == pipeline.to_dict()
    assert load_checkpoint(path).pipeline == pipeline
    assert InputPipeline.from_dict({**pipeline.to_dict(), "future_key": 1}) == pipeline


def test_an_older_checkpoint_without_a_pipeline_gets_it_rebuilt_from_its_data(
    tmp_path: Path,
) -> None:
    from netbuilder.core.compile import compile_diagram

    diagram = example("lenet5")
    base = TrainConfig.from_dict(diagram.training)
    config = base.replace(dataset_options={**base.dataset_options, "size": 40})
    expected = load_data(config, diagram).pipeline
    payload = checkpoint_payload(diagram, compile_diagram(diagram), config.to_dict())
    assert "input_pipeline" not in payload  # as version-1 files written before pipelines
    path = tmp_path / "old.pt"
    torch.save(payload, path)
    ckpt = load_checkpoint(path)
    assert ckpt.pipeline is None
    assert input_pipeline(ckpt) == expected
    # Without its data: an assumed pipeline without normalisation, marked as such.
    ckpt.training = {**config.to_dict(), "dataset": str(tmp_path / "gone")}
    assumed = input_pipeline(ckpt)
    assert assumed.assumed and assumed.mean is None and assumed.kind == "image"
    assert assumed.shape == [1, 32, 32] and assumed.resize == 32


def test_a_damaged_pipeline_record_is_refused_by_name(tmp_path: Path) -> None:
    from netbuilder.core.compile import compile_diagram
    from netbuilder.train.checkpoint import CheckpointError

    diagram = example("mlp_regressor")
    payload = checkpoint_payload(diagram, compile_diagram(diagram))
    payload["input_pipeline"] = {"kind": "hologram", "shape": [3]}
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="input pipeline is damaged"):
        load_checkpoint(tmp_path / "bad.pt")
