"""Level of detail for per-step curves, so a redraw costs the same after 10^3 or 10^6 steps.

pyqtgraph's peak downsampling and data bounds look at every point on each ``setData``; at a
million steps that alone was ~36 ms of GUI-thread CPU per frame. ``Envelope`` keeps an
incremental min/max summary of a growing series in blocks (two points per block, the same
"peak" picture pyqtgraph would draw) and doubles the block size whenever the summary
exceeds its cap, so updating it is amortised O(new points) and the displayed arrays stay
below ``2 × cap`` points plus one partial block of raw points. When the view is zoomed in
far enough that the visible raw points fit under the limit, the raw slice is shown instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class GrowingSeries:
    """x/y float arrays with amortised O(1) appends; ``x``/``y`` are views of the filled part."""

    def __init__(self, capacity: int = 256) -> None:
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self.size = 0

    def _reserve(self, extra: int) -> None:
        need = self.size + extra
        if need <= self._x.shape[0]:
            return
        cap = max(need, 2 * self._x.shape[0])
        for name in ("_x", "_y"):
            old = getattr(self, name)
            new = np.empty(cap, dtype=np.float64)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)

    def extend(self, xs: Sequence[float] | np.ndarray, ys: Sequence[float] | np.ndarray) -> None:
        xs = np.asarray(xs, dtype=np.float64)
        ys = np.asarray(ys, dtype=np.float64)
        if xs.shape != ys.shape:
            raise ValueError(f"x and y lengths differ: {xs.shape} vs {ys.shape}")
        self._reserve(xs.shape[0])
        self._x[self.size : self.size + xs.shape[0]] = xs
        self._y[self.size : self.size + ys.shape[0]] = ys
        self.size += xs.shape[0]

    def append(self, x: float, y: float) -> None:
        self.extend((x,), (y,))

    @property
    def x(self) -> np.ndarray:
        return self._x[: self.size]

    @property
    def y(self) -> np.ndarray:
        return self._y[: self.size]

    def __len__(self) -> int:
        return self.size


#: Series up to this many points (or visible windows up to it) are drawn raw.
RAW_LIMIT = 20_000
#: Blocks kept in the summary before two neighbours are merged into one.
CAP_BLOCKS = 4096


class Envelope:
    """Min/max per block of ``block`` raw points of one ``GrowingSeries`` (x increasing)."""

    def __init__(self, cap_blocks: int = CAP_BLOCKS) -> None:
        self.cap = cap_blocks
        self.block = 1
        self.done = 0  # raw points summarised so far (a multiple of ``block``)
        self._x = GrowingSeries(1024)  # block x (first point) paired with the block min
        self._max = GrowingSeries(1024)  # block x paired with the block max

    def update(self, series: GrowingSeries) -> None:
        """Summarise the complete blocks that arrived since the last call.

        The block size is the smallest power of two that keeps the summary within ``cap``
        blocks, so an incremental summary equals one built from scratch.
        """
        while True:
            m = (series.size - self.done) // self.block
            if len(self._x) + m <= self.cap:
                break
            self._merge_pairs()
        if m > 0:
            end = self.done + m * self.block
            xs = series.x[self.done : end].reshape(m, self.block)[:, 0]
            ys = series.y[self.done : end].reshape(m, self.block)
            self._x.extend(xs, np.fmin.reduce(ys, axis=1))  # fmin/fmax skip NaN
            self._max.extend(xs, np.fmax.reduce(ys, axis=1))
            self.done = end

    def _merge_pairs(self) -> None:
        n = len(self._x)
        pairs = n // 2
        x = self._x.x[: 2 * pairs].reshape(pairs, 2)[:, 0].copy()
        lo = np.fmin.reduce(self._x.y[: 2 * pairs].reshape(pairs, 2), axis=1)
        hi = np.fmax.reduce(self._max.y[: 2 * pairs].reshape(pairs, 2), axis=1)
        if n % 2:  # an odd last block goes back to the raw tail and is re-summarised later
            self.done -= self.block
        self._x, self._max = GrowingSeries(max(1024, pairs)), GrowingSeries(max(1024, pairs))
        self._x.extend(x, lo)
        self._max.extend(x, hi)
        self.block *= 2

    def arrays(self, series: GrowingSeries) -> tuple[np.ndarray, np.ndarray]:
        """Display arrays: (x, min) and (x, max) per block, then the raw partial block."""
        x = np.repeat(self._x.x, 2)
        y = np.column_stack((self._x.y, self._max.y)).ravel()
        return (
            np.concatenate((x, series.x[self.done :])),
            np.concatenate((y, series.y[self.done :])),
        )


def display_arrays(
    series: GrowingSeries, envelope: Envelope, view: tuple[float, float] | None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[int, int, int]]:
    """What to hand pyqtgraph for ``series`` given the visible x range, and a key that
    changes whenever those arrays would (so unchanged curves are not pushed again)."""
    n = len(series)
    if n <= RAW_LIMIT:
        return (series.x, series.y), (n, 0, n)
    if view is not None:
        i0, i1 = np.searchsorted(series.x, view)
        i0, i1 = max(0, int(i0) - 1), min(n, int(i1) + 1)
        if i1 - i0 <= RAW_LIMIT:  # zoomed in: the real points, not their summary
            return (series.x[i0:i1], series.y[i0:i1]), (n, i0, i1)
    envelope.update(series)
    return envelope.arrays(series), (n, -1, envelope.block)
