"""Issue 13 on the canvas: the cost overlay (heat by share, "—" and why), gradient health
marks and Problems rows from a real run that goes NaN, the gradient-flow chart per run,
and the memory verdict beside Start."""

from __future__ import annotations

import math

import pytest
import torch

from netbuilder.core.builder import chain
from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.gui.canvas.overlays import HEAT_STOPS, heat_color
from netbuilder.gui.cost import CostView
from netbuilder.resources import EXAMPLES_DIR

WAIT_MS = 90_000


def hotness(colour) -> float:
    """Where a colour lies on the heat ramp (its green falls monotonically from pale to hot)."""
    return (HEAT_STOPS[0][1].green() - colour.green()) / (
        HEAT_STOPS[0][1].green() - HEAT_STOPS[-1][1].green()
    )


def open_cnn(window, qtbot) -> None:
    window.session.replace(load(EXAMPLES_DIR / "cnn_image_classifier.nbd"), None)
    CostView.of(window.session).wait()


def show_cost(window, qtbot, metric: str = "flops"):
    overlay = window.insight.cost
    overlay.set_metric(metric)
    if not overlay.shown:
        # the View menu's action, as a user toggles it
        assert overlay.act_show in window.view_menu.actions()
        overlay.act_show.trigger()
    qtbot.waitUntil(lambda: bool(overlay.layer.items), timeout=WAIT_MS)
    return overlay


def test_heat_ramp_runs_from_pale_to_hot() -> None:
    values = [hotness(heat_color(t / 10)) for t in range(11)]
    assert values == sorted(values) and values[0] == 0 and math.isclose(values[-1], 1)


def test_cost_overlay_tints_by_share_and_follows_edits(window, qtbot) -> None:
    open_cnn(window, qtbot)
    overlay = show_cost(window, qtbot)
    prof = CostView.of(window.session).profile
    assert prof is not None
    flops = {nid: c.flops for nid, c in prof.blocks.items() if c.flops is not None}
    hottest = max(flops, key=flops.__getitem__)
    marks = overlay.layer.marks
    assert set(marks) == set(prof.blocks)  # every block, no Input/Output
    assert hotness(marks[hottest].tint) == 1.0  # the largest figure is the hottest
    top = flops[hottest]
    for a in flops:  # more FLOPs, never a cooler colour; clearly more, clearly hotter
        for b in flops:
            if flops[a] > flops[b]:
                assert hotness(marks[a].tint) >= hotness(marks[b].tint), (a, b)
            if flops[a] - flops[b] > 0.05 * top:
                assert hotness(marks[a].tint) > hotness(marks[b].tint), (a, b)
    # element-wise blocks count no FLOPs (and say why); a small real share is never "0%"
    assert flops["relu1"] == 0 and marks["relu1"].badge == "0"
    assert "element-wise layers count 0" in marks["relu1"].tooltip
    assert marks["fc2"].badge == "768 · <1%"  # 2·64·6
    share = flops["conv1"] / sum(flops.values())
    assert marks["conv1"].badge == f"885 k · {share:.0%}"  # 2·16·3·9·32·32 FLOPs
    assert "885 k" in marks["conv1"].tooltip and "per sample" in marks["conv1"].tooltip
    assert overlay.legend.isVisible() and "total: 3.51 M" in overlay.legend.lines[0]
    # the figures follow undoable edits: a 5×5 kernel (same output size) makes conv1 the
    # costliest block, hottest of all; undo brings the old colours back
    before = hotness(marks["conv1"].tint)
    assert before < 1.0
    window.editor.set_param("conv1", "kernel_size", 5)
    window.editor.set_param("conv1", "padding", 2)
    qtbot.waitUntil(lambda: "2.46 M" in overlay.layer.marks["conv1"].badge, timeout=WAIT_MS)
    assert hotness(overlay.layer.marks["conv1"].tint) == 1.0
    assert hotness(overlay.layer.marks[hottest].tint) < 1.0
    window.session.undo_stack.undo()
    window.session.undo_stack.undo()
    qtbot.waitUntil(lambda: "885 k" in overlay.layer.marks["conv1"].badge, timeout=WAIT_MS)
    assert hotness(overlay.layer.marks["conv1"].tint) == before
    # parameters: the widest dense layer holds the most weights
    overlay.set_metric("params")
    params = {nid: c.params for nid, c in prof.blocks.items()}
    most = max(params, key=params.__getitem__)
    assert hotness(overlay.layer.marks[most].tint) == 1.0
    # the marks are children of the cards: turning the overlay off removes them
    overlay.act_show.trigger()
    assert not overlay.layer.items and not overlay.legend.isVisible()
    assert all(
        not any(type(c).__name__ == "MarkItem" for c in item.childItems())
        for item in window.scene.nodes.values()
    )


