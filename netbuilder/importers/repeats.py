"""Sub-blocks from the repeated structure of an imported network.

A network written with classes (``BasicBlock`` used eight times in ResNet-18) is imported
as plain blocks first; this module then turns every set of module calls of the same class
whose blocks are wired the same way into one sub-block definition used once per call. The
source of truth is the module hierarchy each importer records on its layers (``Layer.scope``:
fx's ``nn_module_stack``, ``torch.export``'s, the ONNX exporter's name scopes), not a guess
from the graph's shape: a repeat is a repeat of the author's own unit.

Calls of one class that are wired differently (ResNet's downsampling blocks have a 1×1
convolution on the shortcut) become separate definitions; settings that differ between
calls of one definition (channels, strides) become its exposed parameters. A call is only
grouped when its blocks have a clean boundary (1 to 4 inputs and outputs, no wire that
leaves the call and comes back), and a definition only when it has at least two uses.
Innermost classes are grouped first, so a class made of repeated classes becomes a
definition whose body uses theirs. Containers (``nn.Sequential``, ``nn.ModuleList``,
``nn.ModuleDict``) are never made definitions: their class says nothing about their content.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from netbuilder.core.blocks.ports import SUB_INPUT, SUB_OUTPUT
from netbuilder.core.diagram import Diagram
from netbuilder.core.subblocks import ExposedParam, SubBlockDef, free_name, name_problem

CONTAINERS = {"Sequential", "ModuleList", "ModuleDict"}
UNKNOWN = ""  # a scope from node names only: its class (and so whether it is a container)
# is unknown, so only the innermost repeats of such scopes are grouped, never nested ones
MAX_PORTS = 4
MIN_USES = 2
MIN_BLOCKS = 2

# (instance key, module path, class name), outermost first; the key tells two calls of
# one module apart (fx writes ``layer1.0.relu@1`` for the second call)
ScopeEntry = tuple[str, str, str]
Value = tuple[str, str]  # (node id, port)


@dataclass
class Grouping:
    """What ``group_repeats`` made, and where each original block went.

    ``location[node]`` is the path of node ids from the top level to the block that was
    ``node`` in the flat diagram: ``("layer1_0", "conv1")``, or ``("conv1",)`` when it
    stayed at the top level.
    """

    uses: dict[str, int] = field(default_factory=dict)  # definition -> uses, in order made
    location: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class _Call:
    key: str
    path: str
    cls: str
    depth: int
    members: list[str] = field(default_factory=list)


@dataclass
class _Shape:
    """One call's members in order, and its wiring in member indices."""

    call: _Call
    members: list[str]
    ins: list[Value]  # distinct values fed from outside, in order
    in_targets: list[list[tuple[int, str]]]
    outs: list[Value]  # distinct member values read outside, in order
    key: tuple[Any, ...]


def _relative(name: str, path: str) -> str:
    """``layer1.0.conv1`` in ``layer1.0`` → ``conv1``; a function call keeps its own name
    without fx's counter (``add_3`` → ``add``)."""
    if path and name.startswith(path + "."):
        return name[len(path) + 1 :]
    if path and name.startswith(path + "/"):  # ONNX node name: module path, then operator
        rest = name[len(path) + 1 :]
        return rest.rsplit("/", 1)[0] if "/" in rest else rest
    return re.sub(r"_\d+$", "", name) or name


def _body_id(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_\-]+", "_", text).strip("_-")[:56] or "node"
    if not base[0].isalpha():
        base = f"n_{base}"[:56]
    out, i = base, 2
    while out in taken:
        out, i = f"{base}_{i}", i + 1
    taken.add(out)
    return out


