"""Command-line start-up. Run: ``python benchmarks/bench_cli.py`` (``--quick`` for a short run).

Each row runs one ``netbuilder`` command in a fresh process, interleaved with the reference,
``python -c "import json"`` (the cost of starting Python itself), in the same run. Reported:
median wall time and median CPU time (user + system of the child, which other jobs on a
shared machine disturb less), and the ratio of wall time to the reference's. Target: ``--help``
and ``check`` of the CNN example within 1.0 s wall on the 2-core machine (issue 15).

The last rows check many diagrams in one process (``netbuilder check a.nbd b.nbd ...``):
per-file cost once the process is up. ``import torch`` is shown for scale: what every
``check`` used to pay before shapes and parameter counts stopped needing torch.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "resources" / "examples"
CNN = EXAMPLES / "cnn_image_classifier.nbd"
TARGET_S = 1.0


def netbuilder() -> list[str]:
    """The installed console script when there is one (what users run), else ``-m``."""
    script = Path(sys.executable).with_name("netbuilder")
    return [str(script)] if script.exists() else [sys.executable, "-m", "netbuilder"]


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one run; output is discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(cases: dict[str, list[str]], reference: list[str], runs: int) -> dict:
    """Median (wall, cpu) per case and for the reference, runs interleaved."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    ref: list[tuple[float, float]] = []
    for name, argv in cases.items():
        timed(argv)  # warm the file cache
        for i in range(runs):
            pair = [("ref", reference), (name, argv)]
            for label, cmd in pair if i % 2 == 0 else pair[::-1]:
                (ref if label == "ref" else samples[name]).append(timed(cmd))
    median = {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }
    median["ref"] = (statistics.median(w for w, _ in ref), statistics.median(c for _, c in ref))
    return median


def many_files(folder: Path, count: int) -> list[str]:
    """``count`` copies of the examples (valid diagrams of every kind)."""
    sources = sorted(EXAMPLES.glob("*.nbd"))
    paths = []
    for i in range(count):
        path = folder / f"d{i:04d}.nbd"
        shutil.copyfile(sources[i % len(sources)], path)
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs per case, 100 files")
    args = parser.parse_args()
    runs, count = (3, 100) if args.quick else (11, 1000)
    nb = netbuilder()
    env_note = f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs"
    with tempfile.TemporaryDirectory() as tmp:
        files = many_files(Path(tmp), count)
        cases = {
            "netbuilder --help": [*nb, "--help"],
            "netbuilder --version": [*nb, "--version"],
            "netbuilder check cnn.nbd": [*nb, "check", str(CNN)],
            "netbuilder chekc (unknown command)": [*nb, "chekc"],
            f"netbuilder check ({count} files, one call)": [*nb, "check", "-q", *files],
            'python -c "import torch" (for scale)': [sys.executable, "-c", "import torch"],
        }
        result = measure(cases, [sys.executable, "-c", "import json"], runs)
    ref_wall, ref_cpu = result.pop("ref")
    print(f"bench_cli: {runs} runs per case, interleaved with the reference; {env_note}")
    print(
        f'reference python -c "import json": {ref_wall * 1e3:.0f} ms wall, '
        f"{ref_cpu * 1e3:.0f} ms CPU\n"
    )
    print("| command | wall | CPU | wall / reference | target |")
    print("|---|---|---|---|---|")
    for name, (wall, cpu) in result.items():
        target = f"≤ {TARGET_S:.1f} s" if "help" in name or "cnn.nbd" in name else ""
        print(
            f"| {name} | {wall * 1e3:.0f} ms | {cpu * 1e3:.0f} ms | "
            f"{wall / ref_wall:.1f} | {target} |"
        )
    wall, cpu = result[f"netbuilder check ({count} files, one call)"]
    one_wall = result["netbuilder check cnn.nbd"][0]
    print(f"\nmany files: {(wall - one_wall) / (count - 1) * 1e3:.2f} ms wall per extra file")
    failed = [n for n, (w, _) in result.items() if ("help" in n or "cnn.nbd" in n) and w > TARGET_S]
    print("targets met" if not failed else f"over target: {', '.join(failed)}")


if __name__ == "__main__":
    main()
