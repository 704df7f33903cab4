"""Static checking: a shape for every port, parameter counts, and every problem on its node.

Results are cached per node on (block type, parameters, input specs), so after one edit only
the edited node and what lies downstream of it are worked out again (DESIGN rule 6). Parameter
counts come from each block's ``count`` formula, so checking never imports torch; a block
without one is built on torch's ``meta`` device instead (exact, no memory even for huge
layers). Property tests compare both with real layers.
"""

from __future__ import annotations

from typing import Any

from netbuilder.core import subblocks
from netbuilder.core.analysis import Analysis, NodeResult, _freeze
from netbuilder.core.blocks import BlockSpec, UnknownBlockError, unknown_block_message
from netbuilder.core.diagnostics import Diagnostic, Severity, ShapeError
from netbuilder.core.diagram import Diagram, Edge
from netbuilder.core.graphs import Adjacency
from netbuilder.core.i18n import _, current_language
from netbuilder.core.subblock_check import (
    body_level,
    body_outputs,
    check_body,
    check_use,
    top_level_ports,
)
from netbuilder.core.subblocks import SubBlockSpec
from netbuilder.core.tensor import TensorSpec
from netbuilder.core.text import quoted

__all__ = ["Analysis", "NodeResult", "ShapeChecker", "check", "check_instance"]