class _Grouper:
    def __init__(
        self,
        diagram: Diagram,
        scopes: dict[str, Sequence[ScopeEntry]],
        names: dict[str, str],
    ) -> None:
        self.d = diagram
        self.names = names  # current top-level node id -> source name (for body ids)
        self.chain = {nid: tuple(s) for nid, s in scopes.items()}
        self.order = {nid: float(i) for i, nid in enumerate(diagram.nodes)}
        self.result = Grouping(location={nid: (nid,) for nid in diagram.nodes})
        self.holders: dict[str, list[str]] = {nid: [nid] for nid in diagram.nodes}
        self._planned: set[str] = set()
        self.after: dict[str, list[str]] = {}

    # ------------------------------------------------------------ finding calls
    def calls(self, depth: int) -> list[_Call]:
        found: dict[str, _Call] = {}
        for nid in sorted(self.d.nodes, key=self.order.__getitem__):
            chain = self.chain.get(nid, ())
            if len(chain) <= depth:
                continue
            key, path, cls = chain[depth]
            call = found.setdefault(key, _Call(key, path, cls, depth))
            call.members.append(nid)
        return [c for c in found.values() if c.cls not in CONTAINERS]

    def shape(self, call: _Call) -> _Shape | None:
        members = call.members
        index = {nid: i for i, nid in enumerate(members)}
        ins: list[Value] = []
        in_targets: list[list[tuple[int, str]]] = []
        internal = []
        outs: list[Value] = []
        for e in self.d.edges:
            if e.target in index:
                if e.source in index:
                    wire = (index[e.source], e.source_port, index[e.target], e.target_port)
                    internal.append(wire)
                    continue
                value = (e.source, e.source_port)
                if value not in ins:
                    ins.append(value)
                    in_targets.append([])
                in_targets[ins.index(value)].append((index[e.target], e.target_port))
            elif e.source in index and (e.source, e.source_port) not in outs:
                outs.append((e.source, e.source_port))
        if not (1 <= len(ins) <= MAX_PORTS and 1 <= len(outs) <= MAX_PORTS):
            return None
        if len(members) < MIN_BLOCKS or not self._convex(set(members)):
            return None
        if call.cls == UNKNOWN and any(self.d.nodes[m].type in self.d.definitions for m in members):
            return None
        # canonical order of the ports: by the members they touch, not by wire order
        pairs = sorted(zip(ins, in_targets, strict=True), key=lambda p: sorted(p[1]))
        ins = [p[0] for p in pairs]
        in_targets = [sorted(p[1]) for p in pairs]
        outs.sort(key=lambda v: (index[v[0]], v[1]))
        nodes = tuple(
            (self.d.nodes[m].type, tuple(sorted(self.d.nodes[m].params))) for m in members
        )
        key = (
            call.cls,
            nodes,
            tuple(sorted(internal)),
            tuple(tuple(t) for t in in_targets),
            tuple((index[v[0]], v[1]) for v in outs),
        )
        return _Shape(call, list(members), ins, in_targets, outs, key)

    def _convex(self, inside: set[str]) -> bool:
        """No wire leaves the call and comes back into it (it would become a cycle)."""
        stack = [t for s in inside for t in self.after.get(s, ()) if t not in inside]
        seen: set[str] = set()
        while stack:
            nid = stack.pop()
            if nid in inside:
                return False
            if nid in seen:
                continue
            seen.add(nid)
            stack.extend(self.after.get(nid, ()))
        return True

    # ------------------------------------------------------------ grouping
    def run(self) -> Grouping:
        depth = max((len(c) for c in self.chain.values()), default=0) - 1
        while depth >= 0:
            self.after = {}  # the blocks each block feeds, as this round starts
            for e in self.d.edges:
                self.after.setdefault(e.source, []).append(e.target)
            by_key: dict[tuple[Any, ...], list[_Shape]] = {}
            for call in self.calls(depth):
                shape = self.shape(call)
                if shape is not None:
                    by_key.setdefault(shape.key, []).append(shape)
            variants: dict[str, list[list[_Shape]]] = {}
            for shapes in by_key.values():
                if len(shapes) >= MIN_USES:
                    variants.setdefault(shapes[0].call.cls, []).append(shapes)
            named = [
                (self.name(cls, shapes, groups[0]), shapes)
                for cls, groups in variants.items()
                for shapes in groups
            ]  # all named before any is made: making one removes its blocks
            for name, shapes in named:
                self.define(name, shapes)
            depth -= 1
        if self.result.uses:
            # each use where its first block was, so files, layout and generated code read
            # in the source's order (nobody listens to a diagram being imported yet)
            rank = self.order.__getitem__
            self.d.nodes = dict(sorted(self.d.nodes.items(), key=lambda kv: rank(kv[0])))
        return self.result

    def _children(self, shapes: list[_Shape]) -> set[str]:
        s = shapes[0]
        return {re.split(r"[./]", self._relname(m, s.call))[0] for m in s.members}

    def name(self, cls: str, shapes: list[_Shape], first: list[_Shape]) -> str:
        base = cls if cls.isidentifier() and cls.isascii() else "Block"  # UNKNOWN too
        if shapes is not first:
            extra = sorted(self._children(shapes) - self._children(first))
            words = [w for w in (re.sub(r"\W", "_", x) for x in extra[:2]) if w]
            if words:
                base = f"{base}_{'_'.join(words)}"
        taken = set(self.d.definitions) | self._planned
        name = base if name_problem(base, taken) is None else free_name(base, taken)
        self._planned.add(name)
        return name

    def _relname(self, member: str, call: _Call) -> str:
        name = self.names.get(member, member)
        if call.path and (name == call.path or call.path.startswith(name + ".")):
            return self.d.nodes[member].type.lower()  # an operation named after its module
        return _relative(name, call.path)

    def define(self, name: str, shapes: list[_Shape]) -> None:
        first = shapes[0]
        taken: set[str] = set()
        ids = [_body_id(self._relname(m, first.call), taken) for m in first.members]
        body = Diagram()
        body.owner, body.definition_name = self.d, name
        for i, m in enumerate(first.members):
            node = self.d.nodes[m]
            body.add_node(node.type, node.params, node.position, node.label, node_id=ids[i])
        index = {m: i for i, m in enumerate(first.members)}
        for e in self.d.edges:
            if e.source in index and e.target in index:
                source, target = ids[index[e.source]], ids[index[e.target]]
                body.connect(source, e.source_port, target, e.target_port)
        in_ports = ["in"] if len(first.ins) == 1 else [f"in{k + 1}" for k in range(len(first.ins))]
        out_ports = self._out_ports(first, ids)
        for k, targets in enumerate(first.in_targets):
            port = body.add_node(SUB_INPUT, {"name": in_ports[k]}, node_id=f"in_port{k + 1}")
            for i, tport in targets:
                body.connect(port, "out", ids[i], tport)
        for k, (src, sport) in enumerate(first.outs):
            port = body.add_node(SUB_OUTPUT, {"name": out_ports[k]}, node_id=f"out_port{k + 1}")
            body.connect(ids[index[src]], sport, port, "in")
        exposed = self._exposed(shapes, ids)
        paths = [s.call.path for s in shapes]
        shown = ", ".join(paths[:4]) + (", …" if len(paths) > 4 else "")
        what = first.call.cls or "A repeated unit"
        description = f"{what} as imported ({len(shapes)} uses: {shown})"
        self.d.add_definition(SubBlockDef(name, body, description, exposed))
        for shape in shapes:
            self.use(name, shape, exposed, ids, in_ports, out_ports)

    def _out_ports(self, first: _Shape, ids: list[str]) -> list[str]:
        if len(first.outs) == 1:
            return ["out"]
        index = {m: i for i, m in enumerate(first.members)}
        names: list[str] = []
        for src, port in first.outs:
            base = ids[index[src]] + ("" if port in ("out", "output") else f"_{port}")
            base = re.sub(r"\W", "_", base, flags=re.ASCII)
            name, i = base, 2
            while name in names:
                name, i = f"{base}_{i}", i + 1
            names.append(name)
        return names

    def _exposed(self, shapes: list[_Shape], ids: list[str]) -> dict[str, ExposedParam]:
        """One exposed parameter per distinct run of values that differs between uses;
        inner settings that always hold the same values (both convolutions' channels)
        share one."""
        runs: dict[str, list[tuple[str, str]]] = {}
        values: dict[str, Any] = {}
        for i, m in enumerate(shapes[0].members):
            for param in self.d.nodes[m].params:
                seen = [s.members[i] for s in shapes]
                vals = [self.d.nodes[n].params.get(param) for n in seen]
                if all(v == vals[0] for v in vals[1:]):
                    continue
                key = repr(vals)
                runs.setdefault(key, []).append((ids[i], param))
                values[key] = vals[0]
        out: dict[str, ExposedParam] = {}
        for key, targets in runs.items():
            params = [p for _n, p in targets]
            pool = [p for p in params if p.startswith("out_")] or params
            name = max(dict.fromkeys(pool), key=pool.count)
            if name in out or not name.isidentifier():
                name = re.sub(r"\W", "_", f"{targets[0][0]}_{targets[0][1]}")
            out[name] = ExposedParam(name, targets, copy.deepcopy(values[key]))
        return out

    def use(
        self,
        name: str,
        shape: _Shape,
        exposed: dict[str, ExposedParam],
        ids: list[str],
        in_ports: list[str],
        out_ports: list[str],
    ) -> None:
        d = self.d
        index = {bid: i for i, bid in enumerate(ids)}
        params = {}
        for pname, e in exposed.items():
            inner, param = e.targets[0]
            params[pname] = copy.deepcopy(d.nodes[shape.members[index[inner]]].params[param])
        # feeds are read now: an earlier use may have replaced the blocks that fed this call
        wires = {(e.target, e.target_port): (e.source, e.source_port) for e in d.edges}
        feeds = [wires[(shape.members[t[0][0]], t[0][1])] for t in shape.in_targets]
        readers = [
            (e.source, e.source_port, e.target, e.target_port)
            for e in d.edges
            if e.source in shape.members and e.target not in shape.members
        ]
        xs = [d.nodes[m].position[0] for m in shape.members]
        ys = [d.nodes[m].position[1] for m in shape.members]
        chain = self.chain.get(shape.members[0], ())[: shape.call.depth]
        order = min(self.order[m] for m in shape.members)
        moved: list[str] = []
        for i, m in enumerate(shape.members):
            d.remove_node(m)
            for flat in self.holders.pop(m):
                self.result.location[flat] = (ids[i], *self.result.location[flat][1:])
                moved.append(flat)
        taken = set(d.nodes)
        use = _body_id(shape.call.path or name, taken)
        d.add_node(name, params, (sum(xs) / len(xs), sum(ys) / len(ys)), node_id=use)
        for k, (src, sport) in enumerate(feeds):
            d.connect(src, sport, use, in_ports[k])
        for src, sport, dst, dport in readers:
            k = shape.outs.index((src, sport))
            d.connect(use, out_ports[k], dst, dport)
        for flat in moved:
            self.result.location[flat] = (use, *self.result.location[flat])
        self.holders[use] = moved
        self.chain[use] = chain
        self.order[use] = order
        self.names[use] = shape.call.path
        self.result.uses[name] = self.result.uses.get(name, 0) + 1


def scope_of(stack: Any, own: str = "") -> tuple[ScopeEntry, ...]:
    """The scope of a layer from an ``nn_module_stack`` (fx's or ``torch.export``'s:
    ``{key: (path, class)}``), leaving out the layer's own module ``own`` and what is in it."""
    out: list[ScopeEntry] = []
    for key, item in dict(stack or {}).items():
        try:
            path, cls = item
        except (TypeError, ValueError):
            continue
        path = str(path)
        if not path or (own and (path == own or path.startswith(own + "."))):
            continue
        name = cls.__name__ if isinstance(cls, type) else str(cls).rsplit(".", 1)[-1]
        out.append((str(key), path, name))
    return tuple(out)


def group_repeats(
    diagram: Diagram,
    scopes: dict[str, Sequence[ScopeEntry]],
    names: dict[str, str],
) -> Grouping:
    """Turn repeated module calls of ``diagram`` (flat, top level) into sub-blocks, in place.

    ``scopes[node]`` lists the module calls the block ran in, outermost first, without the
    block's own module; ``names[node]`` is its source name (``layer1.0.conv1``), from which
    the inner ids are made (``conv1``). Nodes without a scope (inputs, outputs) stay put.
    """
    return _Grouper(diagram, scopes, dict(names)).run()
