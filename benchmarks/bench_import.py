"""Importing ResNet-18 as a diagram. Run: ``python benchmarks/bench_import.py`` (``--quick``).

Three sources of the same network (the hand-written torchvision-equivalent ResNet-18 of
``tests/importers/zoo.py``, 11,689,512 parameters, input 3×64×64): the module itself, a
``.pt2`` program and an ONNX file (both written by NetBuilder's exporters from the imported
diagram). Each row times our import (read, map every node to a block, build and check the
diagram, load the weights, run it against the original on two batches) against what torch
or onnx does alone in the same run: ``torch.fx.symbolic_trace`` (+ one forward pass, as we
verify), ``torch.export.load`` and ``onnx.load`` (+ an onnxruntime session and one run).
Median wall time of ``runs`` runs of each (packages imported before timing); the ratio is
ours / reference.
"""

from __future__ import annotations

import argparse
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

from tests.importers.zoo import ResNet18, randomise_norms  # noqa: E402

SIZE = 64


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run per row")
    args = parser.parse_args()
    runs = 1 if args.quick else 3
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    torch.set_num_threads(1)

    try:  # imported once up front: the first import of onnx costs seconds, in every row
        import onnx.reference
        import onnxruntime
    except ImportError:
        pass
    from netbuilder.core.compile import compile_diagram
    from netbuilder.export import export_model
    from netbuilder.importers.onnx_model import import_onnx
    from netbuilder.importers.pt2 import import_pt2
    from netbuilder.importers.pytorch import import_module

    model = randomise_norms(ResNet18()).eval()
    shapes = [((1, 3, SIZE, SIZE), "float")]
    example = torch.randn(1, 3, SIZE, SIZE)

    def fx_reference() -> None:
        traced = torch.fx.symbolic_trace(model)
        with torch.no_grad():
            traced(example)

    result = import_module(model, shapes)
    diagram = result.diagram
    compiled = compile_diagram(diagram)
    compiled.load_state_dict(result.state_dict)
    tmp = Path(tempfile.mkdtemp(prefix="nb-bench-import-"))
    pt2, onnx_path = tmp / "resnet18.pt2", tmp / "resnet18.onnx"
    export_model(diagram, compiled, "pt2", pt2)
    rows: list[tuple[str, float, str, float]] = []
    rows.append(
        (
            "module (fx trace)",
            median_time(lambda: import_module(model, shapes), runs),
            "fx.symbolic_trace + forward",
            median_time(fx_reference, runs),
        )
    )
    rows.append(
        (
            ".pt2 program",
            median_time(lambda: import_pt2(pt2), runs),
            "torch.export.load",
            median_time(lambda: torch.export.load(pt2), runs),
        )
    )
    try:
        import onnx
        import onnxruntime

        export_model(diagram, compiled, "onnx", onnx_path)

        def onnx_reference() -> None:
            proto = onnx.load(onnx_path)
            session = onnxruntime.InferenceSession(
                proto.SerializeToString(), providers=["CPUExecutionProvider"]
            )
            session.run(None, {session.get_inputs()[0].name: example.numpy()})

        ours = median_time(lambda: import_onnx(onnx_path), runs)
        rows.append(
            ("ONNX file", ours, "onnx.load", median_time(lambda: onnx.load(onnx_path), runs))
        )
        rows.append(
            ("ONNX file", ours, "onnx.load + ORT session + run", median_time(onnx_reference, runs))
        )
    except ImportError:
        print("(onnx/onnxruntime not installed: ONNX rows skipped)")
    print(f"ResNet-18, 3×{SIZE}×{SIZE}, {result.parameter_count:,} parameters, {runs} run(s)\n")
    print("| source | ours (s) | reference | reference (s) | ratio |")
    print("|---|---|---|---|---|")
    for name, ours, ref_name, ref in rows:
        print(f"| {name} | {ours:.2f} | {ref_name} | {ref:.3f} | {ours / ref:.1f} |")


if __name__ == "__main__":
    main()
