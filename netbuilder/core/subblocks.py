"""Reusable sub-blocks: a named diagram used as one block type, many times.

A ``SubBlockDef`` holds an ordinary ``Diagram`` (its body) whose boundary is made of
``SubInput`` / ``SubOutput`` port blocks, plus the inner parameters it exposes on each use.
Definitions live in ``Diagram.definitions`` of the top-level diagram; a body resolves block
types through its owner, so definitions may use other definitions (never themselves).

``Diagram.block(type)`` turns a definition into a ``SubBlockSpec``: a ``BlockSpec`` whose
ports are the body's ports and whose parameters are the exposed ones, so palette, inspector,
checker, compiler and code generator treat a sub-block like any library block.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import keyword
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from netbuilder.core.blocks import _ALIASES as ALIASES
from netbuilder.core.blocks import BLOCKS, BlockSpec, Param, UnknownBlockError
from netbuilder.core.blocks.ports import SUB_INPUT, SUB_OUTPUT
from netbuilder.core.diagnostics import ShapeError
from netbuilder.core.tensor import TensorSpec
from netbuilder.core.text import quoted

if TYPE_CHECKING:
    from netbuilder.core.diagram import Diagram

CATEGORY = "My blocks"
MAX_NAME = 64
# core.shapes.check_instance, registered by the checker (which imports this module)
_CHECK_INSTANCE: Callable[..., Any] | None = None


def set_instance_checker(fn: Callable[..., Any]) -> None:
    """Called by ``core.shapes``: how a sub-block spec's ``infer`` checks its body."""
    global _CHECK_INSTANCE
    _CHECK_INSTANCE = fn


class SubBlockError(ValueError):
    """A definition that cannot be made or used (bad name, cycle, unknown inner node...)."""


@dataclass(slots=True)
class ExposedParam:
    """An inner parameter shown on every use of the sub-block.

    ``targets`` are the ``(inner node id, inner parameter)`` pairs the instance's value is
    written to (usually one; several when one setting drives several layers, such as the
    out-channels of both convolutions of a ResNet block). ``default`` is the value a new
    instance starts with.
    """

    name: str
    targets: list[tuple[str, str]]
    default: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "targets": [[n, p] for n, p in self.targets],
            "default": copy.deepcopy(self.default),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExposedParam:
        targets = [(str(t[0]), str(t[1])) for t in data.get("targets", [])]
        return cls(str(data["name"]), targets, copy.deepcopy(data.get("default")))


