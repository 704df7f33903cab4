"""Editor speed on a 500-block diagram, offscreen: ``python benchmarks/bench_gui.py``.

``--cpu`` measures this process's CPU time instead of wall time (for busy machines).
Measures what a user feels: opening (load, scene, auto-layout, first check, first paint),
one parameter edit until the canvas is repainted, and one pan or zoom frame with every
block in view. Prints medians and the ratio to each target (ratio ≤ 1 meets it).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

N_NODES = 500


def build_big(n: int = N_NODES):
    """A residual CNN-like chain: Conv → BatchNorm → ReLU → Add(skip) blocks, then a head."""
    from netbuilder.core.diagram import Diagram

    d = Diagram()
    prev = d.add_node("ImageInput", {"channels": 8, "height": 16, "width": 16})
    i = 0
    while len(d.nodes) < n - 4:
        conv = d.add_node("Conv2d", {"out_channels": 8, "padding": 1, "kernel_size": 3})
        bn = d.add_node("BatchNorm2d")
        act = d.add_node("ReLU")
        add = d.add_node("Add")
        d.connect(prev, "out", conv, "in")
        d.connect(conv, "out", bn, "in")
        d.connect(bn, "out", act, "in")
        d.connect(act, "out", add, "in1")
        d.connect(prev, "out", add, "in2")
        prev = add
        i += 1
    for t, params in (
        ("GlobalAvgPool", {}),
        ("Linear", {"out_features": 10}),
        ("Output", {}),
    ):
        nid = d.add_node(t, params)
        d.connect(prev, "out", nid, "in")
        prev = nid
    return d


def build_big_subblocks(n: int = N_NODES):
    """500 blocks of which a quarter are uses of one ``ResUnit`` sub-block (Conv → BatchNorm
    → ReLU → Add with its skip), alternating with plain Conv → BatchNorm → ReLU stacks: each
    use is checked through its body, so the check does the work of about 900 blocks."""
    from netbuilder.core.diagram import Diagram
    from netbuilder.core.subblock_edits import make_subblock

    d = Diagram()
    prev = d.add_node("ImageInput", {"channels": 8, "height": 16, "width": 16})
    conv = d.add_node("Conv2d", {"out_channels": 8, "padding": 1, "kernel_size": 3})
    bn, act, add = d.add_node("BatchNorm2d"), d.add_node("ReLU"), d.add_node("Add")
    d.connect(prev, "out", conv, "in")
    d.connect(conv, "out", bn, "in")
    d.connect(bn, "out", act, "in")
    d.connect(act, "out", add, "in1")
    d.connect(prev, "out", add, "in2")
    out = d.add_node("GlobalAvgPool")
    d.connect(add, "out", out, "in")
    prev = make_subblock(d, [conv, bn, act, add], "ResUnit", {"width": (conv, "out_channels")})
    d.remove_node(out)
    while len(d.nodes) < n - 3:
        conv = d.add_node("Conv2d", {"out_channels": 8, "padding": 1, "kernel_size": 3})
        bn, act = d.add_node("BatchNorm2d"), d.add_node("ReLU")
        use = d.add_node("ResUnit", {"width": 8})
        for a, b in ((prev, conv), (conv, bn), (bn, act), (act, use)):
            d.connect(a, "out", b, "in")
        prev = use
    for t, params in (("GlobalAvgPool", {}), ("Linear", {"out_features": 10}), ("Output", {})):
        nid = d.add_node(t, params)
        d.connect(prev, "out", nid, "in")
        prev = nid
    return d


CLOCK = time.perf_counter


def median_ms(fn, repeat: int, settle=None) -> float:
    """Median time of ``fn``; ``settle`` (untimed) runs after each call, so work that
    ``fn`` leaves running in the background (the cost profile) is not counted in the
    next call's CPU time."""
    times = []
    for _ in range(repeat):
        t0 = CLOCK()
        fn()
        times.append((CLOCK() - t0) * 1000)
        if settle is not None:
            settle()
    return statistics.median(times)


