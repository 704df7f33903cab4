"""The evaluation view after a real run, plus the curves widget and the event coalescing."""

from __future__ import annotations

import numpy as np
import pytest

from netbuilder.core import io
from netbuilder.gui.docks.curve_series import ema
from netbuilder.gui.docks.curves import TrainingCurves
from netbuilder.gui.docks.evaluation import EvaluationView
from netbuilder.gui.docks.training import TrainingWorkspace
from netbuilder.gui.docks.training_curve_lod import GrowingSeries
from netbuilder.gui.worker import TrainingRunner
from netbuilder.train.evaluate import Evaluation
from netbuilder.train.events import StatusEvent, StepEvent

WAIT_MS = 60_000


def test_confusion_matrix_counts_sum_to_the_validation_set(qtbot):
    d = io.load("resources/examples/cnn_image_classifier.nbd")
    d.set_training({**d.training, "epochs": 1, "device": "cpu", "dataset_options": {"size": 180}})
    dock = TrainingWorkspace(d)
    qtbot.addWidget(dock)
    dock.show()
    qtbot.waitUntil(lambda: dock.picker.bundle is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(dock.run_finished, timeout=WAIT_MS) as finished:
        dock.start()
    outcome = finished.args[0]
    assert outcome.status == "completed" and outcome.evaluation is not None
    assert outcome.data is dock.picker.bundle  # the previewed data was reused, not reloaded
    view = dock.evaluation
    counts = view.confusion_counts()
    n_val = len(outcome.data.val)
    assert counts.shape == (6, 6)
    assert counts.sum() == n_val
    np.testing.assert_array_equal(counts, outcome.evaluation.confusion)
    assert view.per_class.rowCount() == 6
    assert f"of {n_val} correct" in view.summary.text()
    wrong = len(outcome.evaluation.misclassified)
    assert view.samples_grid.count() == min(32, wrong)
    assert f"{wrong} misclassified" in view.samples_label.text()
    if wrong:
        caption = (
            view.samples_grid.itemAt(0).widget().findChild(type(view.summary), "preview_label")
        )
        true_name, pred_name = caption.text().split(" → ")
        assert true_name != pred_name and true_name in outcome.data.classes


def test_regression_shows_mse_mae_and_scatter(qtbot):
    view = EvaluationView()
    qtbot.addWidget(view)
    pred = np.array([[1.0], [2.0], [4.0]])
    true = np.array([[1.0], [3.0], [4.0]])
    view.show_evaluation(Evaluation(None, 1 / 3, predictions=pred, targets=true))
    assert "MSE 0.3333" in view.summary.text() and "MAE 0.3333" in view.summary.text()
    xs, ys = view.scatter.getData()
    assert list(xs) == [1.0, 3.0, 4.0] and list(ys) == [1.0, 2.0, 4.0]
    assert view.tables.isHidden() and not view.scatter_plot.isHidden()


def test_classification_without_data_shows_counts_and_no_pictures(qtbot):
    view = EvaluationView()
    qtbot.addWidget(view)
    confusion = np.array([[3, 1], [0, 4]])
    ev = Evaluation(0.875, 0.3, [1.0, 0.8], [0.75, 1.0], confusion, [1])
    view.show_evaluation(ev)
    np.testing.assert_array_equal(view.confusion_counts(), confusion)
    assert view.per_class.item(0, 1).text() == "100.0%"
    assert view.per_class.item(1, 1).text() == "80.0%"
    assert "87.5%" in view.summary.text()
    assert "1 misclassified" in view.samples_label.text()


# ---------------------------------------------------------------------- curves
def test_growing_series_keeps_values_across_reallocations():
    s = GrowingSeries(capacity=2)
    for i in range(100):
        s.append(i, i * i)
    s.extend(np.arange(100, 1000), np.arange(100, 1000) ** 2)
    assert len(s) == 1000
    np.testing.assert_array_equal(s.x, np.arange(1000))
    np.testing.assert_array_equal(s.y, np.arange(1000) ** 2)


def test_ema_is_debiased_and_chains_across_batches():
    values = np.array([4.0, 4.0, 4.0, 2.0])
    whole, _, _ = ema(values, 0.9, None, 0)
    first, state, count = ema(values[:2], 0.9, None, 0)
    rest, _, _ = ema(values[2:], 0.9, state, count)
    np.testing.assert_allclose(whole, np.concatenate([first, rest]))
    assert whole[0] == pytest.approx(4.0)  # no drag towards zero at the start
    assert 2.0 < whole[-1] < 4.0


def test_curves_redraw_only_when_dirty_and_overlay_selected_runs(qtbot):
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.begin_run()
    assert not curves.refresh()
    curves.add_steps([0.1, 0.2], [1.0, 0.9], [1e-3, 1e-3])
    curves.add_epoch(1.0, 0.8, 0.5, 0.6, is_best=True)
    assert curves.refresh() and curves.redraw_count == 1
    assert not curves.refresh() and curves.redraw_count == 1
    assert curves.best_lines[0].value() == 1.0 and curves.best_lines[0].isVisible()
    assert curves.raw_item.opts["symbol"] is None
    assert curves.raw_item.opts["clipToView"] and curves.raw_item.opts["autoDownsample"]
    assert curves.raw_item.opts["downsampleMethod"] == "peak"

    curves.begin_run()
    assert not curves.best_lines[0].isVisible()
    # runs picked in the run list: per-epoch metrics in their run colours, smoothed loss
    from netbuilder.core.diagram import Diagram
    from netbuilder.gui.docks.curve_series import run_colour
    from netbuilder.train.runs import RunHistory

    history = RunHistory()
    for lr in (1e-3, 1e-2):
        record = history.begin(Diagram(), {"lr": lr})
        record.metrics = {
            "train_loss": [2.0, 1.0, 0.5],
            "val_loss": [2.1, 1.2, 0.7],
            "val_accuracy": [0.3, 0.6, 0.8],
            "lr": [lr] * 3,
        }
    curves.show_records(list(history))
    names = [i.name() for _p, i in curves._overlay_items]
    assert names.count("run 1 train") == 1 and "run 2 val" in names
    pens = {i.name(): i.opts["pen"].color().getRgb()[:3] for _p, i in curves._overlay_items}
    assert pens["run 1 train"] == run_colour(1) and pens["run 2 train"] == run_colour(2)
    train = next(i for _p, i in curves._overlay_items if i.name() == "run 1 train")
    assert train.getData()[1][0] == pytest.approx(2.0)  # debiased: starts at the data
    curves.set_smoothing(0.0)
    train = next(i for _p, i in curves._overlay_items if i.name() == "run 1 train")
    assert list(train.getData()[1]) == [2.0, 1.0, 0.5]  # smoothing 0: the raw values
    curves.show_records([])
    assert curves._overlay_items == []

    curves.log_y.setChecked(True)
    assert curves.loss_plot.ctrl.logYCheck.isChecked()


def test_runner_coalesces_all_buffered_events_into_one_signal(qtbot):
    runner = TrainingRunner()
    batches: list[list] = []
    runner.events.connect(batches.append)
    for i in range(1, 501):
        runner._buffer.append(StepEvent(1, 1, i, 500, i, 1.0, 0.5, 1e-3, 100.0, 1.0))
    runner._buffer.append(StatusEvent("done"))
    runner.drain()
    runner.drain()  # nothing new: no signal
    assert len(batches) == 1 and len(batches[0]) == 501
    assert runner.drain_count == 1
