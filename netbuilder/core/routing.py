"""Wire routes that never pass behind a block they do not connect.

A wire between two blocks is drawn as the usual S curve when that curve is clear of other
blocks. When it is not (a residual skip connection alongside the blocks it bypasses, a wire
running back to the left, the wire from the end of one row to the start of the next in a
wrapped layout) it becomes an orthogonal path: out of the output, up or down to a free
horizontal lane, along it, and down or up into the input. Lanes keep a small distance from
blocks and from each other, so parallel skips stay apart.

Qt-free and torch-free: the canvas (``gui.canvas``) and ``netbuilder render`` draw the same
routes, and tests check them with plain geometry.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from netbuilder.core.geometry import Point, Rect

STUB = 24.0  # straight run out of an output / into an input before the first turn
CLEAR = 16.0  # distance a lane keeps from the blocks it passes
LANE_SEP = 10.0  # distance between two lanes that run side by side
CELL = 200.0  # size of the grid cells of the obstacle index
CURVE_SAMPLES = 24
MAX_LANES_TRIED = 16  # lane candidates tried per wire, nearest first
#: segment/block tests one routing pass may spend; a pathological diagram (hundreds of
#: blocks piled on one spot) gets plain curves for the rest instead of a frozen editor
WORK_LIMIT = 400_000

Route = tuple[Point, ...]  # two points: an S curve; more: the corners of an orthogonal path


def s_curve_controls(start: Point, end: Point) -> tuple[Point, Point]:
    """The two control points of the horizontal-tangent S curve from ``start`` to ``end``."""
    dx = max(40.0, abs(end[0] - start[0]) * 0.5)
    return (start[0] + dx, start[1]), (end[0] - dx, end[1])


def bezier(p0: Point, p1: Point, p2: Point, p3: Point, t: float) -> Point:
    u = 1.0 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )


def polyline(route: Route, samples: int = CURVE_SAMPLES) -> list[Point]:
    """The route as straight segments: an S curve sampled finely, or the path's corners."""
    if len(route) != 2:
        return list(route)
    start, end = route
    c1, c2 = s_curve_controls(start, end)
    return [bezier(start, c1, c2, end, i / samples) for i in range(samples + 1)]


