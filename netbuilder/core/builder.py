"""A compact Python API for building diagrams in code (tests, notebooks, the examples).

Example::

    d = Diagram()
    x = chain(d, ("ImageInput", {"channels": 1, "height": 28, "width": 28}),
              ("Conv2d", {"out_channels": 8}), "ReLU", "Flatten", ("Linear", {"out_features": 10}),
              "Output")
"""

from __future__ import annotations

from typing import Any

from netbuilder.core.diagram import Diagram

Step = str | tuple[str, dict[str, Any]] | tuple[str, dict[str, Any], str]


def chain(diagram: Diagram, *steps: Step, after: str | None = None, after_port: str = "out") -> str:
    """Append blocks wired one after another; returns the last node's id.

    A step is a type name, ``(type, params)`` or ``(type, params, node_id)``. With ``after``,
    the first block is wired from that node's ``after_port``.
    """
    prev, port = after, after_port
    for step in steps:
        if isinstance(step, str):
            type_name, params, node_id = step, {}, None
        elif len(step) == 2:
            type_name, params, node_id = step[0], step[1], None  # type: ignore[misc]
        else:
            type_name, params, node_id = step  # type: ignore[misc]
        nid = diagram.add_node(type_name, params, node_id=node_id)
        if prev is not None:
            diagram.connect(prev, port, nid, "in")
        prev, port = nid, "out"
    assert prev is not None, "chain() needs at least one step"
    return prev
