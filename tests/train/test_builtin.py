"""Built-in datasets: shaped to the diagram input, classes matching the examples, seeded."""

from __future__ import annotations

import pytest
import torch

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import check
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataError
from netbuilder.train.sources import load_data
from tests.train.conftest import example, image_net

EXAMPLE_DATA = [
    ("cnn_image_classifier", "builtin:shapes", 6),
    ("lenet5", "builtin:digits", 10),
    ("lstm_sequence_classifier", "builtin:sequences", 4),
    ("transformer_text_classifier", "builtin:tokens", 4),
    ("mlp_regressor", "builtin:regression", 1),
    ("small_resnet", "builtin:shapes", 6),
]


def _output_size(diagram: Diagram) -> int:
    analysis = check(diagram)
    (out,) = analysis.output_nodes()
    (spec,) = analysis.nodes[out].inputs.values()
    return spec.shape[-1]


@pytest.mark.parametrize(("name", "dataset", "size"), EXAMPLE_DATA)
def test_examples_name_a_builtin_dataset_that_fits(name: str, dataset: str, size: int) -> None:
    diagram = example(name)
    cfg = TrainConfig.from_dict(diagram.training)
    assert cfg.dataset == dataset
    cfg = cfg.replace(dataset_options={"size": 60})
    data = load_data(cfg, diagram)
    assert _output_size(diagram) == size == max(1, len(data.classes))
    (inp,) = check(diagram).input_nodes()
    (spec,) = check(diagram).nodes[inp].outputs.values()
    x, _ = data.train[0]
    assert tuple(x.shape) == spec.shape
    assert x.dtype == spec.torch_dtype()
    assert len(data.train) + len(data.val) == 60
    assert len(data.val) == 12  # the default 20 % held out
    preview = data.preview(4)
    assert len(preview) == 4 and all(isinstance(t, str) and t for _, t in preview)


def test_generation_is_deterministic_and_classes_are_balanced() -> None:
    diagram = example("cnn_image_classifier")
    cfg = TrainConfig(dataset="builtin:shapes", dataset_options={"size": 120})
    a, b = load_data(cfg, diagram), load_data(cfg, diagram)
    assert torch.equal(a.train.inputs, b.train.inputs)  # type: ignore[attr-defined]
    counts = torch.bincount(torch.cat([a.train.targets, a.val.targets]))  # type: ignore[attr-defined]
    assert counts.tolist() == [20] * 6
    other = load_data(cfg.replace(dataset_options={"size": 120, "data_seed": 5}), diagram)
    assert not torch.equal(a.train.inputs, other.train.inputs)  # type: ignore[attr-defined]


def test_image_preview_is_displayable() -> None:
    data = load_data(TrainConfig(dataset_options={"size": 30}), example("cnn_image_classifier"))
    img, label = data.preview(1)[0]
    assert img.shape == (3, 32, 32) and float(img.min()) >= 0.0 and float(img.max()) <= 1.0
    assert float(img.max()) > 0.5  # normalisation was undone, the shape is visible
    assert label in data.classes


def test_images_follow_the_input_block_channels_and_size() -> None:
    data = load_data(
        TrainConfig(dataset="builtin:digits", dataset_options={"size": 20}),
        image_net(channels=3, size=24),
    )
    assert data.train[0][0].shape == (3, 24, 24)


def test_tokens_stay_below_the_vocabulary() -> None:
    diagram = example("transformer_text_classifier")
    data = load_data(TrainConfig(dataset="builtin:tokens", dataset_options={"size": 80}), diagram)
    assert int(data.train.inputs.max()) < 64  # type: ignore[attr-defined]


def test_wrong_kind_of_input_is_a_clear_error() -> None:
    with pytest.raises(DataError, match=r"gives images.*'signal'"):
        load_data(TrainConfig(dataset="builtin:shapes"), example("lstm_sequence_classifier"))
    with pytest.raises(DataError, match="token-id"):
        load_data(TrainConfig(dataset="builtin:tokens"), example("lenet5"))


def test_unknown_builtin_and_missing_path() -> None:
    diagram = example("lenet5")
    with pytest.raises(DataError, match="no built-in dataset 'cats'"):
        load_data(TrainConfig(dataset="builtin:cats"), diagram)
    with pytest.raises(DataError, match="does not exist"):
        load_data(TrainConfig(dataset="/no/such/folder"), diagram)


def test_diagram_without_single_input() -> None:
    d = Diagram()
    chain(d, ("TabularInput", {"features": 2}), ("Linear", {"out_features": 1}), "Output")
    chain(d, ("TabularInput", {"features": 2}), ("Linear", {"out_features": 1}), "Output")
    with pytest.raises(DataError, match="exactly one input"):
        load_data(TrainConfig(dataset="builtin:regression"), d)
