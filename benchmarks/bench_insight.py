"""Insight benchmarks (issue 13): what looking inside costs.

    python benchmarks/bench_insight.py            # both parts
    python benchmarks/bench_insight.py --quick    # smoke run
    python benchmarks/bench_insight.py --gui-capture  # (a) with the Inside panel's capture

(a) Training throughput with the insight hooks at their default intervals (gradient health
every 20 steps with the per-step weight copy that locates NaNs, activation capture every
100 steps) against the same run without hooks: the CNN and Transformer examples, same data,
same seed, same process, alternating plain / hooked runs and keeping each side's best (the
machine is shared). Target: ratio ≥ 0.95 (hooks cost ≤ 5 %).

(c) ``--gui``: the GUI thread's time to redraw the cost overlay on that diagram and the
gradient-flow chart, against a 60 Hz frame (16.7 ms).

(b) Profiling a 500-block diagram (FLOPs, parameters, activation and saved memory per
block, and the training-memory prediction), cold (empty cache) and after one parameter
edit. Target: ≤ 1 s cold.

Single-threaded torch; times are process CPU time, so other jobs on the machine count less.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_core import big_diagram  # noqa: E402
from netbuilder.core import profile as profile_module  # noqa: E402
from netbuilder.core.io import load  # noqa: E402
from netbuilder.core.profile import profile  # noqa: E402
from netbuilder.core.shapes import ShapeChecker  # noqa: E402
from netbuilder.train.capture import ActivationCapture  # noqa: E402
from netbuilder.train.config import TrainConfig  # noqa: E402
from netbuilder.train.health import HealthMonitor  # noqa: E402
from netbuilder.train.inside import SampleCapture  # noqa: E402
from netbuilder.train.memory import predict_memory  # noqa: E402
from netbuilder.train.sources import load_data  # noqa: E402
from netbuilder.train.trainer import Trainer  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"


def _capture(gui: bool) -> ActivationCapture:
    """The CLI's capture, or the GUI's (the chosen validation sample, bigger captures)."""
    return SampleCapture() if gui else ActivationCapture()


#: CPU seconds spent inside the hooks' own methods during the last hooked run
_inside_hooks = [0.0]


def _timed(hook: object) -> object:
    """``hook`` with its per-step methods timed into ``_inside_hooks``: what the hooks add
    to a step, measured directly (a whole run's time varies ±10 % on a shared machine)."""
    for name in ("after_backward", "after_step", "on_epoch_end"):
        method = getattr(hook, name)

        def timed(*args, _method=method, **kwargs):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return _method(*args, **kwargs)
            finally:
                _inside_hooks[0] += time.process_time() - start

        setattr(hook, name, timed)
    return hook


def _run_seconds(diagram, cfg, data, hooked: bool, gui: bool = False) -> float:  # type: ignore[no-untyped-def]
    hooks = [HealthMonitor(), _capture(gui)] if hooked else []
    _inside_hooks[0] = 0.0
    trainer = Trainer(diagram, cfg, data, hooks=[_timed(h) for h in hooks], on_event=lambda e: None)
    start = time.process_time()
    result = trainer.run()
    elapsed = time.process_time() - start
    assert result.ok, result.error
    if hooked:
        assert hooks[0].blocks and hooks[1].captures  # type: ignore[attr-defined]
    return elapsed


Row = tuple[str, float, float, float, float]


def bench_hooks(pairs: int, epochs: int, gui: bool = False) -> list[Row]:
    rows = []
    for name in ("cnn_image_classifier", "transformer_text_classifier"):
        diagram = load(EXAMPLES / f"{name}.nbd")
        cfg = TrainConfig.from_dict(diagram.training).replace(device="cpu", epochs=epochs)
        data = load_data(cfg, diagram)
        _run_seconds(diagram, cfg, data, False)  # warm-up
        plain, hooked, shares = [], [], []
        for i in range(pairs):
            order = (False, True) if i % 2 == 0 else (True, False)
            for h in order:
                seconds = _run_seconds(diagram, cfg, data, h, gui)
                (hooked if h else plain).append(seconds)
                if h:
                    shares.append(_inside_hooks[0] / seconds)
        best_plain, best_hooked = min(plain), min(hooked)
        direct = 1.0 - max(shares)  # throughput left after the hooks' own time, worst run
        rows.append((name, best_plain, best_hooked, best_plain / best_hooked, direct))
    return rows


def bench_profile(runs: int) -> list[tuple[str, float]]:
    d = big_diagram(500)
    checker = ShapeChecker()
    analysis = checker.check(d)
    assert analysis.ok, analysis.errors[:3]
    config = TrainConfig(device="cpu")
    cold = []
    for _ in range(runs):
        profile_module._CACHE.clear()
        start = time.process_time()
        prof = profile(d, analysis)
        predict_memory(d, config, 64, "cpu", analysis=analysis, prof=prof)
        cold.append(time.process_time() - start)
    assert prof.complete, prof.unknown
    # one edit: a BatchNorm momentum (that block is profiled again, the rest is cached)
    bn = next(n for n in d.nodes.values() if n.type == "BatchNorm2d")
    edited = []
    for i in range(runs):
        d.set_param(bn.id, "momentum", 0.2 + i / 100)
        analysis = checker.check(d)
        start = time.process_time()
        prof = profile(d, analysis)
        predict_memory(d, config, 64, "cpu", analysis=analysis, prof=prof)
        edited.append(time.process_time() - start)
    return [
        (f"profile + memory prediction, {len(d)} blocks, cold", min(cold)),
        ("profile + memory prediction after one edit", min(edited)),
    ]


def bench_gui(runs: int) -> list[tuple[str, float, float]]:
    """(c) GUI-thread time of one redraw: the cost overlay on the 502-block diagram (a mark
    per block, after each check) and the gradient-flow chart of 100 blocks with 20 samples
    (at most twice a second while training), against a 60 Hz frame. The profile itself
    runs on a worker thread and is not counted here."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from netbuilder.gui.cost import CostView
    from netbuilder.gui.docks.gradient_flow import GradientFlowChart
    from netbuilder.gui.health_view import HealthSample, RunHealth
    from netbuilder.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    window.session.replace(big_diagram(500), None)
    CostView.of(window.session).wait()
    overlay = window.insight.cost
    overlay.set_shown(True)

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(runs):
            start = time.thread_time()
            fn()
            app.processEvents()
            times.append(time.thread_time() - start)
        return min(times)

    reference = 1 / 60  # a frame at 60 Hz: what one redraw may take at most
    rows = [
        ("cost overlay redraw, 502 blocks", best(overlay.refresh), reference),
    ]
    flow = GradientFlowChart()
    flow.resize(900, 500)
    flow.show()
    run = RunHealth("bench")
    blocks = [f"b{i}" for i in range(100)]
    for step in range(1, 400, 20):
        run.add(HealthSample(step, tuple((b, 0.1 + i / 100, 1e-3) for i, b in enumerate(blocks))))
    rows.append(
        (
            "gradient-flow redraw, 100 blocks x 20 samples",
            best(lambda: flow.show_run(run)),
            reference,
        )
    )
    overlay.set_shown(False)
    window.session.undo_stack.setClean()
    window.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--gui", action="store_true", help="only (c): the GUI side")
    parser.add_argument(
        "--gui-capture",
        action="store_true",
        help="capture as the GUI's Inside panel does (train.inside.SampleCapture)",
    )
    args = parser.parse_args()
    if args.gui:
        print("(c) GUI thread per redraw, against a 60 Hz frame (16.7 ms)")
        print(f"  {'case':48s} {'ms':>8s} {'frame ms':>13s} {'ratio':>6s}")
        for label, seconds, ref in bench_gui(3 if args.quick else 10):
            print(f"  {label:48s} {seconds * 1000:8.1f} {ref * 1000:13.1f} {seconds / ref:6.2f}")
        return
    torch.set_num_threads(1)
    print("(b) profiling a large diagram (target: cold <= 1 s)")
    for label, seconds in bench_profile(1 if args.quick else 3):
        print(f"  {label:50s} {seconds * 1000:8.1f} ms")
    print("(a) training throughput with insight hooks at default intervals (target >= 0.95)")
    print("    ratio: best plain run / best hooked run (whole runs: the shared machine's noise")
    print("    is about ±10 %); direct: 1 - the hooks' own share of a hooked run's CPU time")
    print(f"  {'example':32s} {'plain s':>8s} {'hooked s':>9s} {'ratio':>6s} {'direct':>7s}")
    pairs, epochs = (1, 1) if args.quick else (3, 2)
    for name, plain, hooked, ratio, direct in bench_hooks(pairs, epochs, args.gui_capture):
        print(f"  {name:32s} {plain:8.2f} {hooked:9.2f} {ratio:6.3f} {direct:7.3f}")


if __name__ == "__main__":
    main()