@dataclass(slots=True)
class SubBlockDef:
    """One user-made block type: its name, its body diagram and its exposed parameters."""

    name: str
    body: Diagram
    description: str = ""
    exposed: dict[str, ExposedParam] = field(default_factory=dict)

    # ------------------------------------------------------------ ports
    def input_nodes(self) -> list[str]:
        """The body's SubInput nodes in body order: the instance's input ports, in order."""
        return [nid for nid, n in self.body.nodes.items() if n.type == SUB_INPUT]

    def output_nodes(self) -> list[str]:
        return [nid for nid, n in self.body.nodes.items() if n.type == SUB_OUTPUT]

    def input_ports(self) -> tuple[str, ...]:
        return tuple(str(self.body.nodes[n].params.get("name", "in")) for n in self.input_nodes())

    def output_ports(self) -> tuple[str, ...]:
        return tuple(str(self.body.nodes[n].params.get("name", "out")) for n in self.output_nodes())

    def used_types(self) -> set[str]:
        """Block types the body uses directly."""
        return {n.type for n in self.body.nodes.values()}

    def overrides(self, params: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Inner parameter values set by an instance's (exposed) ``params``."""
        out: dict[str, dict[str, Any]] = {}
        for name, exposed in self.exposed.items():
            if name in params:
                for node_id, param in exposed.targets:
                    out.setdefault(node_id, {})[param] = copy.deepcopy(params[name])
        return out

    # ------------------------------------------------------------ plain data
    def to_dict(self) -> dict[str, Any]:
        body = self.body.to_dict()
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["exposed"] = [e.to_dict() for e in self.exposed.values()]
        out["nodes"] = body["nodes"]
        out["edges"] = body["edges"]
        if body["meta"]:
            out["meta"] = body["meta"]
        return out

    def content_key(self) -> str:
        """What the block computes (nodes, params, wires, exposed), without positions or
        labels: two definitions with equal keys are interchangeable (paste reuses one)."""
        data = {
            "nodes": [[n.id, n.type, n.params] for n in self.body.nodes.values()],
            "edges": sorted(
                [e.source, e.source_port, e.target, e.target_port] for e in self.body.edges
            ),
            "exposed": [e.to_dict() for e in self.exposed.values()],
        }
        return json.dumps(data, sort_keys=True, default=str)


def body_dict(data: dict[str, Any]) -> dict[str, Any]:
    """The body part of a serialised definition, shaped like ``Diagram.to_dict``."""
    return {
        "nodes": data.get("nodes", []),
        "edges": data.get("edges", []),
        "meta": data.get("meta", {}),
    }


def name_problem(name: Any, taken: set[str] | dict[str, Any] = frozenset()) -> str | None:
    """Why ``name`` cannot name a new sub-block type, or None if it can."""
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        return (
            f"the sub-block name {quoted(name)} must be a word of letters, digits and '_' "
            "that does not start with a digit"
        )
    if len(name) > MAX_NAME:
        return f"the sub-block name is too long (at most {MAX_NAME} characters)"
    if keyword.iskeyword(name):
        return f"{quoted(name)} is a Python keyword and cannot name a sub-block"
    library = {t.lower() for t in BLOCKS} | {a.lower() for a in ALIASES}
    if name.lower() in library:  # Conv2D beside Conv2d would read as the same block
        return f"{quoted(name)} is already a library block; choose another name"
    if name in taken:
        return f"a sub-block named {quoted(name)} already exists"
    return None


def free_name(base: str, taken: set[str] | dict[str, Any]) -> str:
    """``BasicBlock_2``-style name that clashes with neither the library nor ``taken``."""
    i = 2
    name = base
    while name_problem(name, taken) is not None:
        name = f"{base}_{i}"
        i += 1
    return name


# ---------------------------------------------------------------- the block spec


@dataclass(frozen=True)
class SubBlockSpec(BlockSpec):
    """The ``BlockSpec`` of a sub-block type; ``fingerprint`` changes with its content.

    Caches keyed on a spec (the checker's) include the fingerprint, so an edit of the
    definition (or of a definition it uses) invalidates every cached result of its uses.
    """

    definition: Any = None
    fingerprint: str = ""


def _topological(deps: dict[str, set[str]]) -> list[str]:
    """Names each after the names it depends on; a cycle raises SubBlockError naming it."""
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            loop = " → ".join([*stack[stack.index(name) :], name])
            raise SubBlockError(f"sub-blocks cannot contain themselves: {loop}")
        state[name] = 1
        for used in sorted(deps[name]):
            visit(used, [*stack, name])
        state[name] = 2
        order.append(name)

    for name in deps:
        visit(name, [])
    return order


def definition_order(definitions: dict[str, SubBlockDef]) -> list[str]:
    """Definition names, each after the definitions it uses (raises SubBlockError on a cycle)."""
    return _topological({n: d.used_types() & set(definitions) for n, d in definitions.items()})


def load_order(raw: dict[str, dict[str, Any]]) -> list[str]:
    """``definition_order`` for serialised definitions (before their bodies exist)."""
    deps: dict[str, set[str]] = {}
    for name, item in raw.items():
        types = {n.get("type") for n in item.get("nodes", []) if isinstance(n, dict)}
        deps[name] = {t for t in types if t in raw}
    return _topological(deps)


def closure(definitions: dict[str, SubBlockDef], types: set[str]) -> set[str]:
    """The definitions among ``types`` and every definition they use, nested."""
    todo = [t for t in types if t in definitions]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(t for t in definitions[name].used_types() if t in definitions)
    return seen


def uses_of(definitions: dict[str, SubBlockDef], name: str) -> set[str]:
    """Names of the definitions that use ``name``, directly or through others."""
    users: set[str] = set()
    changed = True
    while changed:
        changed = False
        for other, d in definitions.items():
            if other not in users and (name in d.used_types() or users & d.used_types()):
                users.add(other)
                changed = True
    return users


def fingerprint(definitions: dict[str, SubBlockDef], name: str, memo: dict[str, str]) -> str:
    """A hash of the definition and of every definition it uses."""
    if name in memo:
        return memo[name]
    memo[name] = ""  # a cycle (refused elsewhere) must not recurse forever
    d = definitions[name]
    used = sorted(t for t in d.used_types() if t in definitions and t != name)
    text = (
        d.content_key() + d.description + "".join(fingerprint(definitions, u, memo) for u in used)
    )
    memo[name] = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    return memo[name]


def make_spec(diagram: Diagram, d: SubBlockDef, fp: str) -> SubBlockSpec:
    """The block spec of definition ``d`` (resolving inner types through ``diagram``)."""
    params = []
    for exposed in d.exposed.values():
        base: Param | None = None
        doc = ""
        for node_id, param in exposed.targets:
            doc = doc or f"{param} of {node_id}"
            node = d.body.nodes.get(node_id)
            if node is None:
                continue
            try:
                base = diagram.block(node.type).param_map.get(param)
            except (UnknownBlockError, SubBlockError):
                base = None
            if base is not None:
                break
        if base is None:  # points at nothing (a stale target): text, reported by the checker
            base = Param(exposed.name, "str", exposed.default, optional=True)
        doc = base.doc or doc
        params.append(replace(base, name=exposed.name, default=exposed.default, doc=doc))

    def infer(p: dict[str, Any], ins: list[TensorSpec]) -> list[TensorSpec]:
        if _CHECK_INSTANCE is None:  # the checker registers itself when imported
            importlib.import_module("netbuilder.core.shapes")
        assert _CHECK_INSTANCE is not None
        outs, _count, inner = _CHECK_INSTANCE(diagram, d.name, p, ins)
        if outs is None:
            first = inner.errors[0] if inner.errors else None
            raise ShapeError(first.message if first else f"{d.name} cannot be checked")
        return outs

    return SubBlockSpec(
        type=d.name,
        category=CATEGORY,
        doc=d.description or f"A sub-block made of {len(d.body.nodes)} blocks.",
        infer=infer,
        params=tuple(params),
        inputs=d.input_ports(),
        outputs=d.output_ports(),
        key_params=tuple(d.exposed)[:2],
        definition=d,
        fingerprint=fp,
    )
