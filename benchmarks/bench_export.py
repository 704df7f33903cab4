"""Export cost per example: NetBuilder's verified export vs the bare torch call it wraps.

    python benchmarks/bench_export.py [--repeat 3]

"reference" is what a hand-written script would do (torch.export.export + save,
torch.onnx.export + save, or generate the code + save the state_dict); "ours" adds the
safe reload, two verification batches and the metadata. The ratio column is
ours / reference (median of --repeat runs); the last column is the largest difference
the verification found.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from netbuilder.core.codegen import generate_code  # noqa: E402
from netbuilder.core.compile import compile_diagram  # noqa: E402
from netbuilder.core.io import load  # noqa: E402
from netbuilder.export import export_model  # noqa: E402
from netbuilder.export.verify import TRACE_BATCH, model_inputs  # noqa: E402


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), value


def reference_pt2(model: torch.nn.Module, xs: tuple[torch.Tensor, ...]) -> None:
    batch = torch.export.Dim("batch", min=1)
    program = torch.export.export(model, xs, dynamic_shapes=tuple({0: batch} for _ in xs))
    torch.export.save(program, io.BytesIO())


def reference_python(diagram: object, model: torch.nn.Module) -> None:
    generate_code(diagram)  # type: ignore[arg-type]
    torch.save(model.state_dict(), io.BytesIO())


def reference_onnx(model: torch.nn.Module, xs: tuple[torch.Tensor, ...], out: Path) -> None:
    batch = torch.export.Dim("batch", min=1)
    program = torch.onnx.export(
        model, xs, dynamo=True, dynamic_shapes=tuple({0: batch} for _ in xs), verbose=False
    )
    program.save(str(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    have_onnx = all(importlib.util.find_spec(p) for p in ("onnx", "onnxscript", "onnxruntime"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in sorted((ROOT / "resources" / "examples").glob("*.nbd")):
            diagram = load(path)
            model = compile_diagram(diagram).eval()
            xs = model_inputs(diagram).example(TRACE_BATCH)
            formats: list[tuple[str, Callable[[], object], str]] = [
                ("pt2", lambda m=model, x=xs: reference_pt2(m, x), "m.pt2"),
                ("python", lambda d=diagram, m=model: reference_python(d, m), "py/model.py"),
            ]
            if have_onnx:
                formats.append(
                    (
                        "onnx",
                        lambda m=model, x=xs: reference_onnx(m, x, folder / "r.onnx"),
                        "m.onnx",
                    )
                )
            for fmt, ref, out in formats:
                ref_s, _ = median_time(ref, args.repeat)
                ours_s, result = median_time(
                    lambda d=diagram, m=model, f=fmt, o=out: export_model(d, m, f, folder / o),
                    args.repeat,
                )
                rows.append((path.stem, fmt, ref_s, ours_s, result.max_abs_diff))  # type: ignore[attr-defined]
    header = ("example", "format", "reference s", "ours s", "ratio", "max diff")
    print("{:30} {:7} {:>12} {:>8} {:>6} {:>9}".format(*header))
    for name, fmt, ref_s, ours_s, diff in rows:
        ratio = f"{ours_s / ref_s:6.2f}" if ref_s > 1e-3 else "   n/a"
        print(f"{name:30} {fmt:7} {ref_s:12.3f} {ours_s:8.3f} {ratio} {diff:9.2e}")
    if not have_onnx:
        print("(ONNX skipped: pip install 'netbuilder[onnx]')")


if __name__ == "__main__":
    main()