def segment_hits_rect(a: Point, b: Point, r: Rect) -> bool:
    """Does segment ab pass through the inside of ``r`` (touching its border does not count)?

    Liang-Barsky clipping against the rectangle shrunk by a hair, so a wire that starts on
    a card's edge (at its port) is not counted as entering that card.
    """
    eps = 0.5
    left, top, right, bottom = r[0] + eps, r[1] + eps, r[2] - eps, r[3] - eps
    if left >= right or top >= bottom:
        return False
    dx, dy = b[0] - a[0], b[1] - a[1]
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, a[0] - left), (dx, right - a[0]), (-dy, a[1] - top), (dy, bottom - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            if t > t1:
                return False
            t0 = max(t0, t)
        else:
            if t < t0:
                return False
            t1 = min(t1, t)
    return t0 < t1


class Obstacles:
    """Block rectangles in a coarse grid, for quick "what does this segment hit" questions."""

    def __init__(self, rects: dict[str, Rect]) -> None:
        self.rects = rects
        self.work = 0  # segment/block tests made so far (see WORK_LIMIT)
        self._grid: dict[tuple[int, int], list[str]] = {}
        for nid, r in rects.items():
            for cell in self._cells(r):
                self._grid.setdefault(cell, []).append(nid)

    @staticmethod
    def _cells(r: Rect) -> Iterable[tuple[int, int]]:
        for i in range(int(r[0] // CELL), int(r[2] // CELL) + 1):
            for j in range(int(r[1] // CELL), int(r[3] // CELL) + 1):
                yield (i, j)

    def near(self, r: Rect) -> set[str]:
        found: set[str] = set()
        for cell in self._cells(r):
            found.update(self._grid.get(cell, ()))
        return found

    def hits(self, points: Sequence[Point], skip: Iterable[str] = ()) -> list[str]:
        """Blocks (other than ``skip``) that the path through ``points`` passes through."""
        skipped = set(skip)
        found: list[str] = []
        for a, b in itertools.pairwise(points):
            box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            for nid in self.near(box):
                if nid in skipped or nid in found:
                    continue
                self.work += 1
                if segment_hits_rect(a, b, self.rects[nid]):
                    found.append(nid)
        return found


@dataclass(frozen=True)
class Wire:
    """One wire to route: its key (any hashable), its end points and the blocks it joins."""

    key: object
    start: Point
    end: Point
    source: str
    target: str


class Router:
    """Routes wires among fixed blocks; lanes already taken are avoided by later wires."""

    def __init__(self, rects: dict[str, Rect]) -> None:
        self.obstacles = Obstacles(rects)
        self._by_left = sorted(rects.values())
        self._lefts = [r[0] for r in self._by_left]
        # lanes taken, by band of LANE_SEP: (y, x from, x to)
        self._lanes: dict[int, list[tuple[float, float, float]]] = {}

    def route(self, wire: Wire) -> Route:
        start, end = wire.start, wire.end
        ends = (wire.source, wire.target)
        rects = self.obstacles.rects
        if self.obstacles.work > WORK_LIMIT or (
            wire.source in rects
            and wire.target in rects
            and _overlap(rects[wire.source], rects[wire.target])
        ):
            return (start, end)  # no time left, or blocks on top of each other: no way round
        if end[0] > start[0]:  # forward, however short: the curve if it is clear
            box = (start[0], min(start[1], end[1]), end[0], max(start[1], end[1]))
            rects = self.obstacles.rects
            near = [n for n in self.obstacles.near(box) if n not in ends]
            if not any(_overlap(rects[n], box) for n in near):
                return (start, end)  # the curve stays inside this box: nothing in the way
            if not self.obstacles.hits(polyline((start, end)), ends):
                return (start, end)
        return self._orthogonal(start, end, ends)

    def _orthogonal(self, start: Point, end: Point, ends: tuple[str, str]) -> Route:
        xa, xb = start[0] + STUB, end[0] - STUB
        lo, hi = min(xa, xb), max(xa, xb)
        # lanes lie just above or below a block that stands in the way, or level with an end
        candidates = {start[1], end[1]}
        for r in self._blocks_across(lo - CLEAR, hi + CLEAR):
            candidates.add(r[1] - CLEAR)
            candidates.add(r[3] + CLEAR)
        fallback: tuple[int, float, Route] | None = None
        middle = (start[1] + end[1]) / 2
        nearest = sorted(candidates, key=lambda y: (abs(y - start[1]) + abs(y - end[1]), y))
        for y0 in nearest[:MAX_LANES_TRIED]:
            y = self._free_lane(y0, lo, hi, up=y0 < middle)
            route = _clean((start, (xa, start[1]), (xa, y), (xb, y), (xb, end[1]), end))
            if len(route) == 2 and end[0] - start[0] < 2 * STUB:
                continue  # level and backwards: straight through both blocks
            hits = len(self.obstacles.hits(route[1:-1])) + len(self.obstacles.hits(route, ends))
            if hits == 0:  # candidates come shortest first: the first clear one is the one
                self._take_lane(y, lo, hi)
                return route
            length = abs(y - start[1]) + abs(y - end[1])
            if fallback is None or (hits, length) < fallback[:2]:
                fallback = (hits, length, route)
        return fallback[2] if fallback else (start, end)

    def _blocks_across(self, lo: float, hi: float) -> list[Rect]:
        """Blocks whose x extent overlaps [lo, hi] (the rects sorted by left edge, bisected)."""
        stop = bisect.bisect_left(self._lefts, hi)
        return [r for r in self._by_left[:stop] if r[2] > lo]

    def _free_lane(self, y: float, lo: float, hi: float, up: bool) -> float:
        """``y`` moved (up or down) off lanes already running over the same stretch."""
        for _ in range(64):
            clash = self._clash(y, lo, hi)
            if clash is None:
                return y
            y = clash - LANE_SEP if up else clash + LANE_SEP
        return y

    def _clash(self, y: float, lo: float, hi: float) -> float | None:
        band = int(y // LANE_SEP)
        for b in (band - 1, band, band + 1):
            for ly, a, c in self._lanes.get(b, ()):
                if abs(ly - y) < LANE_SEP and a < hi + CLEAR and c > lo - CLEAR:
                    return ly
        return None

    def _take_lane(self, y: float, lo: float, hi: float) -> None:
        self._lanes.setdefault(int(y // LANE_SEP), []).append((y, lo, hi))


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _clean(points: Sequence[Point]) -> Route:
    """Drop repeated points and middle points of straight runs."""
    out: list[Point] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < 1e-9 and abs(out[-1][1] - p[1]) < 1e-9:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            straight_x = abs(a[0] - b[0]) < 1e-9 and abs(b[0] - p[0]) < 1e-9
            straight_y = abs(a[1] - b[1]) < 1e-9 and abs(b[1] - p[1]) < 1e-9
            if straight_x or straight_y:
                out[-1] = p
                continue
        out.append(p)
    return tuple(out)


def route_wires(rects: dict[str, Rect], wires: Sequence[Wire]) -> dict[object, Route]:
    """Routes for all wires; short wires first, so long skips take the outer lanes."""
    router = Router(rects)
    order = sorted(wires, key=lambda w: abs(w.end[0] - w.start[0]) + abs(w.end[1] - w.start[1]))
    return {w.key: router.route(w) for w in order}
