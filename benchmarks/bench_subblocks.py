"""Sub-blocks versus the same network written out flat: ``python benchmarks/bench_subblocks.py``.

A 120-use residual network (each use a Conv → BatchNorm → ReLU → Add ``Unit``, 480 blocks
when flat) is loaded, checked from cold, re-checked after an edit of one use and after an
edit inside the definition (which changes every use), compiled, and run forward. Each row
prints the median time with sub-blocks, flat, and their ratio (≤ 1: sub-blocks cost nothing
extra). ``--cpu`` measures this process's CPU time instead of wall time (busy machines).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

USES = 120
REPEAT = 6  # even: the edit rows toggle a value and end where they started


def build(uses: int = USES):
    """(network with ``uses`` uses of a ``Unit`` sub-block, the same network flat)."""
    from netbuilder.core.diagram import Diagram
    from netbuilder.core.subblock_edits import make_subblock

    d = Diagram()
    prev = d.add_node("ImageInput", {"channels": 8, "height": 16, "width": 16})
    units: list[list[str]] = []
    for _ in range(uses):
        conv = d.add_node("Conv2d", {"out_channels": 8, "padding": 1})
        bn = d.add_node("BatchNorm2d")
        act = d.add_node("ReLU")
        add = d.add_node("Add")
        d.connect(prev, "out", conv, "in")
        d.connect(conv, "out", bn, "in")
        d.connect(bn, "out", act, "in")
        d.connect(act, "out", add, "in1")
        d.connect(prev, "out", add, "in2")
        units.append([conv, bn, act, add])
        prev = add
    head = d.add_node("GlobalAvgPool")
    fc = d.add_node("Linear", {"out_features": 10})
    out = d.add_node("Output")
    d.connect(prev, "out", head, "in")
    d.connect(head, "out", fc, "in")
    d.connect(fc, "out", out, "in")
    flat = d.copy()
    prev = make_subblock(d, units[0], "Unit", {"width": (units[0][0], "out_channels")})
    for unit in units[1:]:
        after = [(e.target, e.target_port) for e in d.edges_from(unit[-1])]
        for nid in unit:
            d.remove_node(nid)
        use = d.add_node("Unit", {"width": 8})
        d.connect(prev, "out", use, "in")
        for target, port in after:
            d.connect(use, "out", target, port)
        prev = use
    return d, flat


def median(fn: Callable[[], object], clock: Callable[[], float]) -> float:
    times = []
    for _ in range(REPEAT):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def main() -> None:
    import torch

    from netbuilder.core import io
    from netbuilder.core.compile import compile_diagram
    from netbuilder.core.shapes import ShapeChecker

    clock = time.process_time if "--cpu" in sys.argv else time.perf_counter
    torch.set_num_threads(1)
    nested, flat = build()
    rows = []

    def both(label: str, make: Callable[[object], Callable[[], object]]) -> None:
        rows.append((label, median(make(nested), clock), median(make(flat), clock)))

    def load(d):
        text = io.dumps(d)
        return lambda: io.loads(text)

    both("load .nbd", load)
    both("check, cold", lambda d: lambda: ShapeChecker().check(d))

    def edit_use(d):
        checker = ShapeChecker()
        checker.check(d)
        last = [n for n, x in d.nodes.items() if x.type in ("Unit", "Conv2d")][-1]
        key = "width" if d.nodes[last].type == "Unit" else "out_channels"
        values = iter([9, 8] * REPEAT)

        def run():
            d.set_param(last, key, next(values))
            checker.check(d)

        return run

    both("re-check after editing the last block", edit_use)

    def edit_inside(d):
        checker = ShapeChecker()
        checker.check(d)
        body = d.definitions["Unit"].body if d.definitions else d
        convs = [n for n, x in body.nodes.items() if x.type == "Conv2d"]
        targets = convs if body is d else convs[:1]
        values = iter([False, True] * REPEAT)

        def run():
            value = next(values)
            for nid in targets:  # flat: the same change needs every copy edited
                body.set_param(nid, "bias", value)
            checker.check(d)

        return run

    both("edit every unit (inside the definition) + re-check", edit_inside)
    both("compile", lambda d: lambda: compile_diagram(d))
    x = torch.randn(8, 8, 16, 16)

    def forward(d):
        model = compile_diagram(d).eval()

        def run():
            with torch.no_grad():
                model(x)

        return run

    both("forward, batch 8", forward)
    n_nested, n_flat = len(nested.nodes), len(flat.nodes)
    print(f"{USES} residual units: {n_nested} top-level blocks with sub-blocks, {n_flat} flat")
    print(f"{'':52s} {'sub-blocks':>11s} {'flat':>11s} {'ratio':>7s}")
    for label, a, b in rows:
        print(f"{label:52s} {a * 1e3:9.1f}ms {b * 1e3:9.1f}ms {a / b:7.2f}")


if __name__ == "__main__":
    main()
