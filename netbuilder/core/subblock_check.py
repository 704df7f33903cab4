"""Shape checking of sub-blocks: each use checks the body on the shapes it receives.

The checker (``core.shapes``) calls ``check_use`` for a node whose spec is a
``SubBlockSpec``: the body is checked with its SubInputs given the instance's input specs and
its exposed parameters written into the inner nodes. Problems inside become problems of the
instance whose ``path`` leads to the inner node (``stage1 › conv1: ...``), and the body's
analysis is kept in ``Analysis.inner`` so a view opening the instance can show its shapes.
"""

from __future__ import annotations

from typing import Any

from netbuilder.core.analysis import Analysis, NodeResult, _freeze
from netbuilder.core.diagnostics import Diagnostic, Severity
from netbuilder.core.diagram import Diagram, DiagramError
from netbuilder.core.graphs import Adjacency
from netbuilder.core.subblocks import SubBlockDef, SubBlockSpec
from netbuilder.core.tensor import TensorSpec
from netbuilder.core.text import quoted

# ``checker`` below is the ShapeChecker calling in (not imported: it imports this module)


def check_body(
    checker: Any,
    diagram: Diagram,
    name: str,
    params: dict[str, Any],
    in_specs: list[TensorSpec],
) -> Analysis:
    """The analysis of definition ``name``'s body for a use with (validated) ``params``."""
    try:
        definition = diagram.definition(name)
    except DiagramError as exc:
        return Analysis(diagnostics=[Diagnostic(None, f"{exc}.")])
    active: set[str] = checker.__dict__.setdefault("_active_definitions", set())
    if name in active:  # refused on edit and load; a guard for code that builds one anyway
        return Analysis(
            diagnostics=[Diagnostic(None, f"The sub-block {quoted(name)} contains itself.")]
        )
    active.add(name)
    try:
        inner = checker._run(definition.body, list(in_specs), definition.overrides(params))
    finally:
        active.discard(name)
    inner.diagnostics.extend(_exposed_problems(definition))
    return inner


def _exposed_problems(definition: SubBlockDef) -> list[Diagnostic]:
    out = []
    body = definition.body
    for exposed in definition.exposed.values():
        for node_id, param in exposed.targets:
            node = body.nodes.get(node_id)
            try:
                ok = node is not None and param in body.block(node.type).param_map
            except KeyError:
                ok = False
            if not ok:
                out.append(
                    Diagnostic(
                        None,
                        f"The exposed parameter {quoted(exposed.name)} points at "
                        f"{node_id}.{param}, which the sub-block does not have.",
                        "Expose the parameter again from the block inside.",
                    )
                )
    return out


def body_outputs(definition: SubBlockDef, inner: Analysis) -> list[TensorSpec] | None:
    """What a use returns, port by port, or None when its body has errors."""
    if not inner.ok or not definition.output_nodes():
        return None
    outs: list[TensorSpec] = []
    for nid in definition.output_nodes():
        result = inner.nodes.get(nid)
        x = result.inputs.get("in") if result else None
        if x is None:
            return None
        outs.append(x)
    return outs


def _wrapped(nid: str, d: Diagnostic) -> Diagnostic:
    """An inner problem as a problem of instance ``nid`` that names where it is."""
    if d.path:
        path, message = (nid, *d.path), f"{nid} › {d.message}"
    elif d.node_id:
        path, message = (nid, d.node_id), f"{nid} › {d.node_id}: {d.message}"
    else:
        path, message = (nid,), f"{nid}: {d.message}"
    return Diagnostic(nid, message, d.hint, severity=d.severity, path=path)


def check_use(
    checker: Any,
    diagram: Diagram,
    nid: str,
    spec: SubBlockSpec,
    params: dict[str, Any],
    inputs: dict[str, TensorSpec | None],
    in_specs: list[TensorSpec],
    analysis: Analysis,
) -> NodeResult:
    """Check one use of a sub-block (cached on its definition's fingerprint and inputs)."""
    cache: dict[tuple, Analysis] = checker.__dict__.setdefault("_bodies", {})
    key = (spec.type, spec.fingerprint, _freeze(params), tuple(in_specs))
    inner = cache.get(key)
    if inner is None:
        inner = checker.check_body(diagram, spec.type, params, in_specs)
        if len(cache) > 2_000:
            cache.clear()
        cache[key] = inner
    analysis.inner[nid] = inner
    analysis.diagnostics.extend(_wrapped(nid, d) for d in inner.diagnostics)
    outs = body_outputs(spec.definition, inner)
    if outs is None:
        if not inner.errors:
            analysis.diagnostics.append(
                Diagnostic(nid, f"{spec.type} has no output.", "Open it and add a SubOutput.")
            )
        return NodeResult(params, inputs, {}, ok=False)
    names = spec.output_ports(params)
    return NodeResult(params, inputs, dict(zip(names, outs, strict=True)), inner.total_params)


def top_level_ports(diagram: Diagram, analysis: Analysis) -> None:
    """SubInput/SubOutput outside a definition body are mistakes; say so on each."""
    for nid, role in analysis.roles.items():
        if role in ("sub_input", "sub_output"):
            analysis.diagnostics.append(
                Diagnostic(
                    nid,
                    f"{diagram.nodes[nid].type} belongs inside a sub-block, not in the main "
                    "diagram.",
                    "Delete it, or select blocks and make a sub-block of them.",
                )
            )


def body_level(diagram: Diagram, graph: Adjacency, analysis: Analysis) -> None:
    """Problems of a body as a whole: no SubOutput, clashing port names, model inputs inside."""
    diags = analysis.diagnostics
    roles = analysis.roles
    outputs = [n for n, r in roles.items() if r == "sub_output"]
    if not outputs:
        diags.append(
            Diagnostic(
                None,
                "The sub-block has no SubOutput, so it returns nothing.",
                "Add a SubOutput block and wire the block's result into it.",
            )
        )
    for role in ("sub_input", "sub_output"):
        seen: set[str] = set()
        for nid in (n for n, r in roles.items() if r == role):
            name = str(diagram.nodes[nid].params.get("name", ""))
            if name in seen or not name:
                diags.append(
                    Diagnostic(
                        nid,
                        f"Two ports of this sub-block are named {quoted(name)}."
                        if name
                        else "This port of the sub-block needs a name.",
                        "Give each port its own name.",
                        port="name",
                    )
                )
            seen.add(name)
    for nid, role in roles.items():
        if role in ("input", "output"):
            diags.append(
                Diagnostic(
                    nid,
                    f"{diagram.nodes[nid].type} cannot be inside a sub-block; a sub-block's "
                    "inputs and outputs are SubInput and SubOutput blocks.",
                    "Replace it with a SubInput or a SubOutput.",
                )
            )
    if outputs:
        reaching = graph.ancestors(outputs)
        for nid in diagram.nodes:
            if nid not in reaching:
                diags.append(
                    Diagnostic(
                        nid,
                        "This block does not lead to any SubOutput, so it does nothing.",
                        "Wire it on, or delete it.",
                        severity=Severity.WARNING,
                    )
                )
