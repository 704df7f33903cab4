"""Which blocks and ports fit a tensor: used to highlight ports and filter the add-search.

Each question is answered by the blocks' own shape rules (``BlockSpec.infer``), the same ones
the checker runs for each node, so "fits" here means the checker would accept the wire. A
wire is judged against the one input port it would go into, together with what is already
wired into the block's other inputs: a second wire into an ``Add`` must match the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from netbuilder.core.blocks import BLOCKS, BlockSpec
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.diagram import Diagram
from netbuilder.core.tensor import TensorSpec


def port_problem(
    spec: BlockSpec,
    params: dict[str, Any],
    port: str,
    x: TensorSpec | None,
    wired: Mapping[str, TensorSpec | None] | None = None,
) -> str | None:
    """Why ``x`` wired into input ``port`` would be refused, or None when it fits.

    ``wired`` holds the tensors already arriving at the block's inputs (from the checker's
    analysis). An input that is empty, or whose tensor is unknown, is assumed to receive a
    matching wire later, so only real conflicts count. A block whose other wires already
    conflict with each other, or whose parameters are invalid, is broken whatever arrives:
    its ports are not hidden for that.
    """
    if x is None:
        return None
    clean, problems = spec.validate_params(params)
    if problems:
        return None
    ports = spec.input_ports(clean)
    if port not in ports:
        return QCoreApplication.translate("WireFit", "{type} has no input '{port}'").format(
            type=spec.type, port=port
        )
    wired = wired or {}
    others = {p: wired.get(p) for p in ports if p != port}
    problem = _infer_error(spec, clean, [x if p == port else (others[p] or x) for p in ports])
    known = [s for s in others.values() if s is not None]
    if problem is not None and known:  # do the other wires fit together without this one?
        base = known[0]
        baseline = [base if p == port else (others[p] or base) for p in ports]
        if _infer_error(spec, clean, baseline) is not None:
            return None  # they are already in conflict: not this wire's fault
    return problem


def _infer_error(spec: BlockSpec, params: dict[str, Any], ins: list[TensorSpec]) -> str | None:
    try:
        spec.infer(params, ins)
    except ShapeError as exc:
        return exc.message
    except Exception as exc:  # a rule that fails on an odd tensor: that does not fit either
        return QCoreApplication.translate(
            "WireFit", "{type} cannot take these inputs ({reason})"
        ).format(type=spec.type, reason=exc)
    return None


def accepts(spec: BlockSpec, params: dict[str, Any], x: TensorSpec | None) -> bool:
    """Would a new, unwired block ``spec`` with ``params`` take ``x`` on its first input?"""
    ports = spec.input_ports(params)
    return bool(ports) and port_problem(spec, params, ports[0], x) is None


def upstream_of(diagram: Diagram, node_id: str) -> set[str]:
    """``node_id`` and every block that feeds it: a wire from it into one of them is a loop."""
    return _reach(diagram, node_id, forward=False)


def downstream_of(diagram: Diagram, node_id: str) -> set[str]:
    """``node_id`` and every block it feeds: a wire from one of them into it is a loop."""
    return _reach(diagram, node_id, forward=True)


def _reach(diagram: Diagram, node_id: str, forward: bool) -> set[str]:
    nexts: dict[str, list[str]] = {}
    for e in diagram.edges:  # one pass: edges_into() per step would scan every wire each time
        a, b = (e.source, e.target) if forward else (e.target, e.source)
        nexts.setdefault(a, []).append(b)
    seen = {node_id}
    todo = [node_id]
    while todo:
        for n in nexts.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def blocks_fitting_output(x: TensorSpec | None) -> list[str]:
    """Block types that can take ``x`` (the tensor of the output a wire was dragged from).

    The chosen block arrives wired into its first input with nothing else wired, so this is
    ``port_problem`` for that port, the same judgement the port highlighting makes.
    """
    return [t for t, spec in BLOCKS.items() if accepts(spec, spec.defaults(), x)]


def blocks_feeding_input() -> list[str]:
    """Block types that have an output (candidates to feed an input a wire was dragged from)."""
    return [t for t, spec in BLOCKS.items() if spec.output_ports(spec.defaults())]
