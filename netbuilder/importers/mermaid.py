"""Mermaid flowcharts: write a diagram as ``graph LR`` and read one back.

Writing: one node per block labelled like ``Conv2d 32 k3`` (see ``mermaid_labels``), one
link per wire labelled with its shape (``Bx16x32x32``), prefixed by the source port when it
is not ``out`` (``h: Bx64``). Links into a merge are written in port order.

Reading: the subset of the flowchart language that draws networks. ``graph``/``flowchart``
with a direction, ``%%`` comments, ``subgraph ... end`` (grouping only), nodes with any
bracket shape and plain or quoted labels, ``-->``, ``---``, ``==>``, ``-.->`` links, link
text as ``-->|text|`` or ``-- text -->``, chains (``A --> B --> C``) and ``&``; style
statements are skipped. Anything else is refused with its line number, and every label
that names no block is reported, all at once. Text with a ```` ```mermaid ```` fence (a
Markdown page, the seed notes) is read from the fence, with the page's line numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

from netbuilder.core.blocks import get_block
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import Analysis, check
from netbuilder.core.tensor import TensorSpec
from netbuilder.importers.errors import ModelImportError, Problem
from netbuilder.importers.graph import ImportResult, Layer, NeutralGraph, finish
from netbuilder.importers.mermaid_chart import Chart, ChartError, Link, parse_chart
from netbuilder.importers.mermaid_labels import LabelError, label_for, parse_label

MAX_BYTES = 2 * 1024 * 1024
_SAFE_ID = re.compile(r"[^A-Za-z0-9_]")
_RESERVED = {"end", "graph", "flowchart", "subgraph", "style", "class", "classdef", "click"}


def _shape_text(spec: TensorSpec | None) -> str:
    if spec is None:
        return ""
    return "x".join(["B", *(str(d) for d in spec.shape)])


def _mermaid_ids(diagram: Diagram) -> dict[str, str]:
    out: dict[str, str] = {}
    taken: set[str] = set()
    for nid in diagram.nodes:
        base = _SAFE_ID.sub("_", nid) or "n"
        if base.lower() in _RESERVED or not base[0].isalpha():
            base = f"n_{base}"
        name, i = base, 2
        while name in taken:
            name, i = f"{base}_{i}", i + 1
        taken.add(name)
        out[nid] = name
    return out


def to_mermaid(diagram: Diagram, direction: str = "LR", analysis: Analysis | None = None) -> str:
    """The diagram as a Mermaid flowchart (``direction`` LR or TD)."""
    if direction not in ("LR", "TD", "TB", "RL", "BT"):
        raise ValueError(f"unknown Mermaid direction {direction!r}")
    if diagram.definitions:  # Mermaid has no block types of its own: write the blocks inside
        from netbuilder.core.subblock_edits import flatten

        diagram, analysis = flatten(diagram), None
    analysis = analysis or check(diagram)
    ids = _mermaid_ids(diagram)
    title = re.sub(r"[^A-Za-z0-9 _.\-]", " ", str(diagram.meta.get("name", ""))).strip()
    lines = [f"%% {title}" if title else "%% NetBuilder diagram", f"graph {direction}"]
    for nid, node in diagram.nodes.items():
        params = analysis.nodes[nid].params if nid in analysis.nodes else node.params
        lines.append(f'    {ids[nid]}["{label_for(node.type, params)}"]')
    order = {nid: i for i, nid in enumerate(diagram.nodes)}

    def key(e) -> tuple:
        spec = get_block(diagram.nodes[e.target].type)
        ports = spec.input_ports(diagram.nodes[e.target].params)
        port = ports.index(e.target_port) if e.target_port in ports else 0
        return (order[e.target], port)

    for edge in sorted(diagram.edges, key=key):
        text = _shape_text(analysis.edge_spec(edge))
        if edge.source_port != "out":
            text = f"{edge.source_port}: {text}" if text else edge.source_port
        link = f'-->|"{text}"|' if text else "-->"
        lines.append(f"    {ids[edge.source]} {link} {ids[edge.target]}")
    return "\n".join(lines) + "\n"


def extract_chart(text: str) -> tuple[str, int]:
    """The flowchart inside ``text`` and the line number it starts after.

    A Markdown page gives its first ```` ```mermaid ```` fence; plain text is the chart.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().lower().startswith("```mermaid"):
            for j in range(i + 1, len(lines)):
                if lines[j].strip().startswith("```"):
                    return "\n".join(lines[i + 1 : j]), i + 1
            return "\n".join(lines[i + 1 :]), i + 1
    return text, 0


