"""Small diagrams with (nested) sub-blocks, built through the public edit functions."""

from __future__ import annotations

from netbuilder.core.diagram import Diagram
from netbuilder.core.subblock_edits import make_subblock


def flat_two_units() -> Diagram:
    """image → stem → two residual units (conv, relu, add) → pool → fc → output."""
    d = Diagram()
    d.meta = {"name": "Sub-block fixture", "description": "Two residual units in a stage."}
    d.add_node("ImageInput", {"channels": 3, "height": 8, "width": 8}, (0, 0), node_id="image")
    d.add_node("Conv2d", {"out_channels": 4, "padding": 1}, (200, 0), node_id="stem")
    prev = "stem"
    for u in ("u1", "u2"):
        x = 400 if u == "u1" else 1000
        d.add_node("Conv2d", {"out_channels": 4, "padding": 1}, (x, 0), node_id=f"{u}_conv")
        d.add_node("ReLU", {}, (x + 200, 0), node_id=f"{u}_relu")
        d.add_node("Add", {}, (x + 400, 0), node_id=f"{u}_add")
        d.connect(prev, "out", f"{u}_conv", "in")
        d.connect(f"{u}_conv", "out", f"{u}_relu", "in")
        d.connect(f"{u}_relu", "out", f"{u}_add", "in1")
        d.connect(prev, "out", f"{u}_add", "in2")
        prev = f"{u}_add"
    d.add_node("GlobalAvgPool", {}, (1600, 0), node_id="gap")
    d.add_node("Linear", {"out_features": 3}, (1800, 0), node_id="fc")
    d.add_node("Output", {}, (2000, 0), node_id="out")
    d.connect("image", "out", "stem", "in")
    d.connect(prev, "out", "gap", "in")
    d.connect("gap", "out", "fc", "in")
    d.connect("fc", "out", "out", "in")
    return d


def nested_stage() -> Diagram:
    """``flat_two_units`` with each unit a ``Unit`` (exposed ``width``) and both a ``Stage``."""
    d = flat_two_units()
    first = make_subblock(
        d, ["u1_conv", "u1_relu", "u1_add"], "Unit", {"width": ("u1_conv", "out_channels")}
    )
    second = make_subblock(d, ["u2_conv", "u2_relu", "u2_add"], "Unit2")
    # the second unit is the same computation: use Unit there and drop the copy
    d.add_node("Unit", {"width": 4}, d.nodes[second].position, node_id="unit2")
    for e in d.edges_into(second):
        d.connect(e.source, e.source_port, "unit2", "in")
    for e in d.edges_from(second):
        d.connect("unit2", "out", e.target, e.target_port)
    d.remove_node(second)
    d.remove_definition("Unit2")
    d.set_label(first, "first unit")
    make_subblock(d, [first, "unit2"], "Stage", description="Two residual units.")
    return d
