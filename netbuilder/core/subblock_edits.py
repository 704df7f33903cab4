"""The edits that create, inline, rename and carry sub-blocks: pure functions on a Diagram.

``make_subblock`` turns a selection into a definition plus one use of it, ``expand_subblock``
inlines a use back into plain blocks, ``rename_definition`` renames a definition and its
uses, ``merge_fragment`` decides which definitions a paste brings along. Each works through
``Diagram`` methods only (so every change is an event); an undo command snapshots
``diagram.root.to_dict()`` before and after and calls ``diagram.root.restore(snapshot)`` to
undo or redo (bodies keep their identity).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from netbuilder.core.blocks.ports import SUB_INPUT, SUB_OUTPUT
from netbuilder.core.diagram import Diagram, DiagramError, Edge, valid_node_id
from netbuilder.core.subblocks import (
    ExposedParam,
    SubBlockDef,
    body_dict,
    definition_order,
    free_name,
    load_order,
    name_problem,
)
from netbuilder.core.text import quoted

GAP_X = 260.0
GAP_Y = 130.0
ExposedSpec = dict[str, "tuple[str, str] | list[tuple[str, str]]"]


def _port_names(values: list[tuple[str, str]], default: str) -> list[str]:
    """``in``/``out`` for a single crossing value; otherwise one name per source block."""
    if len(values) == 1:
        return [default]
    names: list[str] = []
    for source, port in values:
        base = source if port in ("out", "output") else f"{source}_{port}"
        base = re.sub(r"\W", "_", base, flags=re.ASCII).strip("_") or default
        name, i = base, 2
        while name in names:
            name = f"{base}_{i}"
            i += 1
        names.append(name)
    return names


def make_subblock(
    diagram: Diagram,
    node_ids: list[str],
    name: str,
    exposed: ExposedSpec | None = None,
    description: str = "",
) -> str:
    """Move ``node_ids`` into a new definition ``name`` and put one use in their place.

    Wires that crossed the selection become the ports (one per distinct value, ordered top
    to bottom as their blocks sit); ``exposed`` maps a parameter name of the new block to the
    ``(inner node id, parameter)`` it drives (or a list of them), starting at its current
    value. Returns the id of the new use. Nothing changes if the selection is refused.
    """
    root = diagram.root
    chosen = [nid for nid in diagram.nodes if nid in set(node_ids)]
    if not chosen:
        raise DiagramError("select the blocks to make a sub-block of")
    missing = set(node_ids) - set(diagram.nodes)
    if missing:
        raise DiagramError(f"no node with id {quoted(sorted(missing)[0])}")
    problem = name_problem(name, root.definitions)
    if problem:
        raise DiagramError(problem)
    for nid in chosen:
        role = diagram.block(diagram.nodes[nid].type).role
        if role != "layer":
            raise DiagramError(
                f"{diagram.nodes[nid].type} {quoted(nid)} cannot go inside a sub-block; "
                "leave inputs and outputs out of the selection"
            )
    inside = set(chosen)
    incoming = [e for e in diagram.edges if e.target in inside and e.source not in inside]
    outgoing = [e for e in diagram.edges if e.source in inside and e.target not in inside]

    def place(value: tuple[str, str]) -> tuple[float, float]:
        x, y = diagram.nodes[value[0]].position
        return (y, x)

    in_values = sorted(dict.fromkeys((e.source, e.source_port) for e in incoming), key=place)
    out_values = sorted(dict.fromkeys((e.source, e.source_port) for e in outgoing), key=place)
    in_names = dict(zip(in_values, _port_names(in_values, "in"), strict=True))
    out_names = dict(zip(out_values, _port_names(out_values, "out"), strict=True))

    xs = [diagram.nodes[n].position[0] for n in chosen]
    ys = [diagram.nodes[n].position[1] for n in chosen]
    x0, y0 = min(xs), min(ys)
    body = Diagram()
    body.owner, body.definition_name = root, name
    for nid in chosen:
        node = diagram.nodes[nid]
        pos = (node.position[0] - x0 + GAP_X, node.position[1] - y0)
        body.add_node(node.type, node.params, pos, node.label, node_id=nid)
    for e in diagram.edges:
        if e.source in inside and e.target in inside:
            body.connect(e.source, e.source_port, e.target, e.target_port)
    for i, value in enumerate(in_values):
        port = body.add_node(SUB_INPUT, {"name": in_names[value]}, (0.0, i * GAP_Y))
        for e in incoming:
            if (e.source, e.source_port) == value:
                body.connect(port, "out", e.target, e.target_port)
    right = max(xs) - x0 + 2 * GAP_X
    for i, value in enumerate(out_values):
        port = body.add_node(SUB_OUTPUT, {"name": out_names[value]}, (right, i * GAP_Y))
        body.connect(value[0], value[1], port, "in")

    definition = SubBlockDef(name, body, description, _exposed(body, exposed or {}))
    root.add_definition(definition)
    center = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    for nid in chosen:
        diagram.remove_node(nid)
    params = {k: copy.deepcopy(e.default) for k, e in definition.exposed.items()}
    use = diagram.add_node(name, params, center)
    for value in in_values:
        diagram.connect(value[0], value[1], use, in_names[value])
    for e in outgoing:
        diagram.connect(use, out_names[(e.source, e.source_port)], e.target, e.target_port)
    return use


def _exposed(body: Diagram, spec: ExposedSpec) -> dict[str, ExposedParam]:
    out: dict[str, ExposedParam] = {}
    for pname, targets in spec.items():
        if not pname.isidentifier():
            raise DiagramError(f"the parameter name {quoted(pname)} must be a word")
        pairs = [targets] if isinstance(targets, tuple) else list(targets)
        if not pairs:
            raise DiagramError(f"the parameter {quoted(pname)} drives no inner parameter")
        for node_id, param in pairs:
            node = body.nodes.get(node_id)
            if node is None or param not in body.block(node.type).param_map:
                raise DiagramError(
                    f"the sub-block has no parameter {quoted(param)} on {quoted(node_id)}"
                )
        first = body.nodes[pairs[0][0]].params.get(pairs[0][1])
        out[pname] = ExposedParam(pname, [tuple(p) for p in pairs], copy.deepcopy(first))
    return out


def _free_id(
    diagram: Diagram, wanted: str, prefix: str, type_name: str, taken: set[str], always: bool
) -> str:
    candidates = (f"{prefix}_{wanted}",) if always else (wanted, f"{prefix}_{wanted}")
    for candidate in candidates:
        if candidate not in taken and valid_node_id(candidate):
            return candidate
    probe = Diagram()
    probe.nodes = dict.fromkeys(taken)  # type: ignore[arg-type]  # only the keys matter
    return probe.new_id(type_name)


def expand_subblock(
    diagram: Diagram, node_id: str, drop_unused: bool = True, prefix_ids: bool = False
) -> list[str]:
    """Replace a use of a sub-block by a copy of its body; returns the new node ids.

    The use's exposed values are written into the inner blocks, wires are reconnected
    through the ports, and inner ids are kept where free (else, or always with
    ``prefix_ids``, ``<use>_<inner>``). With ``drop_unused`` the definition goes too when
    this was its last use anywhere.
    """
    node = diagram.node(node_id)
    root = diagram.root
    if node.type not in root.definitions:
        raise DiagramError(f"{quoted(node_id)} is a {node.type}, not a sub-block")
    definition = root.definitions[node.type]
    body = definition.body
    values = {k: copy.deepcopy(e.default) for k, e in definition.exposed.items()}
    values.update({k: v for k, v in node.params.items() if k in definition.exposed})
    overrides = definition.overrides(values)
    feeds = {e.target_port: (e.source, e.source_port) for e in diagram.edges_into(node_id)}
    taken_out: dict[str, list[Edge]] = {}
    for e in diagram.edges_from(node_id):
        taken_out.setdefault(e.source_port, []).append(e)
    in_port = {n: str(body.nodes[n].params.get("name")) for n in definition.input_nodes()}
    out_port = {n: str(body.nodes[n].params.get("name")) for n in definition.output_nodes()}
    inner = [n for n in body.nodes if n not in in_port and n not in out_port]
    if inner:
        cx = sum(body.nodes[n].position[0] for n in inner) / len(inner)
        cy = sum(body.nodes[n].position[1] for n in inner) / len(inner)
    else:
        cx = cy = 0.0

    diagram.remove_node(node_id)
    taken = set(diagram.nodes)
    mapping: dict[str, str] = {}
    for nid in inner:
        mapping[nid] = _free_id(diagram, nid, node_id, body.nodes[nid].type, taken, prefix_ids)
        taken.add(mapping[nid])
    new_ids: list[str] = []
    for nid in inner:
        n = body.nodes[nid]
        params = {**copy.deepcopy(n.params), **overrides.get(nid, {})}
        x, y = n.position
        pos = (node.position[0] + x - cx, node.position[1] + y - cy)
        new_ids.append(diagram.add_node(n.type, params, pos, n.label, node_id=mapping[nid]))

    def sources(source: str, port: str) -> list[tuple[str, str]]:
        if source in in_port:
            feed = feeds.get(in_port[source])
            return [feed] if feed else []
        return [(mapping[source], port)]

    for e in body.edges:
        if e.target in out_port:
            targets = [(o.target, o.target_port) for o in taken_out.get(out_port[e.target], [])]
        elif e.target in mapping:
            targets = [(mapping[e.target], e.target_port)]
        else:
            targets = []
        for src, sport in sources(e.source, e.source_port):
            for dst, dport in targets:
                if Edge(src, sport, dst, dport) not in diagram.edges:
                    diagram.connect(src, sport, dst, dport)
    if drop_unused and not root.uses(definition.name):
        root.remove_definition(definition.name)
    return new_ids


def flatten(diagram: Diagram) -> Diagram:
    """A copy of ``diagram`` with every sub-block use expanded, nested ones too.

    For formats that have no sub-blocks (Mermaid, the flat importers' round trips): inner
    blocks are named ``<use>_<inner>`` (``layer1_0_conv1``), as their weights are in the
    compiled module's state_dict (``layer1_0.conv1``).
    """
    flat = diagram.copy()
    while True:
        uses = [nid for nid, n in flat.nodes.items() if n.type in flat.definitions]
        if not uses:
            break
        for nid in uses:
            expand_subblock(flat, nid, drop_unused=False, prefix_ids=True)
    for name in reversed(definition_order(flat.definitions)):  # users before the used
        flat.remove_definition(name)
    return flat


def rename_problem(diagram: Diagram, old: str, new: str) -> str | None:
    """Why sub-block ``old`` cannot be called ``new`` (None: it can). A caller asks this
    before pushing an undo step, which a refusal would otherwise leave behind."""
    top = diagram.root
    if old not in top.definitions:
        return f"no sub-block named {quoted(old)}"
    if new == old:
        return None
    return name_problem(new, {name for name in top.definitions if name != old})


def rename_definition(diagram: Diagram, old: str, new: str) -> None:
    """Call sub-block ``old`` ``new``: the definition and every use of it, in the network
    and inside other definitions. Node ids do not change, so trained weights (keyed by
    node ids) still fit; only generated code names its class differently.

    Raises ``DiagramError`` for a name that is taken or not valid (nothing changes then).
    """
    problem = rename_problem(diagram, old, new)
    if problem:
        raise DiagramError(problem)
    if new == old:
        return
    top = diagram.root
    data = top.to_dict()

    def retype(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node["type"] == old:
                node["type"] = new

    retype(data["nodes"])
    for definition in data.get("definitions", []):
        if definition["name"] == old:
            definition["name"] = new
        retype(definition["nodes"])
    top.restore(data)


# ---------------------------------------------------------------- copy and paste


def _content(data: dict[str, Any]) -> str:
    """``SubBlockDef.content_key`` of a serialised definition."""
    nodes = [[n.get("id"), n.get("type"), n.get("params", {})] for n in data.get("nodes", [])]
    edges = sorted(
        [e.get("source"), e.get("source_port"), e.get("target"), e.get("target_port")]
        for e in data.get("edges", [])
    )
    exposed = data.get("exposed", [])
    return json.dumps({"nodes": nodes, "edges": edges, "exposed": exposed}, sort_keys=True)


def merge_fragment(
    diagram: Diagram, fragment: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What pasting ``fragment`` into ``diagram`` needs: its nodes and edges with sub-block
    types renamed where needed, and the definitions to add (plain data, dependencies first).

    A definition the document already has with the same content is reused; one whose name is
    taken by different content is renamed (``BasicBlock`` → ``BasicBlock_2``), and so are the
    uses of it in the fragment and in the other definitions it brings.
    """
    root = diagram.root
    raw = {str(d.get("name")): d for d in fragment.get("definitions", []) if isinstance(d, dict)}
    rename: dict[str, str] = {}
    to_add: list[dict[str, Any]] = []
    planned: set[str] = set(root.definitions)
    for name in load_order(raw):
        data = copy.deepcopy(raw[name])
        for n in data.get("nodes", []):
            n["type"] = rename.get(n.get("type"), n.get("type"))
        existing = root.definitions.get(name)
        if existing is not None and _content(existing.to_dict()) == _content(data):
            rename[name] = name
            continue
        new = free_name(name, planned)
        planned.add(new)
        rename[name] = new
        data["name"] = new
        to_add.append(data)
    nodes = []
    for n in fragment.get("nodes", []):
        n = copy.deepcopy(n)
        n["type"] = rename.get(n.get("type"), n.get("type"))
        nodes.append(n)
    return {"nodes": nodes, "edges": copy.deepcopy(fragment.get("edges", []))}, to_add


def definition_from_dict(diagram: Diagram, data: dict[str, Any]) -> SubBlockDef:
    """A definition built from plain data, its body resolving types through ``diagram``'s
    document (so the definitions it uses must be there already)."""
    root = diagram.root
    name = str(data.get("name"))
    body = Diagram()
    body.owner, body.definition_name = root, name
    body._fill(body_dict(data))
    exposed = [ExposedParam.from_dict(e) for e in data.get("exposed", [])]
    return SubBlockDef(name, body, str(data.get("description", "")), {e.name: e for e in exposed})
