"""Exports take raw inputs as their documentation says, and score exactly like the app.

For every example and for an image folder, the written .pt2, ONNX and Python models are
run here the way a deployer would (plain torch.export.load, onnxruntime, ``model.predict``),
on raw validation samples (0..1 pixels, raw column values, token ids), and must get the
same number right as the app's own model on the normalised validation set.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from netbuilder.export import ValidationSet, VerificationError, export_model
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import TensorData, validation_samples
from netbuilder.train.pipeline import InputPipeline
from netbuilder.train.trainer import Trainer
from tests.export.export_helpers import EXAMPLES, Trained
from tests.train.conftest import image_net

onnxruntime = pytest.importorskip("onnxruntime")


def _import(path: Path):  # -> module
    name = f"_raw_export_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _app_outputs(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        out = model.eval()(x)
    return out[0] if isinstance(out, tuple | list) else out


def _score(out: torch.Tensor, y: torch.Tensor, task: str) -> float:
    if task == "classification":
        return float((out.argmax(1) == y).sum())
    return float(((out.double() - y.double().view_as(out)) ** 2).mean())


def _check_all_formats(
    tmp_path: Path, diagram, model, result, pipeline: InputPipeline
) -> dict[str, float]:
    """Export three ways, run each export on raw inputs, return each one's score."""
    bundle = result.data
    raw, prepared, targets = validation_samples(bundle)
    assert isinstance(bundle.val, TensorData) or bundle.files
    task = bundle.task
    app = _score(_app_outputs(model, prepared), targets, task)
    validation = ValidationSet(raw, prepared, targets, task)
    scores: dict[str, float] = {"app": app}

    pt2 = export_model(
        diagram,
        model,
        "pt2",
        tmp_path / "m.pt2",
        classes=result.classes,
        pipeline=pipeline,
        validation=validation,
    )
    assert any("raw validation samples" in n for n in pt2.notes)
    extra = {"netbuilder.json": ""}
    program = torch.export.load(tmp_path / "m.pt2", extra_files=extra).module()
    record = json.loads(extra["netbuilder.json"])
    assert record["normalisation_in_graph"] == pipeline.normalises
    assert InputPipeline.from_dict(record["input_pipeline"]) == pipeline
    with torch.no_grad():
        scores["pt2"] = _score(program(raw), targets, task)

    export_model(
        diagram, model, "onnx", tmp_path / "m.onnx", pipeline=pipeline, validation=validation
    )
    session = onnxruntime.InferenceSession(
        str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"]
    )
    feed = {session.get_inputs()[0].name: raw.numpy()}
    scores["onnx"] = _score(torch.from_numpy(session.run(None, feed)[0]), targets, task)
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["netbuilder"])["input_pipeline"] == pipeline.to_dict()

    export_model(
        diagram,
        model,
        "python",
        tmp_path / "py",
        classes=result.classes,
        pipeline=pipeline,
        validation=validation,
    )
    module = _import(tmp_path / "py" / "model.py")
    assert pipeline.to_dict() == module.PIPELINE
    out = module.predict(raw)
    if task == "classification":
        assert torch.allclose(out.sum(1), torch.ones(len(out)))  # probabilities
    scores["python"] = _score(out, targets, task)
    return scores


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_export_scores_like_the_app_on_raw_inputs(
    name: str, trained_examples: dict[str, Trained], tmp_path: Path
) -> None:
    t = trained_examples[name]
    pipeline = t.result.data.pipeline
    assert pipeline is not None
    scores = _check_all_formats(tmp_path, t.diagram, t.model, t.result, pipeline)
    if t.result.task == "classification":
        assert scores["pt2"] == scores["onnx"] == scores["python"] == scores["app"], scores
        metric = t.result.metrics["val_accuracy"][(t.result.best_epoch or 1) - 1]
        n = len(t.result.data.val)
        assert scores["app"] / n == pytest.approx(metric, abs=1.01 / n)  # the run's figure
    else:
        for fmt in ("pt2", "onnx", "python"):
            assert scores[fmt] == pytest.approx(scores["app"], rel=1e-5), scores