class ShapeChecker:
    """Checks diagrams, remembering per-node results between calls."""

    def __init__(self, cache_size: int = 20_000) -> None:
        self._cache: dict[tuple, tuple[list[TensorSpec] | ShapeError, int]] = {}
        # (type, raw params) → validated params and problems: validation is the largest
        # per-node cost of a re-check once shapes are cached.
        self._valid: dict[tuple, tuple[dict[str, Any], list[tuple[str, str]]]] = {}
        self._counts: dict[tuple, int] = {}  # (layer class, constructor kwargs) → parameters
        self._cache_size = cache_size
        self._language = current_language()

    def check(self, diagram: Diagram) -> Analysis:
        """Check a diagram; a definition body alone is checked without input shapes (its
        SubInputs have none until a use gives them), so only its structure is judged."""
        return self._run(diagram, [] if diagram.owner is not None else None, {})

    def check_body(
        self, diagram: Diagram, name: str, params: dict[str, Any], in_specs: list[TensorSpec]
    ) -> Analysis:
        """The analysis of sub-block ``name``'s body for one use (validated ``params``)."""
        return check_body(self, diagram, name, params, in_specs)

    def _run(
        self,
        diagram: Diagram,
        boundary: list[TensorSpec] | None,
        overrides: dict[str, dict[str, Any]],
    ) -> Analysis:
        """Check ``diagram``; ``boundary`` holds a body's input specs (None at top level)."""
        if self._language != current_language():  # cached problems speak the old language
            self._cache.clear()
            self._valid.clear()
            self._language = current_language()
        analysis = Analysis()
        specs: dict[str, BlockSpec] = {}
        for nid, n in diagram.nodes.items():
            try:
                specs[nid] = diagram.block(n.type)
            except UnknownBlockError:
                continue
        analysis.roles = {nid: spec.role for nid, spec in specs.items()}
        diags = analysis.diagnostics

        graph = Adjacency(list(diagram.nodes), ((e.source, e.target) for e in diagram.edges))
        analysis.order = graph.topological_order()
        in_cycle: set[str] = set()
        if len(analysis.order) < len(diagram.nodes):
            placed = set(analysis.order)
            in_cycle = graph.cycle_nodes(n for n in diagram.nodes if n not in placed)
            for nid in sorted(in_cycle):
                diags.append(
                    Diagnostic(
                        nid,
                        _("This block is part of a loop: data would flow back into itself."),
                        _(
                            "Remove one wire of the loop; recurrence belongs inside an "
                            "LSTM/GRU/RNN."
                        ),
                    )
                )
            analysis.order = graph.topological_order(skip=in_cycle)

        wires: dict[tuple[str, str], list[Edge]] = {}
        wired_ports: dict[str, set[str]] = {}
        for e in diagram.edges:
            wires.setdefault((e.target, e.target_port), []).append(e)
            wired_ports.setdefault(e.target, set()).add(e.target_port)

        sub_inputs = [nid for nid in diagram.nodes if analysis.roles.get(nid) == "sub_input"]
        for nid in analysis.order:
            node = diagram.nodes[nid]
            spec = specs.get(nid)
            if spec is None:
                diags.append(
                    Diagnostic(
                        nid,
                        _("This block has {problem}.").format(
                            problem=unknown_block_message(node.type)
                        ),
                        _("It may come from a newer NetBuilder; replace it."),
                    )
                )
                continue
            raw = node.params
            if nid in overrides:
                raw = {**raw, **overrides[nid]}
            if spec.role == "sub_input":  # its shape is the instance's (none at top level)
                index = sub_inputs.index(nid)
                x = boundary[index] if boundary and index < len(boundary) else None
                outs = {"out": x} if x is not None else {}  # unknown: no output, as elsewhere
                params, _problems = spec.validate_params(raw)
                analysis.nodes[nid] = NodeResult(params, {}, outs, ok=bool(outs))
                continue
            result = self._check_node(diagram, nid, spec, raw, wires, wired_ports, analysis)
            analysis.nodes[nid] = result

        for nid in in_cycle:
            if nid in specs:
                params, _problems = specs[nid].validate_params(diagram.nodes[nid].params)
                analysis.nodes[nid] = NodeResult(params, {}, {}, ok=False)

        if boundary is None:
            top_level_ports(diagram, analysis)
            self._diagram_level(diagram, graph, analysis)
        else:
            body_level(diagram, graph, analysis)
        if len(self._cache) > self._cache_size:
            self._cache.clear()
        if len(self._valid) > self._cache_size:
            self._valid.clear()
        if len(self._counts) > self._cache_size:
            self._counts.clear()
        return analysis

    def _check_node(
        self,
        diagram: Diagram,
        nid: str,
        spec: BlockSpec,
        raw: dict[str, Any],
        wires: dict[tuple[str, str], list[Edge]],
        wired_ports: dict[str, set[str]],
        analysis: Analysis,
    ) -> NodeResult:
        diags = analysis.diagnostics
        # a sub-block's fingerprint changes with its definition, so edits invalidate
        raw_key = (spec.type, getattr(spec, "fingerprint", ""), _freeze(raw))
        validated = self._valid.get(raw_key)
        if validated is None:
            validated = self._valid[raw_key] = spec.validate_params(raw)
        params, problems = dict(validated[0]), validated[1]
        for name, message in problems:
            diags.append(Diagnostic(nid, message, _("Change it in the inspector."), port=name))
        ports = spec.input_ports(params)
        inputs: dict[str, TensorSpec | None] = {}
        ready = not problems
        for port in ports:
            incoming = wires.get((nid, port), [])
            if not incoming:
                diags.append(
                    Diagnostic(
                        nid,
                        _("Input '{port}' of {block} is not connected.").format(
                            port=port, block=spec.type
                        ),
                        _("Drag a wire into it from an earlier block."),
                        port=port,
                    )
                )
                ready = False
                inputs[port] = None
                continue
            if len(incoming) > 1:
                diags.append(
                    Diagnostic(
                        nid,
                        _(
                            "Input '{port}' of {block} has {count} wires; an input takes "
                            "exactly one."
                        ).format(port=port, block=spec.type, count=len(incoming)),
                        _("Combine them first with an Add or Concatenate block."),
                        port=port,
                    )
                )
                ready = False
            upstream = analysis.nodes.get(incoming[0].source)
            x = upstream.outputs.get(incoming[0].source_port) if upstream else None
            inputs[port] = x
            if x is None:
                ready = False
        for port in sorted(wired_ports.get(nid, ())):
            if port not in ports:
                diags.append(
                    Diagnostic(
                        nid,
                        _("A wire goes into {port}, which {block} does not have now.").format(
                            port=quoted(port), block=spec.type
                        ),
                        _("Delete that wire."),
                        port=port,
                    )
                )
        if not ready:
            return NodeResult(params, inputs, {}, ok=False)

        in_specs = [inputs[p] for p in ports]
        if isinstance(spec, SubBlockSpec):
            return check_use(self, diagram, nid, spec, params, inputs, in_specs, analysis)
        key = (raw_key, tuple(in_specs))  # raw params determine the validated ones
        cached = self._cache.get(key)
        if cached is None:
            cached = self._compute(spec, params, in_specs)  # type: ignore[arg-type]
            self._cache[key] = cached
        outs, count = cached
        if isinstance(outs, ShapeError):
            diags.append(Diagnostic(nid, outs.message, outs.hint, port=outs.port))
            return NodeResult(params, inputs, {}, ok=False)
        names = spec.output_ports(params)
        return NodeResult(params, inputs, dict(zip(names, outs, strict=True)), count)

    def _compute(
        self, spec: BlockSpec, params: dict[str, Any], in_specs: list[TensorSpec]
    ) -> tuple[list[TensorSpec] | ShapeError, int]:
        try:
            outs = spec.infer(params, in_specs)
        except ShapeError as exc:
            return exc, 0
        if spec.module is None:
            return outs, 0
        if spec.count is not None:
            return outs, spec.count(params, in_specs)
        try:
            import torch

            cls, kwargs = spec.module(params, in_specs)
            # The count depends only on the constructor arguments: after an image-size
            # edit, every conv downstream has new shapes but the same layer, so building
            # it again (the slow part of a re-check) is skipped.
            count_key = (cls, _freeze(kwargs))
            count = self._counts.get(count_key)
            if count is None:
                with torch.device("meta"):
                    module = cls(**kwargs)
                count = self._counts[count_key] = sum(p.numel() for p in module.parameters())
        except (ValueError, RuntimeError, TypeError, AssertionError) as exc:
            return ShapeError(
                _("{block} cannot be built with these settings: {error}").format(
                    block=spec.type, error=exc
                ),
                _("Check the parameters in the inspector."),
            ), 0
        return outs, count

    @staticmethod
    def _diagram_level(diagram: Diagram, graph: Adjacency, analysis: Analysis) -> None:
        if not diagram.nodes:
            return
        roles = analysis.roles
        outputs = [nid for nid, r in roles.items() if r == "output"]
        inputs = [nid for nid, r in roles.items() if r == "input"]
        diags = analysis.diagnostics
        if not inputs:
            diags.append(
                Diagnostic(
                    None,
                    _("The diagram has no input block."),
                    _("Add an Image, Sequence, Token or Tabular input."),
                )
            )
        if not outputs:
            diags.append(
                Diagnostic(
                    None,
                    _("The diagram has no Output block."),
                    _("Wire the last block into an Output block."),
                )
            )
            return
        reaching = graph.ancestors(outputs)
        for nid in diagram.nodes:
            if nid not in reaching:
                diags.append(
                    Diagnostic(
                        nid,
                        _("This block does not lead to any Output, so it does nothing."),
                        _("Wire it on, or delete it."),
                        severity=Severity.WARNING,
                    )
                )


_DEFAULT = ShapeChecker()


def check(diagram: Diagram) -> Analysis:
    """Check ``diagram`` with a process-wide cached checker."""
    return _DEFAULT.check(diagram)


def check_instance(
    diagram: Diagram, name: str, params: dict[str, Any], in_specs: list[TensorSpec]
) -> tuple[list[TensorSpec] | None, int, Analysis]:
    """One use of sub-block ``name`` on ``in_specs``: output specs (None if it has errors),
    its parameter count, and the analysis of its body."""
    spec = diagram.block(name)
    validated, _problems = spec.validate_params(params)
    inner = _DEFAULT.check_body(diagram, name, validated, in_specs)
    return body_outputs(diagram.definition(name), inner), inner.total_params, inner


subblocks.set_instance_checker(check_instance)  # a sub-block spec's ``infer`` checks its body
