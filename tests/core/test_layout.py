"""Layered layout and wire routing: no wire passes behind a block it does not connect."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from netbuilder.core.diagram import Diagram
from netbuilder.core.geometry import Cards
from netbuilder.core.io import load
from netbuilder.core.layout import COLUMN_GAP, layout, route_diagram
from netbuilder.core.routing import (
    WORK_LIMIT,
    Obstacles,
    Router,
    Wire,
    polyline,
    segment_hits_rect,
)
from netbuilder.resources import EXAMPLES_DIR

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.nbd"))


def residual_network(n_blocks: int) -> Diagram:
    """Conv → BN → ReLU → Add(skip) stages until ``n_blocks`` blocks, then a head."""
    d = Diagram()
    prev = d.add_node("ImageInput", {"channels": 8, "height": 16, "width": 16})
    while len(d.nodes) < n_blocks - 3:
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
    for t, params in (("GlobalAvgPool", {}), ("Linear", {"out_features": 10}), ("Output", {})):
        nid = d.add_node(t, params)
        d.connect(prev, "out", nid, "in")
        prev = nid
    return d


def crossings(d: Diagram, positions: dict) -> list[tuple[str, str, list[str]]]:
    cards = Cards(d)
    obstacles = Obstacles({n: cards.rect(n, positions[n]) for n in d.nodes})
    routes = route_diagram(d, positions)
    assert set(routes) == set(d.edges)
    bad = []
    for edge, route in routes.items():
        hit = obstacles.hits(polyline(route), (edge.source, edge.target))
        if hit:
            bad.append((edge.source, edge.target, hit))
    return bad


def extent(d: Diagram, positions: dict) -> tuple[float, float]:
    cards = Cards(d)
    rects = [cards.rect(n, positions[n]) for n in d.nodes]
    width = max(r[2] for r in rects) - min(r[0] for r in rects)
    height = max(r[3] for r in rects) - min(r[1] for r in rects)
    return width, height


def overlapping_blocks(d: Diagram, positions: dict) -> list[tuple[str, str]]:
    cards = Cards(d)
    rects = {n: cards.rect(n, positions[n]) for n in d.nodes}
    ids = list(rects)
    return [
        (a, b)
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
        if rects[a][0] < rects[b][2]
        and rects[b][0] < rects[a][2]
        and rects[a][1] < rects[b][3]
        and rects[b][1] < rects[a][3]
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("wrap", [False, True], ids=["row", "wrap"])
def test_examples_wires_never_pass_behind_blocks(path, wrap: bool) -> None:
    d = load(path)
    positions = layout(d, wrap=wrap)
    assert overlapping_blocks(d, positions) == []
    assert crossings(d, positions) == []
    if wrap:
        w, h = extent(d, positions)
        assert 1 / 3 <= w / h <= 3, (w, h)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_as_saved_are_laid_out_and_clear(path) -> None:
    d = load(path)
    saved = {n: node.position for n, node in d.nodes.items()}
    assert crossings(d, saved) == []


@pytest.mark.parametrize("wrap", [False, True], ids=["row", "wrap"])
def test_200_block_residual_network(wrap: bool) -> None:
    d = residual_network(200)
    assert len(d.nodes) == 200
    positions = layout(d, wrap=wrap)
    assert overlapping_blocks(d, positions) == []
    assert crossings(d, positions) == []
    w, h = extent(d, positions)
    if wrap:
        assert 1 / 3 <= w / h <= 3, (w, h)
    else:
        assert h < 400, "one row: the skips run above or below the chain"


def test_skip_connections_are_routed_around_the_chain() -> None:
    d = residual_network(12)
    positions = layout(d)
    routes = route_diagram(d, positions)
    skips = [e for e in d.edges if e.target_port == "in2"]
    chain = [e for e in d.edges if e.target_port != "in2"]
    assert skips and all(len(routes[e]) > 2 for e in skips), "skips bend around the blocks"
    assert all(len(routes[e]) == 2 for e in chain), "neighbours keep the plain curve"
    # each skip leaves its source rightwards and enters its target from the left
    for e in skips:
        r = routes[e]
        assert r[1][0] > r[0][0] and r[-2][0] < r[-1][0]


def test_chain_is_one_straight_row() -> None:
    d = residual_network(8)
    positions = layout(d)
    xs = sorted({round(p[0]) for p in positions.values()})
    assert xs == [round(i * COLUMN_GAP) for i in range(len(xs))]
    chain_nodes = [n for n in d.nodes if d.nodes[n].type != "Add"]
    tops = {round(positions[n][1] + Cards(d).height(n) / 2) for n in chain_nodes[:4]}
    assert len(tops) == 1, "a chain's blocks are level"


def test_user_positions_backwards_wire_goes_around() -> None:
    """A wire to a block placed left of its source loops around both, not through them."""
    rects = {"a": (400.0, 0.0, 556.0, 75.0), "b": (0.0, 0.0, 156.0, 75.0)}
    router = Router(rects)
    route = router.route(Wire("w", (556.0, 37.0), (0.0, 37.0), "a", "b"))
    assert len(route) > 2
    pts = polyline(route)
    for a, b in itertools.pairwise(pts):
        for r in rects.values():
            assert not segment_hits_rect(a, b, r)


def test_parallel_lanes_keep_apart() -> None:
    rects = {"mid": (300.0, 0.0, 456.0, 75.0)}
    router = Router(rects)
    a = router.route(Wire(1, (100.0, 37.0), (700.0, 37.0), "s1", "t1"))
    b = router.route(Wire(2, (110.0, 37.0), (690.0, 37.0), "s2", "t2"))
    lane_a = {p[1] for p in a[2:-2]}
    lane_b = {p[1] for p in b[2:-2]}
    assert lane_a and lane_b and lane_a.isdisjoint(lane_b)


def test_layout_modules_import_neither_qt_nor_torch() -> None:
    """Importers and the CLI lay out diagrams without Qt, and without waiting for torch.

    (The ``netbuilder.core`` package itself still loads the block library, which uses
    torch; these modules add no import of their own.)
    """
    import ast
    import importlib

    for name in ("netbuilder.core.layout", "netbuilder.core.routing", "netbuilder.core.geometry"):
        module = importlib.import_module(name)
        tree = ast.parse(Path(module.__file__).read_text("utf-8"))
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        assert not [m for m in names if m.split(".")[0] in ("torch", "PySide6")], (name, names)
        assert "netbuilder.core.blocks" not in names, f"{name} loads the block library lazily"


def test_routing_work_is_bounded_for_blocks_piled_on_one_spot() -> None:
    """A file with every block at (0, 0) (as scripts write them) must not freeze the
    editor: wires between overlapping blocks take the plain curve, and the whole pass
    stops trying detours after a fixed amount of work."""
    d = residual_network(500)
    piled = dict.fromkeys(d.nodes, (0.0, 0.0))
    routes = route_diagram(d, piled)
    assert all(len(r) == 2 for r in routes.values())
    spread = {n: ((i % 7) * 40.0, (i // 7) * 30.0) for i, n in enumerate(d.nodes)}  # overlapping
    cards = Cards(d)
    rects = {n: cards.rect(n, spread[n]) for n in d.nodes}
    router = Router(rects)
    wires = [
        Wire(
            e,
            cards.port(e.source, e.source_port, True, spread[e.source]),
            cards.port(e.target, e.target_port, False, spread[e.target]),
            e.source,
            e.target,
        )
        for e in d.edges
    ]
    for w in wires:
        router.route(w)
    assert router.obstacles.work <= WORK_LIMIT + 50_000