def _hard_png_folder(root: Path) -> Path:
    """Three overlapping brightness classes on odd-sized images: not every sample is easy,
    and every image needs resizing and cropping to the 16×16 input."""
    rng = np.random.default_rng(3)
    for label, centre in {"dim": 90, "mid": 128, "lit": 166}.items():
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(30):
            arr = np.clip(rng.normal(centre, 45, (21 + i % 5, 26, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(arr).save(folder / f"{label}_{i}.png")
    return root


def test_image_folder_exports_score_like_the_app_on_raw_pixels_and_files(
    tmp_path: Path,
) -> None:
    folder = _hard_png_folder(tmp_path / "images")
    diagram = image_net(channels=3, size=16, classes=3)
    config = TrainConfig(
        dataset=str(folder),
        epochs=3,
        device="cpu",
        batch_size=16,
        mixed_precision="off",
        dataset_options={"val_split": 0.3},
    )
    result = Trainer(diagram, config).run()
    assert result.ok and result.model is not None, result.error
    pipeline = result.data.pipeline
    assert pipeline.kind == "image" and pipeline.resize == 16 and pipeline.mean is not None
    scores = _check_all_formats(tmp_path, diagram, result.model, result, pipeline)
    assert scores["pt2"] == scores["onnx"] == scores["python"] == scores["app"], scores
    assert 0 < scores["app"] < len(result.data.val)  # a check that could tell them apart
    # The Python export's predict() on the validation image files themselves.
    module = _import(tmp_path / "py" / "model.py")
    files = result.data.files
    _, _, targets = validation_samples(result.data)
    assert _score(module.predict(files), targets, "classification") == scores["app"]


def test_a_wrong_pipeline_fails_the_raw_validation(tmp_path: Path) -> None:
    """The check can fail: an export baked with other statistics than training used.

    A hand-made model says "bright" when the normalised pixels sum above zero; with the
    true mean 0.5 it is always right, with a wrong mean of 0 it calls everything bright.
    """
    from netbuilder.core.compile import compile_diagram

    diagram = image_net(channels=1, size=8, classes=2)
    model = compile_diagram(diagram)
    with torch.no_grad():
        model.fc.weight.copy_(torch.stack([torch.ones(64), -torch.ones(64)]))
        model.fc.bias.zero_()
    gen = torch.Generator().manual_seed(0)
    raw = (
        torch.rand(40, 1, 8, 8, generator=gen) * 0.5 + torch.rand(40, 1, 1, 1, generator=gen) * 0.5
    )
    targets = (raw.mean(dim=(1, 2, 3)) <= 0.5).long()  # 0 = bright, 1 = dark
    right = image_pipeline_for_test([0.5], [0.25])
    prepared = right.preprocess(raw)
    validation = ValidationSet(raw, prepared, targets)
    ok = export_model(
        diagram, model, "pt2", tmp_path / "ok.pt2", pipeline=right, validation=validation
    )
    assert f"{len(raw)}/{len(raw)} right" in ok.summary()
    wrong = image_pipeline_for_test([0.0], [0.25])
    for fmt, out in (("pt2", "w.pt2"), ("onnx", "w.onnx"), ("python", "w")):
        with pytest.raises(VerificationError, match="raw validation samples"):
            export_model(diagram, model, fmt, tmp_path / out, pipeline=wrong, validation=validation)


def image_pipeline_for_test(mean: list[float], std: list[float]) -> InputPipeline:
    from netbuilder.train.pipeline import image_pipeline

    return image_pipeline([1, 8, 8], ["bright", "dark"], "test", 8, mean, std)


def test_without_baking_the_graph_takes_normalised_inputs(
    trained_examples: dict[str, Trained], tmp_path: Path
) -> None:
    t = trained_examples["lenet5"]
    pipeline = t.result.data.pipeline
    raw, prepared, targets = validation_samples(t.result.data)
    result = export_model(
        t.diagram,
        t.model,
        "pt2",
        tmp_path / "n.pt2",
        pipeline=pipeline,
        bake_normalisation=False,
        validation=ValidationSet(raw, prepared, targets),
    )
    assert any("as in the app" in n for n in result.notes)
    extra = {"netbuilder.json": ""}
    program = torch.export.load(tmp_path / "n.pt2", extra_files=extra).module()
    assert json.loads(extra["netbuilder.json"])["normalisation_in_graph"] is False
    with torch.no_grad():
        assert torch.equal(program(prepared[:4]), _app_outputs(t.model, prepared[:4]))


def test_table_exports_fill_gaps_and_standardise_raw_values(tmp_path: Path) -> None:
    """Raw column values with NaN for missing cells: the graph fills and standardises."""
    from tests.train.conftest import table_net

    rng = np.random.default_rng(5)
    lines = ["a,b,c,label"]
    for i in range(120):
        a, b, c = rng.normal(50, 20), rng.normal(0, 3), rng.normal(1000, 300)
        label = "hi" if a / 20 + b / 3 + rng.normal(0, 0.8) > 2.5 else "lo"
        cell = "" if i % 7 == 0 else f"{b:.3f}"
        lines.append(f"{a:.3f},{cell},{c:.1f},{label}")
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    diagram = table_net(3, 2)
    config = TrainConfig(
        dataset=str(tmp_path / "t.csv"),
        epochs=8,
        device="cpu",
        batch_size=16,
        mixed_precision="off",
        dataset_options={"missing": "fill_mean", "val_split": 0.4},
    )
    result = Trainer(diagram, config).run()
    assert result.ok and result.model is not None, result.error
    pipeline = result.data.pipeline
    raw, _, _ = validation_samples(result.data)
    assert torch.isnan(raw).any()  # the exports are given the gaps as they are
    scores = _check_all_formats(tmp_path, diagram, result.model, result, pipeline)
    assert scores["pt2"] == scores["onnx"] == scores["python"] == scores["app"], scores
    assert 0 < scores["app"] < len(raw)
