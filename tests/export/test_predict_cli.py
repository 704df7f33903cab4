"""`netbuilder predict`: images, tables and token text through the recorded pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from netbuilder.cli import main
from netbuilder.core.io import load
from netbuilder.export import export_model
from netbuilder.train.checkpoint import build_model, load_checkpoint, save_checkpoint
from netbuilder.train.config import TrainConfig
from netbuilder.train.trainer import Trainer
from tests.export.export_helpers import EXAMPLES_DIR, tiny_config
from tests.train.conftest import image_net, table_net, write_png_folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["predict", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _train_and_save(diagram, config: TrainConfig, path: Path):  # -> TrainResult
    result = Trainer(diagram, config).run()
    assert result.ok and result.model is not None, result.error
    save_checkpoint(
        path,
        diagram,
        result.model,
        config.to_dict(),
        result.metrics,
        result.classes,
        pipeline=result.data.pipeline,
    )
    return result


@pytest.fixture(scope="module")
def image_model(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("img")
    folder = write_png_folder(root / "images", per_class=10, size=20)
    config = TrainConfig(
        dataset=str(folder), epochs=2, device="cpu", batch_size=8, mixed_precision="off"
    )
    result = _train_and_save(image_net(3, 16, 2), config, root / "img.pt")
    return root, result


def test_images_by_file_and_folder_match_the_app(
    image_model, capsys: pytest.CaptureFixture[str]
) -> None:
    root, result = image_model
    files = result.data.files
    code, out, err = run(capsys, str(root / "img.pt"), *files, "--json", "-k", "2")
    assert code == 0, err
    got = json.loads(out)
    assert [g["input"] for g in got] == files
    with torch.no_grad():
        app = result.model.eval()(result.data.val.inputs).softmax(1)
    for g, p in zip(got, app, strict=True):
        assert g["top"][0]["class"] == result.classes[int(p.argmax())]
        assert g["top"][0]["probability"] == pytest.approx(float(p.max()), abs=1e-5)
        assert len(g["top"]) == 2
    code, out, err = run(capsys, str(root / "img.pt"), str(root / "images" / "val"))
    assert code == 0, err
    assert len(out.strip().splitlines()) == len(files)
    assert all("%" in line for line in out.splitlines())


def test_pt2_export_predicts_like_the_checkpoint(
    image_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = image_model
    ckpt = load_checkpoint(root / "img.pt")
    for bake in (True, False):
        pt2 = tmp_path / f"m{bake}.pt2"
        export_model(
            ckpt.diagram,
            build_model(ckpt),
            "pt2",
            pt2,
            classes=ckpt.classes,
            pipeline=ckpt.pipeline,
            bake_normalisation=bake,
        )
        folder = str(root / "images" / "val")
        _, from_pt, _ = run(capsys, str(root / "img.pt"), folder, "--json")
        code, from_pt2, err = run(capsys, str(pt2), folder, "--json")
        assert code == 0, err
        a, b = json.loads(from_pt), json.loads(from_pt2)
        assert [x["top"][0]["class"] for x in a] == [x["top"][0]["class"] for x in b]
        for x, y in zip(a, b, strict=True):
            assert x["top"][0]["probability"] == pytest.approx(y["top"][0]["probability"])


def test_an_image_of_another_size_is_resized_as_in_training(
    image_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = image_model
    arr = np.full((61, 47, 3), 230, np.uint8)
    Image.fromarray(arr).save(tmp_path / "big_bright.jpg")
    Image.fromarray(arr[:, :, 0]).save(tmp_path / "grey.png")  # 1 channel → converted
    code, out, err = run(
        capsys, str(root / "img.pt"), str(tmp_path / "big_bright.jpg"), str(tmp_path / "grey.png")
    )
    assert code == 0, err
    assert out.splitlines()[0].split(": ")[1].startswith("bright")


def test_bad_image_inputs_exit_2_naming_the_cause(
    image_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = image_model
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    code, out, err = run(capsys, str(root / "img.pt"), str(tmp_path / "broken.png"))
    assert code == 2 and out == ""
    assert "broken.png" in err and "Traceback" not in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, str(root / "img.pt"), str(tmp_path / "empty"))
    assert code == 2 and "holds no image files" in err
    code, _, err = run(capsys, str(root / "img.pt"), str(tmp_path / "nothing.png"))
    assert code == 2 and "no such image file" in err
    code, _, err = run(capsys, str(tmp_path / "missing.pt"), str(tmp_path / "broken.png"))
    assert code == 2 and "no such model file" in err


@pytest.fixture(scope="module")
def table_model(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("tab")
    rng = np.random.default_rng(1)
    lines = ["height,weight,age,kind"]
    for i in range(80):
        h, w, a = rng.normal(170, 10), rng.normal(70, 15), rng.integers(18, 80)
        kind = "big" if h + w > 240 else "small"
        cell = "" if i % 17 == 0 else f"{w:.2f}"  # some gaps, filled with training means
        lines.append(f"{h:.2f},{cell},{a},{kind}")
    (root / "people.csv").write_text("\n".join(lines) + "\n")
    config = TrainConfig(
        dataset=str(root / "people.csv"),
        epochs=30,
        device="cpu",
        batch_size=16,
        mixed_precision="off",
        dataset_options={"missing": "fill_mean"},
    )
    result = _train_and_save(table_net(3, 2), config, root / "tab.pt")
    return root, result


def test_csv_rows_by_column_name_with_gaps(
    table_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, result = table_model
    pipeline = result.data.pipeline
    assert pipeline.columns == ["height", "weight", "age"] and pipeline.fill is not None
    # Other column order, an extra column, no target, one missing cell.
    (tmp_path / "new.csv").write_text(
        "age,id,weight,height\n30,a,120,200\n40,b,50,150\n50,c,,150\n"
    )
    code, out, err = run(capsys, str(root / "tab.pt"), str(tmp_path / "new.csv"), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert [g["input"] for g in got] == ["new.csv:2", "new.csv:3", "new.csv:4"]
    raw = torch.tensor([[200.0, 120.0, 30.0], [150.0, 50.0, 40.0], [150.0, float("nan"), 50.0]])
    with torch.no_grad():
        app = result.model.eval()(pipeline.preprocess(raw)).softmax(1)
    for g, p in zip(got, app, strict=True):
        assert g["top"][0]["class"] == result.classes[int(p.argmax())]
        assert g["top"][0]["probability"] == pytest.approx(float(p.max()), abs=1e-5)
    assert got[0]["top"][0]["class"] == "big" and got[1]["top"][0]["class"] == "small"


def test_csv_missing_a_column_exits_2_naming_it(
    table_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = table_model
    (tmp_path / "short.csv").write_text("height,age\n170,30\n")
    code, out, err = run(capsys, str(root / "tab.pt"), str(tmp_path / "short.csv"))
    assert code == 2 and out == ""
    assert "no column(s) weight" in err and "height, weight, age" in err
    (tmp_path / "text.csv").write_text("height,weight,age\n170,heavy,30\n")
    code, _, err = run(capsys, str(root / "tab.pt"), str(tmp_path / "text.csv"))
    assert code == 2 and "column 'weight'" in err and "'heavy'" in err


def test_regression_prints_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diagram = load(EXAMPLES_DIR / "mlp_regressor.nbd")
    config = tiny_config(diagram)
    result = _train_and_save(diagram, config, tmp_path / "reg.pt")
    columns = result.data.pipeline.columns
    rows = result.data.raw_val[:3]
    text = (
        ",".join(columns) + "\n" + "\n".join(",".join(f"{v!r}" for v in r.tolist()) for r in rows)
    )
    (tmp_path / "rows.csv").write_text(text + "\n")
    code, out, err = run(capsys, str(tmp_path / "reg.pt"), str(tmp_path / "rows.csv"), "--json")
    assert code == 0, err
    values = [g["value"] for g in json.loads(out)]
    with torch.no_grad():
        app = result.model.eval()(result.data.val.inputs[:3]).flatten().tolist()
    assert values == pytest.approx(app, abs=1e-5)


@pytest.fixture(scope="module")
def token_model(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("tok")
    diagram = load(EXAMPLES_DIR / "transformer_text_classifier.nbd")
    result = _train_and_save(diagram, tiny_config(diagram), root / "tok.pt")
    return root, result


def test_token_text_and_text_files(
    token_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, result = token_model
    sample = result.data.raw_val[0].tolist()
    text = " ".join(str(t) for t in sample)
    (tmp_path / "texts.txt").write_text(f"{text}\n\n5 6 7\n")
    code, out, err = run(
        capsys, str(root / "tok.pt"), text, str(tmp_path / "texts.txt"), "--json", "-k", "4"
    )
    assert code == 0, err
    got = json.loads(out)
    assert len(got) == 3 and got[2]["input"] == "5 6 7"
    with torch.no_grad():
        app = result.model.eval()(result.data.val.inputs[:1]).softmax(1)[0]
    probs = {t["class"]: t["probability"] for t in got[0]["top"]}
    assert probs == pytest.approx(dict(zip(result.classes, app.tolist(), strict=True)), abs=1e-5)
    assert got[0] == got[1]  # the same text from the file


def test_bad_token_text_exits_2(token_model, capsys: pytest.CaptureFixture[str]) -> None:
    root, result = token_model
    code, _, err = run(capsys, str(root / "tok.pt"), "3 hello 4")
    assert code == 2 and "'hello' is not a token id" in err
    code, _, err = run(capsys, str(root / "tok.pt"), "3 999 4")
    assert code == 2 and "999 is outside the vocabulary" in err
    too_long = " ".join(["1"] * (result.data.pipeline.shape[0] + 1))
    code, _, err = run(capsys, str(root / "tok.pt"), too_long)
    assert code == 2 and "at most" in err


def test_sequence_csv_of_time_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    diagram = load(EXAMPLES_DIR / "lstm_sequence_classifier.nbd")
    result = _train_and_save(diagram, tiny_config(diagram), tmp_path / "seq.pt")
    steps = result.data.raw_val[0]  # T × F
    header = ",".join(f"f{j}" for j in range(steps.shape[1]))
    body = "\n".join(",".join(f"{v!r}" for v in row) for row in steps.tolist())
    (tmp_path / "wave.csv").write_text(f"{header}\n{body}\n")
    code, out, err = run(capsys, str(tmp_path / "seq.pt"), str(tmp_path / "wave.csv"), "--json")
    assert code == 0, err
    with torch.no_grad():
        app = result.model.eval()(result.data.val.inputs[:1]).softmax(1)[0]
    top = json.loads(out)[0]["top"][0]
    assert top["class"] == result.classes[int(app.argmax())]
    assert top["probability"] == pytest.approx(float(app.max()), abs=1e-5)
    (tmp_path / "short.csv").write_text("1,2\n3,4\n")
    code, _, err = run(capsys, str(tmp_path / "seq.pt"), str(tmp_path / "short.csv"))
    assert code == 2 and "the model takes" in err
