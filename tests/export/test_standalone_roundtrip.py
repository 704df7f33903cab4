"""Every example, trained briefly, exported in every format and run where NetBuilder is absent.

The exports are loaded in a fresh Python process (``python -I``, cwd outside the repo,
``sys.modules['netbuilder'] = None``) with nothing but torch (and onnxruntime), on a batch
size the export never saw, and compared with the in-app model reopened from its ``.pt``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from typing import Any

import pytest
import torch

from netbuilder.export import export_model
from netbuilder.export.verify import model_inputs
from netbuilder.train.checkpoint import build_model, load_checkpoint, save_checkpoint
from tests.export.export_helpers import EXAMPLES, Trained, outputs

HAVE_ORT = all(importlib.util.find_spec(p) for p in ("onnx", "onnxscript", "onnxruntime"))
TOLERANCE = 1e-5
BATCH = 5  # never used by the exporter (it traces with 2 and verifies with 3 and 1)

BLOCKED_RUNNER = r"""
import importlib.util, json, sys
sys.modules["netbuilder"] = None  # every ``import netbuilder...`` now raises ImportError
try:
    import netbuilder.core
except ImportError:
    pass
else:
    raise SystemExit("netbuilder is importable; the check would prove nothing")
import torch
torch.set_num_threads(1)

def diff(actual, expected):
    actual = list(actual) if isinstance(actual, (tuple, list)) else [actual]
    assert len(actual) == len(expected), (len(actual), len(expected))
    return max(float((torch.as_tensor(a) - e).abs().max()) for a, e in zip(actual, expected))

results = {}
for job in json.load(open(sys.argv[1])):
    ref = torch.load(job["reference"], weights_only=True)
    xs, expected = ref["inputs"], ref["outputs"]
    r = {}
    extra = {"netbuilder.json": ""}
    program = torch.export.load(job["pt2"], extra_files=extra)
    r["pt2_example_inputs"] = len(program.example_inputs[0])
    r["pt2_input_names"] = [i["name"] for i in json.loads(extra["netbuilder.json"])["inputs"]]
    with torch.no_grad():
        r["pt2"] = diff(program.module()(*xs), expected)
    spec = importlib.util.spec_from_file_location("exported_model", job["python"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with torch.no_grad():
        r["python"] = diff(module.load_model()(*xs), expected)
    r["classes"] = getattr(module, "CLASSES", [])
    if job.get("onnx"):
        import onnxruntime
        session = onnxruntime.InferenceSession(job["onnx"], providers=["CPUExecutionProvider"])
        feeds = {i.name: x.numpy() for i, x in zip(session.get_inputs(), xs)}
        r["onnx"] = diff([torch.from_numpy(o) for o in session.run(None, feeds)], expected)
    r["netbuilder_modules"] = sorted(m for m, v in sys.modules.items()
                                     if m.startswith("netbuilder") and v is not None)
    results[job["name"]] = r
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def exported(
    trained_examples: dict[str, Trained], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Save each trained model as .pt, reopen it, export every format, run them outside."""
    root = tmp_path_factory.mktemp("exports")
    jobs, in_app = [], {}
    for name, item in trained_examples.items():
        folder = root / name
        folder.mkdir()
        save_checkpoint(
            folder / "model.pt",
            item.diagram,
            item.model,
            metrics=item.result.metrics,
            classes=item.result.classes,
        )
        checkpoint = load_checkpoint(folder / "model.pt")
        model = build_model(checkpoint).eval()
        results = {
            fmt: export_model(
                checkpoint.diagram, model, fmt, folder / out, classes=item.result.classes
            )
            for fmt, out in (("pt2", "model.pt2"), ("python", "py/model.py"))
            + ((("onnx", "model.onnx"),) if HAVE_ORT else ())
        }
        xs = model_inputs(checkpoint.diagram).example(BATCH, seed=99)
        expected = outputs(model, *xs)
        torch.save({"inputs": list(xs), "outputs": expected}, folder / "reference.pt")
        in_app[name] = (item, model, results, xs)
        job = {
            "name": name,
            "reference": str(folder / "reference.pt"),
            "pt2": str(folder / "model.pt2"),
            "python": str(folder / "py" / "model.py"),
        }
        if HAVE_ORT:
            job["onnx"] = str(folder / "model.onnx")
        jobs.append(job)
    (root / "jobs.json").write_text(json.dumps(jobs))
    (root / "runner.py").write_text(BLOCKED_RUNNER)
    proc = subprocess.run(
        [sys.executable, "-I", str(root / "runner.py"), str(root / "jobs.json")],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"outside": json.loads(proc.stdout.strip().splitlines()[-1]), "in_app": in_app}


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("fmt", ["pt2", "python", "onnx"])
def test_export_runs_without_netbuilder(exported: dict[str, Any], name: str, fmt: str) -> None:
    if fmt == "onnx" and not HAVE_ORT:
        pytest.skip("onnx/onnxscript/onnxruntime not installed (pip install 'netbuilder[onnx]')")
    outside = exported["outside"][name]
    assert outside["netbuilder_modules"] == []
    assert outside[fmt] <= TOLERANCE, f"{name} {fmt}: largest difference {outside[fmt]:.3g}"
    _item, _model, results, _xs = exported["in_app"][name]
    assert results[fmt].max_abs_diff <= TOLERANCE
    assert all(p.exists() for p in results[fmt].paths)


@pytest.mark.parametrize("name", EXAMPLES)
def test_pt2_carries_example_inputs_and_description(exported: dict[str, Any], name: str) -> None:
    outside = exported["outside"][name]
    item, *_ = exported["in_app"][name]
    names = list(model_inputs(item.diagram).names)
    assert outside["pt2_example_inputs"] == len(names)
    assert outside["pt2_input_names"] == names
    assert outside["classes"] == item.result.classes  # python export: index → class name


def test_trained_weights_differ_from_fresh_ones(exported: dict[str, Any]) -> None:
    """The round trip is only meaningful if the exported weights are the trained ones."""
    from netbuilder.core.compile import compile_diagram

    item, model, _results, xs = exported["in_app"]["lenet5"]
    torch.manual_seed(int(item.diagram.training.get("seed", 0)))
    fresh = compile_diagram(item.diagram)
    gap = (outputs(fresh, *xs)[0] - outputs(model, *xs)[0]).abs().max().item()
    assert gap > 1e-3