def main() -> int:
    global CLOCK
    if "--cpu" in sys.argv:  # CPU time of this process: steadier on a busy shared machine
        CLOCK = time.process_time
    from PySide6.QtCore import QSettings

    from netbuilder.core import shapes
    from netbuilder.core.io import save
    from netbuilder.core.profile import _CACHE as profile_cache
    from netbuilder.gui.app import ensure_app
    from netbuilder.gui.main_window import MainWindow

    app = ensure_app()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    diagram = build_big()
    path = Path(tempfile.mkdtemp()) / "big.nbd"
    save(diagram, path)
    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    vp = window.view.viewport()

    def open_layout_check_paint() -> None:
        shapes._DEFAULT._cache.clear()  # a cold first check every time
        window.session.undo_stack.setClean()
        assert window.files.open(path, ask=False)
        window.editor.auto_layout()
        app.processEvents()  # the wire routing that follows a layout, as a user waits for it
        window.view.fit()
        vp.repaint()

    from netbuilder.gui.cost import CostView

    cost = CostView.of(window.session)
    cost.wait()  # the profiler's one-time start-up (imports) is not a diagram's cost
    t_open = median_ms(open_layout_check_paint, 3, settle=cost.wait)

    def profile_in_background() -> None:  # what the cost view does after an open
        profile_cache.clear()  # every block worked out again, as for a new diagram
        cost.update_now()
        cost.wait()

    t_profile = median_ms(profile_in_background, 3)
    assert len(window.scene.nodes) == len(diagram.nodes) and window.session.analysis.ok

    # the layered layout of a 500-block chain is one very long row; for the frame timings
    # put the blocks in a 25×20 grid so all of them are in view at a zoom where they show
    nodes = window.session.diagram.nodes
    old = {nid: n.position for nid, n in nodes.items()}
    grid = {nid: ((i % 25) * 240.0, (i // 25) * 150.0) for i, nid in enumerate(nodes)}
    window.editor.move(old, grid)
    window.view.fit()  # every block in view: the worst frame
    vp.repaint()
    zoom_all = window.view.zoom

    convs = [n for n, node in window.session.diagram.nodes.items() if node.type == "Conv2d"]
    target = convs[len(convs) // 2]
    values = iter(range(9, 10_000))

    def edit_param() -> None:
        window.editor.set_param(target, "kernel_size", 3 + 2 * (next(values) % 2))
        vp.repaint()

    t_edit = median_ms(edit_param, 15)

    steps = iter(range(10_000))

    def pan_frame() -> None:
        # as the user sees it: the view scrolls its pixels and paints only the strip that
        # comes into view (a forced full repaint is measured separately below)
        window.view.pan_by(3 if next(steps) % 2 else -3, 0)
        app.processEvents()

    def full_repaint() -> None:
        vp.repaint()

    def zoom_frame() -> None:
        window.view.zoom_by(1.02 if next(steps) % 2 else 1 / 1.02)
        vp.repaint()

    t_pan = median_ms(pan_frame, 30)
    t_full = median_ms(full_repaint, 30)
    t_zoom = median_ms(zoom_frame, 30)
    window.view.resetTransform()
    window.view.centerOn(window.scene.nodes[target])
    t_pan_near = median_ms(pan_frame, 30)
    t_edit_near = median_ms(edit_param, 15)

    rows = [
        (f"open + layout + first check + paint ({len(diagram.nodes)} blocks)", t_open, 1000.0),
        ("  then: cost profile + memory prediction (worker thread)", t_profile, 1000.0),
        ("one parameter edit → repainted canvas, all in view", t_edit, 50.0),
        ("one parameter edit → repainted canvas at 100% zoom", t_edit_near, 50.0),
        (f"pan frame, all blocks in view (zoom {zoom_all:.2f})", t_pan, 16.0),
        (f"zoom frame, all blocks in view (zoom {zoom_all:.2f})", t_zoom, 16.0),
        (f"full repaint, all blocks in view (zoom {zoom_all:.2f})", t_full, 16.0),
        ("pan frame at 100% zoom", t_pan_near, 16.0),
    ]
    rows += subblock_rows(app, window)
    clock = "CPU" if CLOCK is time.process_time else "wall"
    print(f"{'measure (' + clock + ' time)':58} {'median ms':>10} {'target ms':>10} {'ratio':>7}")
    for name, ms, tgt in rows:
        print(f"{name:58} {ms:10.1f} {tgt:10.0f} {ms / tgt:7.2f}")
    window.session.undo_stack.setClean()
    window.close()
    return 0


def subblock_rows(app, window) -> list[tuple[str, float, float]]:
    """The same measures on a 500-block diagram whose blocks are a quarter sub-block uses,
    plus an edit inside the definition (every use re-checked) and going in and out of it."""
    from netbuilder.core import shapes
    from netbuilder.core.io import save

    diagram = build_big_subblocks()
    uses = [n for n, node in diagram.nodes.items() if node.type == "ResUnit"]
    path = Path(tempfile.mkdtemp()) / "big_subblocks.nbd"
    save(diagram, path)
    vp = window.view.viewport()
    scope = window.session.scope

    def open_layout_check_paint() -> None:
        shapes._DEFAULT._cache.clear()
        window.session.undo_stack.setClean()
        assert window.files.open(path, ask=False)
        window.editor.auto_layout()
        app.processEvents()
        window.view.fit()
        vp.repaint()

    from netbuilder.gui.cost import CostView

    cost = CostView.of(window.session)
    t_open = median_ms(open_layout_check_paint, 3, settle=cost.wait)
    assert len(window.scene.nodes) == len(diagram.nodes) and window.session.analysis.ok
    nodes = window.session.diagram.nodes
    old = {nid: n.position for nid, n in nodes.items()}
    grid = {nid: ((i % 25) * 240.0, (i // 25) * 150.0) for i, nid in enumerate(nodes)}
    window.editor.move(old, grid)
    window.view.fit()
    vp.repaint()
    widths = iter(range(10_000))
    target = uses[len(uses) // 2]

    def edit_use() -> None:  # an exposed setting of one use: that use's body re-checked
        window.editor.set_param(target, "width", 8 + 8 * (next(widths) % 2))
        vp.repaint()

    t_use = median_ms(edit_use, 15)
    t_pan = median_ms(lambda: (window.view.pan_by(3, 0), app.processEvents()), 30)
    window.editor.set_param(target, "width", 8)

    def open_definition() -> None:
        window.subblocks.open_node(target)
        vp.repaint()

    def back() -> None:
        scope.up()
        vp.repaint()

    t_in = median_ms(lambda: (open_definition(), back()), 5)
    t_back = median_ms(lambda: (open_definition(), back()), 1)  # one more, to split below
    open_definition()
    body_conv = next(n for n, node in scope.diagram.nodes.items() if node.type == "Conv2d")
    flips = iter(range(10_000))

    def edit_definition() -> None:  # every use changes: all of them re-checked
        window.editor.set_param(body_conv, "bias", bool(next(flips) % 2))
        vp.repaint()

    t_def = median_ms(edit_definition, 15)
    assert window.session.analysis.ok
    back()
    n = len(diagram.nodes)
    return [
        (f"sub-blocks: open + layout + check + paint ({n}, {len(uses)} uses)", t_open, 1000.0),
        ("sub-blocks: edit a use's exposed setting → repainted", t_use, 50.0),
        ("sub-blocks: edit inside the definition → all uses re-checked", t_def, 50.0),
        ("sub-blocks: pan frame, all blocks in view", t_pan, 16.0),
        ("sub-blocks: open the definition and go back (two scenes)", t_in, 1000.0),
        ("sub-blocks: (one more round trip, for its spread)", t_back, 1000.0),
    ]


if __name__ == "__main__":
    sys.exit(main())