def test_unknown_shapes_show_a_dash_and_why(window, qtbot) -> None:
    d = Diagram()
    chain(
        d, ("TabularInput", {"features": 4}, "x"), ("Linear", {"out_features": 2}, "fc"), "Output"
    )
    d.add_node("Linear", {"out_features": 3}, node_id="loose")
    window.session.replace(d, None)
    overlay = show_cost(window, qtbot, "memory")
    qtbot.waitUntil(lambda: "loose" in overlay.layer.marks, timeout=WAIT_MS)
    loose = overlay.layer.marks["loose"]
    assert loose.badge == "—" and loose.tint is None
    assert "not connected" in loose.tooltip  # the checker's reason, in words
    assert overlay.layer.marks["fc"].badge.startswith("8 B")  # 2 floats per sample
    assert "1 block(s) —" in " ".join(overlay.legend.lines)
    # the badge, not the card, answers hover: its tooltip is the reason
    item = overlay.layer.items["loose"]
    badge = item.mapToScene(item.shape().boundingRect().center())
    assert item in window.scene.items(badge)


def test_measured_time_comes_from_a_worker_and_totals_in_the_status_bar(window, qtbot) -> None:
    open_cnn(window, qtbot)
    overlay = window.insight.cost
    # while this window trains, timing waits: it would slow the run and reseed torch's RNG
    overlay.training = lambda: True
    show_cost(window, qtbot, "time")
    qtbot.wait(1500)
    assert overlay.timing is None and not overlay.measuring
    assert "measured when the training run ends" in overlay.layer.marks["conv1"].tooltip
    overlay.training = lambda: False
    overlay._on_training(False)  # the run ended
    qtbot.waitUntil(lambda: overlay.timing is not None and not overlay.measuring, timeout=WAIT_MS)
    assert overlay.timing.error == "" and overlay.timing.batch == 64
    timed = {nid: m for nid, m in overlay.layer.marks.items() if m.badge != "—"}
    assert {"conv1", "conv2", "fc1", "fc2"} <= set(timed)
    assert all(m.badge.split(" ")[1] == "ms" for m in timed.values())
    assert window.insight.cost.status.isVisibleTo(window)
    assert "at batch 64" in overlay.status.text()
    # another document: its own figures, the old timing is gone
    window.session.replace(Diagram(), None)
    assert overlay.timing is None


def nan_mlp() -> Diagram:
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 1, "height": 8, "width": 8}, "image"),
        ("Flatten", {}, "flatten"),
        ("Linear", {"out_features": 32}, "fc1"),
        ("ReLU", {}, "relu"),
        ("Linear", {"out_features": 16}, "fc2"),
        ("Linear", {"out_features": 6}, "fc3"),
        ("Output", {}, "logits"),
    )
    d.set_training(
        {
            **d.training,
            "dataset": "builtin:shapes",
            "dataset_options": {"size": 96},
            "batch_size": 16,
            "epochs": 1,
            "device": "cpu",
            "optimizer": "sgd",
        }
    )
    return d


