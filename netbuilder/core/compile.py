"""Diagram → ``torch.fx.GraphModule``: a plain ``nn.Module`` built from an explicit graph.

Each block becomes a ``call_module`` named after its node, merges become ``call_function``
nodes, and every fx node carries ``meta["node_id"]`` so a runtime error can point at the
block on the canvas (DESIGN rule 5). A sub-block use becomes a nested GraphModule built the
same way from its body (one per use, named by the node id), so state_dict keys read like
``stage1.block0.conv1.weight``.
"""

from __future__ import annotations

import operator
from typing import Any

import networkx as nx
import torch
from torch import fx, nn

from netbuilder.core.diagnostics import Diagnostic
from netbuilder.core.diagram import Diagram
from netbuilder.core.naming import python_names
from netbuilder.core.shapes import Analysis, check
from netbuilder.core.subblocks import SubBlockSpec


class CompileError(ValueError):
    """The diagram has errors; ``diagnostics`` says which node has which problem."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        lines = "\n".join(f"  - {d}" for d in diagnostics[:20])
        more = f"\n  ... and {len(diagnostics) - 20} more" if len(diagnostics) > 20 else ""
        super().__init__(f"the diagram cannot be compiled:\n{lines}{more}")


def live_nodes(diagram: Diagram, analysis: Analysis) -> list[str]:
    """Nodes that feed an Output, plus all inputs, in checked topological order.

    In a definition body the SubInputs and SubOutputs play the inputs' and outputs' parts.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(diagram.nodes)
    graph.add_edges_from((e.source, e.target) for e in diagram.edges)
    keep = set(analysis.input_nodes()) | set(analysis.port_nodes("sub_input"))
    for out in [*analysis.output_nodes(), *analysis.port_nodes("sub_output")]:
        keep |= nx.ancestors(graph, out) | {out}
    return [n for n in analysis.order if n in keep]


def build_layer(diagram: Diagram, analysis: Analysis, node_id: str) -> nn.Module | None:
    """The torch layer of one node, or None for inputs, outputs and merges.

    A sub-block use gives its body compiled as a nested module (on this use's shapes).
    """
    spec = diagram.block(diagram.nodes[node_id].type)
    if isinstance(spec, SubBlockSpec):
        return _build(spec.definition.body, analysis.inner[node_id], spec.type)
    if spec.module is None:
        return None
    result = analysis.nodes[node_id]
    in_specs = [result.inputs[p] for p in spec.input_ports(result.params)]
    cls, kwargs = spec.module(result.params, in_specs)  # type: ignore[arg-type]
    return cls(**kwargs)


def merge_function(op: str) -> Any:
    return {"add": operator.add, "mul": operator.mul}[op]


def compile_diagram(diagram: Diagram, analysis: Analysis | None = None) -> fx.GraphModule:
    """Build the model. Raises ``CompileError`` listing the diagnostics if the diagram has errors.

    Parameters are initialised by torch's default initialisers under the current RNG state,
    so ``torch.manual_seed`` before this call makes the weights reproducible.
    """
    analysis = analysis or check(diagram)
    if not analysis.ok:
        raise CompileError(analysis.errors)
    return _build(diagram, analysis, "NetBuilderModel")


def _build(diagram: Diagram, analysis: Analysis, class_name: str) -> fx.GraphModule:
    """The GraphModule of a checked diagram or definition body (``analysis`` on its shapes)."""
    order = live_nodes(diagram, analysis)
    names = python_names(diagram.nodes)
    graph = fx.Graph()
    root = nn.Module()
    values: dict[tuple[str, str], fx.Node] = {}
    results: dict[str, fx.Node] = {}
    wires = {(e.target, e.target_port): e for e in diagram.edges}
    # a body's arguments come in port order, whatever the topological order
    for nid in analysis.port_nodes("sub_input"):
        values[(nid, "out")] = graph.placeholder(names[nid])
        values[(nid, "out")].meta["node_id"] = nid

    for nid in order:
        node = diagram.nodes[nid]
        spec = diagram.block(node.type)
        params = analysis.nodes[nid].params
        if spec.role == "sub_input":
            continue
        args = [
            values[(wires[(nid, p)].source, wires[(nid, p)].source_port)]
            for p in spec.input_ports(params)
        ]
        if spec.role == "input":
            fx_node = graph.placeholder(names[nid])
        elif spec.role in ("output", "sub_output"):
            results[nid] = args[0]
            continue
        elif spec.merge is not None:
            if spec.merge.op == "cat":
                fx_node = graph.call_function(torch.cat, (args,), {"dim": params["dim"]})
            else:
                fn = merge_function(spec.merge.op)
                fx_node = args[0]
                for other in args[1:]:
                    fx_node = graph.call_function(fn, (fx_node, other))
                    fx_node.meta["node_id"] = nid
        else:
            layer = build_layer(diagram, analysis, nid)
            root.add_module(names[nid], layer)
            fx_node = graph.call_module(names[nid], tuple(args))
        fx_node.meta["node_id"] = nid
        ports = spec.output_ports(params)
        if len(ports) == 1:
            values[(nid, ports[0])] = fx_node
        else:
            for i, port in enumerate(ports):
                item = graph.call_function(operator.getitem, (fx_node, i))
                item.meta["node_id"] = nid
                values[(nid, port)] = item

    # Outputs in diagram order (Analysis.output_nodes), which is what trainers and exporters
    # pair with losses and names; the topological order can differ.
    returned = [results[n] for n in [*analysis.output_nodes(), *analysis.port_nodes("sub_output")]]
    graph.output(returned[0] if len(returned) == 1 else tuple(returned))
    graph.lint()
    return fx.GraphModule(root, graph, class_name=class_name)


def find_failing_node(
    module: fx.GraphModule, *inputs: torch.Tensor
) -> tuple[str | None, Exception]:
    """Run ``module`` node by node and return the diagram node id whose step raised.

    Used after a forward pass fails, to put the runtime error on the right block.
    """

    class _Locator(fx.Interpreter):
        current: str | None = None

        def run_node(self, n: fx.Node) -> Any:
            self.current = n.meta.get("node_id")
            return super().run_node(n)

    locator = _Locator(module)
    try:
        locator.run(*inputs)
    except Exception as exc:  # the point is to catch whatever the layer raised
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        return locator.current, cause
    return None, RuntimeError("the model ran without error")
