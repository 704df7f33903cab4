"""Per-step curves stay cheap for long runs: a bounded min/max envelope, raw points when
zoomed in, and the peaks (e.g. a loss spike) are never lost."""

from __future__ import annotations

import numpy as np

from netbuilder.gui.docks.curves import TrainingCurves
from netbuilder.gui.docks.training_curve_lod import (
    CAP_BLOCKS,
    RAW_LIMIT,
    Envelope,
    GrowingSeries,
    display_arrays,
)


def noisy_series(n: int, spike_at: int) -> GrowingSeries:
    rng = np.random.default_rng(0)
    s = GrowingSeries()
    y = 1.0 / np.sqrt(np.arange(1, n + 1)) + rng.normal(0, 0.01, n)
    y[spike_at] = 50.0
    for start in range(0, n, 7919):  # arrives in uneven batches, as from the trainer
        stop = min(n, start + 7919)
        s.extend(np.arange(start, stop) / 1000.0, y[start:stop])
    return s


def test_small_series_are_drawn_raw():
    s = noisy_series(1000, 10)
    (_xs, ys), _key = display_arrays(s, Envelope(), None)
    np.testing.assert_array_equal(ys, s.y)


def test_envelope_is_bounded_and_keeps_extremes_and_order():
    n = 1_000_003
    s = noisy_series(n, spike_at=654_321)
    env = Envelope()
    (xs, ys), _key = display_arrays(s, env, None)
    assert len(xs) <= 2 * CAP_BLOCKS + 2 * env.block  # bounded, whatever the run length
    assert ys.max() == 50.0 and ys.min() == s.y.min()  # the spike and the floor survive
    assert np.all(np.diff(xs) >= 0)  # still a function of x, drawable as one line
    assert xs[0] == s.x[0] and xs[-1] == s.x[-1]
    # incremental: more points later give the same picture as summarising all at once
    s.extend(np.arange(n, n + 5000) / 1000.0, np.full(5000, 0.5))
    (xs2, ys2), _ = display_arrays(s, env, None)
    fresh = Envelope()
    (xs3, ys3), _ = display_arrays(s, fresh, None)
    assert env.block == fresh.block
    np.testing.assert_array_equal(xs2, xs3)
    np.testing.assert_array_equal(ys2, ys3)


def test_zoomed_in_view_shows_the_raw_points():
    s = noisy_series(200_000, spike_at=5)
    (xs, ys), _key = display_arrays(s, Envelope(), (100.0, 105.0))  # 5000 steps visible
    assert len(xs) <= RAW_LIMIT
    inside = (s.x >= 100.0) & (s.x <= 105.0)
    assert set(s.y[inside]) <= set(ys)


def test_curves_widget_pushes_a_bounded_envelope_for_a_long_run(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.begin_run()
    curves.set_epochs(300)
    n = 300_000
    x = np.arange(1, n + 1) / 1000.0
    curves.add_steps(x, np.linspace(2.0, 0.1, n), np.full(n, 1e-3))
    curves.refresh()
    assert len(curves.raw_item.xData) <= 2 * CAP_BLOCKS + 2 * curves.current.raw_envelope.block
    curves.loss_plot.setXRange(10.0, 12.0, padding=0)  # zoom in: 2000 raw steps
    assert len(curves.raw_item.xData) <= RAW_LIMIT
    assert curves.raw_item.xData.min() <= 10.0 and curves.raw_item.xData.max() >= 12.0


def test_plots_loss_beside_accuracy_over_the_learning_rate_in_the_window_colours(qtbot):
    from PySide6.QtGui import QColor, QPalette

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    layout = curves.graphics.ci.layout
    assert [layout.itemAt(0, col) for col in range(2)] == [curves.loss_plot, curves.acc_plot]
    assert layout.itemAt(1, 0) is curves.lr_plot and layout.itemAt(1, 1) is curves.lr_plot
    base = curves.palette().color(QPalette.ColorRole.Base)
    assert QColor(curves.graphics.backgroundBrush().color()) == base  # not pyqtgraph's black
    dark = QPalette(curves.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 30))
    curves.setPalette(dark)  # a light/dark switch reaches the plots
    assert curves.graphics.backgroundBrush().color() == QColor(30, 30, 30)