def test_a_run_that_goes_nan_marks_the_block_lists_it_and_selects_it(window, qtbot) -> None:
    window.session.replace(nan_mlp(), None)
    # weights of a diverged earlier run: fc2's overflow float32 at the first step
    torch.manual_seed(0)
    state = compile_diagram(window.session.diagram).state_dict()
    state = {k: v.clone() for k, v in state.items()}
    state["fc2.weight"].fill_(3e38)
    window.session.set_weights(state)
    panel = window.training_panel
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        assert panel.start()
    outcome = finished.args[0]
    assert outcome.status == "failed" and outcome.node_id == "fc2"
    health = window.insight.health
    qtbot.waitUntil(lambda: "fc2" in health.layer.marks)
    mark = health.layer.marks["fc2"]
    assert mark.badge == "NaN @1" and "NaN/Inf at step 1, the first" in mark.tooltip
    assert mark.ring is not None
    # fc1's gradients went NaN through fc2: marked as such, never as the cause
    assert health.layer.marks["fc1"].badge == "NaN grad @1"
    assert health.layer.marks["fc1"].ring != mark.ring
    assert "'fc1'" in mark.tooltip and "through it" in mark.tooltip
    assert window.scene.selected_node_ids() == ["fc2"]  # selected, and centred
    rows = [window.problems.item(i) for i in range(window.problems.count())]
    mine = [r for r in rows if "fc2" in r.text() and "NaN" in r.text()]
    assert len(mine) == 1 and not any(r.text().startswith("Block 'fc1'") for r in rows)
    window.scene.clearSelection()
    window.problems.itemClicked.emit(mine[0])  # clicking the row selects the block
    assert window.scene.selected_node_ids() == ["fc2"]
    log = panel.log.toPlainText()
    assert "block 'fc2' is the first whose output became NaN/Inf" in log
    # an edit re-checks the diagram: the run's findings stay listed
    window.session.recheck()
    assert any("fc2" in window.problems.item(i).text() for i in range(window.problems.count()))
    # the gradient-flow chart says why it plots nothing, and names the blocks under it
    window.show_workspace("training")
    panel.tabs.setCurrentWidget(panel.insight.flow)
    assert "every figure is NaN/Inf" in panel.insight.flow.header.text()
    assert "fc2: output became NaN/Inf from step 1" in panel.insight.flow.footer.text()
    window.show_workspace("design")
    # hiding the marks from the View menu
    health.act_show.trigger()
    assert not health.layer.items
    health.act_show.trigger()
    assert "fc2" in health.layer.items
    # another document: the run and its findings stay with the old one
    window.session.weights_unsaved = False
    window.session.replace(nan_mlp(), None)
    assert health.layer.marks == {} and health.layer.items == {}
    assert not any("NaN" in window.problems.item(i).text() for i in range(window.problems.count()))


def test_gradient_flow_chart_belongs_to_its_run_and_document(window, qtbot) -> None:
    diagram = nan_mlp()
    diagram.set_training(
        {**diagram.training, "optimizer": "adam", "epochs": 2, "dataset_options": {"size": 480}}
    )
    window.session.replace(diagram, None)
    panel = window.training_panel
    flow = panel.insight.flow
    assert panel.tabs.indexOf(flow) >= 0
    assert "appears here while a run trains" in flow.header.text()
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        assert panel.start()
        drawn = flow.redraw_count  # the new run, empty
    assert finished.args[0].status == "completed"
    # hidden behind the Curves tab, the chart spent nothing on the samples as they came
    assert panel.tabs.currentWidget() is not flow and flow.redraw_count == drawn
    window.show_workspace("training")
    panel.tabs.setCurrentWidget(flow)  # shown: drawn at once
    assert flow.redraw_count == drawn + 1
    run = flow.run
    assert run is not None and run.name == "run 1"
    assert run.order == ["fc1", "fc2", "fc3"]  # blocks with weights, in data-flow order
    steps = run.steps["fc1"]
    assert steps[0] == 1 and len(steps) >= 2 and steps == sorted(steps)
    latest = flow.latest("grad_norm")
    assert set(latest) == {"fc1", "fc2", "fc3"} and all(v > 0 for v in latest.values())
    ratios = flow.latest("update_ratio")
    assert all(1e-6 < v < 1 for v in ratios.values())
    x, y = flow.items["grad_norm"]["latest"].getData()
    assert list(x) == [0.0, 1.0, 2.0] and len(y) == 3
    ticks = flow.ratio_plot.getAxis("bottom")._tickLevels[0]
    assert [t[1] for t in ticks] == ["fc1", "fc2", "fc3"]
    # a second run, then selecting the first again shows the first run's own figures
    first_latest = dict(latest)
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        assert panel.start()
    assert flow.run is not None and flow.run.name == "run 2"
    panel.run_list.select_numbers([1])
    assert flow.run.name == "run 1" and flow.latest("grad_norm") == first_latest
    drawn_y = flow.items["grad_norm"]["latest"].getData()[1]  # log10 on the log axis
    assert list(drawn_y) == pytest.approx(
        [math.log10(first_latest[b]) for b in ("fc1", "fc2", "fc3")]
    )
    # another document: nothing of these runs is shown
    window.session.replace(Diagram(), None)
    assert flow.run is None and "appears here" in flow.header.text()


