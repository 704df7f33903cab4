"""Layered layout, like a Mermaid ``graph LR``, that may wrap long chains into rows.

1. Layers: each block goes one column right of its furthest predecessor (networkx's
   topological order; blocks on a loop, which the checker reports, go last).
2. Crossing reduction: the blocks of each column are ordered by the mean position of
   their neighbours in the column before (and, sweeping back, after), a few sweeps.
3. Placement: each block sits level with its predecessors where the column has room,
   so chains are straight lines and branches fan out around them.
4. Wrapping (optional): the columns are cut into rows read left to right, top to bottom,
   as many per row as give the picture the wanted aspect ratio (a slide is 16:9); the
   channel between rows is made wide enough for the wires that cross it.

Wires are routed around blocks by ``core.routing`` (``route_diagram``). Qt-free and
torch-free, so the canvas, ``netbuilder render`` and importers share it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import networkx as nx

from netbuilder.core.geometry import CARD_WIDTH, Cards, Point
from netbuilder.core.routing import CLEAR, LANE_SEP, Route, Wire, route_wires

if TYPE_CHECKING:
    from netbuilder.core.diagram import Diagram, Edge

# wide enough for the longest usual wire label (B×128×224×224) between 156-wide cards
COLUMN_GAP = 280.0
BLOCK_GAP = 70.0  # vertical space between blocks of one column: room for a wire lane or two
ROW_CHANNEL = 2 * CLEAR + 40.0  # space between wrapped rows, before the wires crossing it
SLIDE_ASPECT = 16 / 9
SWEEPS = 4
GRID = 10.0  # the canvas grid (gui.theme.GRID): laid-out blocks snap to it


def _layers(diagram: Diagram) -> tuple[dict[str, int], nx.DiGraph]:
    graph = nx.DiGraph()
    graph.add_nodes_from(diagram.nodes)
    graph.add_edges_from((e.source, e.target) for e in diagram.edges)
    cyclic: set[str] = set()
    if not nx.is_directed_acyclic_graph(graph):
        for comp in nx.strongly_connected_components(graph):
            if len(comp) > 1:
                cyclic |= comp
    acyclic = graph.subgraph(set(graph) - cyclic)
    rank = {nid: i for i, nid in enumerate(diagram.nodes)}
    layer: dict[str, int] = {}
    for nid in nx.lexicographical_topological_sort(acyclic, key=rank.__getitem__):
        layer[nid] = 1 + max((layer[p] for p in acyclic.predecessors(nid)), default=-1)
    last = max(layer.values(), default=-1)
    for nid in sorted(cyclic, key=rank.__getitem__):
        last += 1
        layer[nid] = last
    return layer, graph


def _order(layer: dict[str, int], graph: nx.DiGraph, rank: dict[str, int]) -> list[list[str]]:
    """Columns, each ordered to keep wires from crossing (barycentre sweeps)."""
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for nid in sorted(layer, key=rank.__getitem__):
        columns[layer[nid]].append(nid)
    index = {nid: i for col in columns for i, nid in enumerate(col)}

    def sweep(cols: list[list[str]], neighbours: str) -> None:
        for col in cols:

            def centre(nid: str) -> float:
                around = getattr(graph, neighbours)(nid)
                seen = [index[n] for n in around if n in index and layer[n] != layer[nid]]
                return sum(seen) / len(seen) if seen else float(index[nid])

            col.sort(key=lambda n: (centre(n), rank[n]))
            for i, nid in enumerate(col):
                index[nid] = i

    for _ in range(SWEEPS):
        sweep(columns[1:], "predecessors")
        sweep(columns[-2::-1], "successors")
    sweep(columns[1:], "predecessors")
    return columns


def _place(columns: list[list[str]], graph: nx.DiGraph, cards: Cards) -> dict[str, float]:
    """Top y of each block: level with its predecessors where the column has room."""
    top: dict[str, float] = {}
    for col in columns:
        heights = [cards.height(n) for n in col]
        wanted = []
        for i, nid in enumerate(col):
            preds = [p for p in graph.predecessors(nid) if p in top]
            if preds:
                centre = sum(top[p] + cards.height(p) / 2 for p in preds) / len(preds)
                wanted.append(centre - heights[i] / 2)
            else:
                wanted.append(math.nan)
        stacked, y = [], 0.0
        for h in heights:
            stacked.append(y)
            y += h + BLOCK_GAP
        mid = (y - BLOCK_GAP) / 2
        wanted = [w if not math.isnan(w) else s - mid for w, s in zip(wanted, stacked, strict=True)]
        # push down where blocks would overlap, then shift all to stay near what was wanted
        ys: list[float] = []
        for i, w in enumerate(wanted):
            ys.append(w if not ys else max(w, ys[-1] + heights[i - 1] + BLOCK_GAP))
        shift = sum(w - y for w, y in zip(wanted, ys, strict=True)) / max(len(ys), 1)
        for nid, y in zip(col, ys, strict=True):
            top[nid] = y + shift
    return top


class _Rows:
    """Cuts the columns into rows; what each cut costs is precomputed, so trying every
    number of columns a row stays quick for hundreds of columns."""

    def __init__(
        self, columns: list[list[str]], top: dict[str, float], cards: Cards, graph: nx.DiGraph
    ) -> None:
        self.n = len(columns)
        self.lo = [min(top[n] for n in col) for col in columns]
        self.hi = [max(top[n] + cards.height(n) for n in col) for col in columns]
        layer = {n: i for i, col in enumerate(columns) for n in col}
        starts = [0] * (self.n + 1)  # wires crossing the cut before each column
        for s, t in graph.edges:
            if layer[s] < layer[t]:
                starts[layer[s] + 1] += 1
                starts[layer[t] + 1] -= 1
        self.crossing = [0] * (self.n + 1)
        for i in range(1, self.n + 1):
            self.crossing[i] = self.crossing[i - 1] + starts[i]

    def cut(self, per_row: int) -> tuple[list[float], float, float]:
        """Row offsets (added to each block's y) for ``per_row`` columns a row; width, height."""
        offsets: list[float] = []
        y = 0.0
        for first in range(0, self.n, per_row):
            lo = min(self.lo[first : first + per_row])
            hi = max(self.hi[first : first + per_row])
            if first:
                y += ROW_CHANNEL + self.crossing[first] * LANE_SEP
            offsets.append(y - lo)
            y += hi - lo
        width = min(per_row, self.n) * COLUMN_GAP - (COLUMN_GAP - CARD_WIDTH)
        return offsets, width, y


def layout(
    diagram: Diagram,
    *,
    wrap: bool = False,
    aspect: float = SLIDE_ASPECT,
    origin: Point = (0.0, 0.0),
) -> dict[str, Point]:
    """Top-left position of every block.

    ``wrap=False`` keeps one row of columns (Mermaid ``graph LR``). ``wrap=True`` cuts the
    columns into rows so that the whole picture's width:height comes closest to ``aspect``
    (a chain of one column a row, like ``graph TD``, when that is closest).
    """
    if not diagram.nodes:
        return {}
    cards = Cards(diagram)
    layer, graph = _layers(diagram)
    rank = {nid: i for i, nid in enumerate(diagram.nodes)}
    columns = _order(layer, graph, rank)
    top = _place(columns, graph, cards)
    rows = _Rows(columns, top, cards, graph)
    per_row = len(columns)
    if wrap and len(columns) > 1:

        def misfit(k: int) -> float:
            _, w, h = rows.cut(k)
            return abs(math.log(max(w, 1.0) / max(h, 1.0) / aspect))

        per_row = min(range(1, len(columns) + 1), key=lambda k: (misfit(k), -k))
    offsets, _, _ = rows.cut(per_row)
    placed: dict[str, Point] = {}
    for i, col in enumerate(columns):
        row, at = divmod(i, per_row)
        for nid in col:
            placed[nid] = (at * COLUMN_GAP, top[nid] + offsets[row])
    # the top block at the origin, everything on the canvas grid
    dy = min(y for _, y in placed.values())
    return {
        nid: (origin[0] + _grid(placed[nid][0]), origin[1] + _grid(placed[nid][1] - dy))
        for nid in diagram.nodes
    }


def _grid(v: float) -> float:
    return float(round(v / GRID) * GRID)


def layered_positions(diagram: Diagram, origin: Point = (0.0, 0.0)) -> dict[str, Point]:
    """One row of columns, left to right (kept for callers of the first layout)."""
    return layout(diagram, origin=origin)


def apply_layout(diagram: Diagram, *, wrap: bool = False) -> None:
    """Move every node to its layout position (emits one move event per node)."""
    for nid, pos in layout(diagram, wrap=wrap).items():
        diagram.move(nid, pos)


def route_diagram(diagram: Diagram, positions: dict[str, Point] | None = None) -> dict[Edge, Route]:
    """The route of every wire, for the blocks at ``positions`` (default: where they are)."""
    cards = Cards(diagram)
    pos = positions or {nid: n.position for nid, n in diagram.nodes.items()}
    rects = {nid: cards.rect(nid, pos[nid]) for nid in diagram.nodes}
    wires = [
        Wire(
            e,
            cards.port(e.source, e.source_port, True, pos[e.source]),
            cards.port(e.target, e.target_port, False, pos[e.target]),
            e.source,
            e.target,
        )
        for e in diagram.edges
        if e.source in pos and e.target in pos
    ]
    return route_wires(rects, wires)  # type: ignore[return-value]