def from_mermaid(text: str, name: str = "") -> ImportResult:
    """A diagram from a Mermaid flowchart; ModelImportError lists every bad line."""
    chart_text, offset = extract_chart(text)
    try:
        chart = parse_chart(chart_text, offset)
    except ChartError as exc:
        problem = Problem(exc.where, exc.reason)
        raise ModelImportError("the Mermaid chart cannot be read", [problem]) from None
    return _build(chart, name)


def _build(chart: Chart, name: str) -> ImportResult:
    """Every node a block (inputs and outputs too), links checked against ports."""
    problems: list[Problem] = []
    blocks: dict[str, tuple[str, dict]] = {}
    for node in chart.nodes.values():
        try:
            blocks[node.id] = parse_label(node.label)
        except LabelError as exc:
            problems.append(Problem(f"line {node.line}", f"node {node.id} [{node.label}]: {exc}"))
    if problems:
        summary = "the Mermaid chart names things that are not NetBuilder blocks"
        if len(problems) == len(chart.nodes):
            summary = (
                "no node of this Mermaid chart names a NetBuilder block (it looks like a "
                "concept map, not a network; labels such as 'Conv2d 32 k3' or 'ReLU' are blocks)"
            )
        raise ModelImportError(summary, problems)
    incoming: dict[str, list[tuple[Link, str]]] = {n: [] for n in chart.nodes}
    for link in chart.links:
        block, params = blocks[link.source]
        spec = get_block(block)
        outs = spec.output_ports({**spec.defaults(), **params})
        port = link.port(outs)
        if port is None:
            have = ", ".join(outs) or "none"
            problems.append(
                Problem(
                    f"line {link.line}",
                    f"the link from {link.source} ({block}) names no output it has ({have})",
                )
            )
        else:
            incoming[link.target].append((link, port))
    graph = NeutralGraph(name=name)
    for nid, node in chart.nodes.items():
        block, params = blocks[nid]
        spec = get_block(block)
        links = incoming[nid]
        if spec.merge is not None and "num_inputs" not in params and len(links) >= 2:
            params["num_inputs"] = len(links)
        ports = spec.input_ports({**spec.defaults(), **params})
        if len(links) != len(ports):
            where = f"line {links[-1][0].line if links else node.line}"
            problems.append(
                Problem(
                    where,
                    f"{nid} ({block}) takes {len(ports)} input(s) but "
                    f"{len(links)} link(s) go into it",
                )
            )
            continue
        values = [f"{link.source}:{port}" for link, port in links]
        outs = [f"{nid}:{p}" for p in spec.output_ports({**spec.defaults(), **params})]
        graph.layers.append(
            Layer(nid, block, params, values, list(outs), where=f"line {node.line} ({nid})")
        )
    if problems:
        raise ModelImportError("the Mermaid chart's links do not fit its blocks", problems)
    graph.layers = _topological(graph.layers)
    return finish(graph, None, with_weights=False)


def _topological(layers: list) -> list:
    """Layers ordered so every input is made before it is used (cycles reported)."""
    by_name = {layer.name: layer for layer in layers}
    done: list = []
    state: dict[str, int] = {}
    for start in layers:
        stack = [(start.name, False)]
        while stack:
            name, expanded = stack.pop()
            if state.get(name) == 2:
                continue
            if expanded:
                state[name] = 2
                done.append(by_name[name])
                continue
            if state.get(name) == 1:
                raise ModelImportError(
                    "the Mermaid chart has a loop",
                    [Problem(by_name[name].where, "data would flow back into this block")],
                )
            state[name] = 1
            stack.append((name, True))
            for value in by_name[name].inputs:
                src = value.rsplit(":", 1)[0]
                if state.get(src) != 2 and src in by_name:
                    if state.get(src) == 1:
                        raise ModelImportError(
                            "the Mermaid chart has a loop",
                            [Problem(by_name[name].where, "data would flow back into this block")],
                        )
                    stack.append((src, False))
    return done


def import_mermaid_file(path: str | Path) -> ImportResult:
    """Read ``path`` (``.mmd``, or Markdown/text holding a mermaid fence)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ModelImportError(f"{path}: the file is too large to be a Mermaid chart")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ModelImportError(f"{path}: the file is not UTF-8 text") from None
    except OSError as exc:
        raise ModelImportError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        return from_mermaid(text, name=path.stem)
    except ModelImportError as exc:
        exc.summary = f"{path}: {exc.summary}"
        exc.args = (exc.summary,)
        raise