def test_memory_verdict_beside_start_warns_but_never_blocks(window, qtbot, monkeypatch) -> None:
    import functools

    from netbuilder.gui import cost

    open_cnn(window, qtbot)
    panel = window.training_panel
    verdict = panel.insight.verdict
    qtbot.waitUntil(lambda: "at batch 64" in verdict.text(), timeout=WAIT_MS)
    assert verdict.text().startswith("Memory: about")
    assert "Largest batch that fits" in verdict.text() and not verdict.warns()
    # a device with 64 MB free (whatever this machine has) and a batch that needs more
    small = functools.partial(cost.predict_memory, available=lambda _device: 64 * 1024**2)
    monkeypatch.setattr(cost, "predict_memory", small)
    training = dict(
        window.session.diagram.training,
        batch_size=2048,
        epochs=1,
        device="cpu",
        dataset_options={"size": 120},
    )
    window.session.diagram.set_training(training)
    qtbot.waitUntil(lambda: verdict.warns(), timeout=WAIT_MS)
    text = verdict.text()
    assert text.startswith("⚠") and "at batch 2048" in text and "64.0 MiB free" in text
    largest = int(text.split("Largest batch that fits: ")[1].rstrip("."))
    assert 1 <= largest < 2048
    assert "training can still start" in text and panel.start_button.isEnabled()
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS) as finished:
        assert panel.start()  # a warning, never a refusal
    assert finished.args[0].status == "completed"
    assert text in panel.log.toPlainText()


def test_a_run_opened_from_a_checkpoint_shows_its_per_epoch_health(window, tmp_path) -> None:
    from netbuilder.train.checkpoint import save_checkpoint
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.health import HealthMonitor
    from netbuilder.train.trainer import Trainer

    diagram = nan_mlp()
    diagram.set_training(
        {**diagram.training, "epochs": 2, "optimizer": "adam", "dataset_options": {"size": 480}}
    )
    result = Trainer(
        diagram, TrainConfig.from_dict(diagram.training), hooks=[HealthMonitor()]
    ).run()
    assert result.ok, result.error
    path = tmp_path / "mlp.pt"
    save_checkpoint(path, diagram, result.model, metrics=result.metrics, classes=result.classes)
    assert window.files.open(path)
    panel = window.training_panel
    flow = panel.insight.flow
    window.show_workspace("training")
    panel.tabs.setCurrentWidget(flow)
    run = flow.run
    assert run is not None and run.per_epoch and run.order == ["fc1", "fc2", "fc3"]
    assert "per-epoch means (epoch 2)" in flow.header.text()
    saved = result.metrics["health/grad_norm/fc2"]
    assert flow.latest("grad_norm")["fc2"] == pytest.approx(saved[-1])
    assert window.insight.health.layer.items == {}  # a healthy run marks nothing


def test_cost_legend_takes_the_corner_that_hides_no_block(window, qtbot) -> None:
    """The legend sat in the bottom-left corner whatever was there, covering a block's
    figure or its "—" badge; it now takes a corner free of blocks (bottom left first)."""
    from PySide6.QtCore import QPoint, QRect

    window.resize(1024, 700)
    open_cnn(window, qtbot)
    overlay = show_cost(window, qtbot)
    legend, view = overlay.legend, window.view
    vp = view.viewport()

    def blocks_under_legend() -> list[str]:
        rect = QRect(legend.pos() - vp.geometry().topLeft(), legend.size())
        return [
            nid
            for nid, item in window.scene.nodes.items()
            if view.mapFromScene(item.sceneBoundingRect()).boundingRect().intersects(rect)
        ]

    assert legend.isVisible() and blocks_under_legend() == []
    # put a block where the legend was (bottom left of the canvas): the legend moves away
    corner = view.mapToScene(QPoint(legend.x() - vp.x() + 20, legend.y() - vp.y() + 10))
    window.editor.move(
        {"conv1": window.session.diagram.nodes["conv1"].position},
        {"conv1": (corner.x(), corner.y())},
    )
    qtbot.waitUntil(lambda: blocks_under_legend() == [], timeout=5000)
    assert window.scene.nodes["conv1"].isVisible()
    # scrolling brings other blocks into view: it keeps to the corner hiding the fewest
    bar = view.horizontalScrollBar()
    bar.setValue(bar.minimum() if bar.value() > bar.minimum() else bar.maximum())
    g = vp.geometry()
    corners = [
        QRect(QPoint(x, y) - g.topLeft(), legend.size())
        for x in (g.left() + 10, g.right() - legend.width() - 10)
        for y in (g.top() + 10, g.bottom() - legend.height() - 10)
    ]
    least = min(legend.hidden_area(c) for c in corners)
    assert legend.hidden_area(QRect(legend.pos() - g.topLeft(), legend.size())) == least
