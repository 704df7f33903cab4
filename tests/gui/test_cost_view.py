"""Cost figures in the inspector and totals in the status bar (issue 13, read-only parts)."""

from __future__ import annotations

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.gui.cost import CostView
from netbuilder.resources import EXAMPLES_DIR
from tests.gui.ui import click_node

WAIT_MS = 60_000


def test_inspector_and_status_bar_show_the_cost(window, qtbot) -> None:
    window.session.replace(load(EXAMPLES_DIR / "cnn_image_classifier.nbd"), None)
    window.view.fit()
    view = CostView.of(window.session)
    assert CostView.of(window.session) is view  # one per session
    # profiled on a worker thread: the first (cold) profile takes seconds on a busy machine
    qtbot.waitUntil(lambda: "3.51 MFLOPs/sample" in window.cost_label.text(), timeout=WAIT_MS)
    assert (
        "training memory" in window.cost_label.text() and "at batch 64" in window.cost_label.text()
    )
    assert "predicted peak training memory" in window.cost_label.toolTip()
    click_node(window, "conv1")
    section = window.inspector.cost
    qtbot.waitUntil(lambda: "885 k" in section.text(), timeout=WAIT_MS)  # 2·16·3·9·32·32 FLOPs
    assert "25.2% of the network" in section.text()
    # an undoable edit changes the figures; undo brings them back
    window.inspector.fields["out_channels"].setValue(32)
    qtbot.waitUntil(lambda: "1.77 M" in section.text(), timeout=WAIT_MS)
    window.session.undo_stack.undo()
    qtbot.waitUntil(lambda: "885 k" in section.text(), timeout=WAIT_MS)
    # the batch size of the training settings moves the memory figure
    training = dict(window.session.diagram.training, batch_size=512)
    window.session.diagram.set_training(training)
    qtbot.waitUntil(lambda: "at batch 512" in window.cost_label.text(), timeout=WAIT_MS)


def test_a_block_that_cannot_be_profiled_shows_a_dash_and_why(window, qtbot) -> None:
    d = Diagram()
    chain(
        d, ("TabularInput", {"features": 4}, "x"), ("Linear", {"out_features": 2}, "fc"), "Output"
    )
    d.add_node("Linear", {"out_features": 3}, node_id="loose")
    window.session.replace(d, None)
    window.inspector.show_node("loose")
    qtbot.waitUntil(lambda: "not connected" in window.inspector.cost.text(), timeout=WAIT_MS)
    assert window.inspector.cost.text().startswith("<b>Cost</b>: —")
    assert "1 block(s) —" in window.cost_label.text()
    window.inspector.show_node("fc")
    assert "forward FLOPs: <b>16 </b>" in window.inspector.cost.text()
