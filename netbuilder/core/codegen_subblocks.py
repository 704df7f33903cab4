"""One Python class per sub-block definition, shared by all its uses (``export-code``).

Uses of one definition may build different layers: a ResNet BasicBlock's first conv has 64
input channels in one stage and 128 in the next, its stride is exposed. The class takes a
constructor argument exactly for each layer setting that differs between uses (named after
the exposed parameter driving it, else ``<node>_<setting>``; settings equal in every use
share one argument), and writes every other setting as a literal. Each use then constructs
the class with its own values, so the BasicBlock is written once.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from netbuilder.core.blocks import BlockSpec
from netbuilder.core.compile import live_nodes
from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import Analysis, NodeResult
from netbuilder.core.subblocks import SubBlockSpec, definition_order


class _Arg:
    """A constructor argument standing where a literal would be (its repr is its name)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def _key(value: Any) -> str:
    """Values compared by type and content (``1`` and ``True`` must differ)."""
    return f"{type(value).__name__}:{value!r}"


@dataclass
class DefinitionPlan:
    """How one definition is written: its constructor arguments and per-use values."""

    name: str
    contexts: list[Analysis] = field(default_factory=list)  # one per distinct use
    args: list[str] = field(default_factory=list)
    # (inner node, setting) → argument name, for the settings that differ between uses
    slots: dict[tuple[str, str], str] = field(default_factory=dict)
    # per use (id of its Analysis): (inner node, setting) → the value that use gives it
    raw: dict[int, dict[tuple[str, str], Any]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    body: Diagram | None = None
    children: dict[str, DefinitionPlan] = field(default_factory=dict)

    def annotation(self, arg: str) -> str:
        return f": {self.types[arg]}" if arg in self.types else ""

    def values(self, context: Analysis) -> dict[str, Any]:
        """Constructor argument → value for the use whose body analysis is ``context``."""
        raw = self.raw[id(context)]
        by_arg = {arg: raw[key] for key, arg in self.slots.items()}
        return {arg: by_arg[arg] for arg in self.args}

    def call_args(self, context: Analysis) -> list[str]:
        return [f"{a}={v!r}" for a, v in self.values(context).items()]

    def use_args(self, nid: str, spec: SubBlockSpec) -> list[str]:
        """``arg=value`` of inner use ``nid``: this class's argument where uses differ."""
        first = self.raw[id(self.contexts[0])]
        child = self.children[spec.type]
        parts = []
        for arg in child.args:
            slot = self.slots.get((nid, arg))
            parts.append(f"{arg}={slot if slot else repr(first[(nid, arg)])}")
        return parts

    def layer_kwargs(self, nid: str, spec: BlockSpec, res: NodeResult) -> tuple[Any, dict]:
        """Layer class and constructor arguments of inner node ``nid``; a setting that
        differs between uses is this class's argument (it prints as its name)."""
        in_specs = [res.inputs[p] for p in spec.input_ports(res.params)]
        cls, kwargs = spec.module(res.params, in_specs)  # type: ignore[misc, arg-type]
        for k in kwargs:
            slot = self.slots.get((nid, k))
            if slot:
                kwargs[k] = _Arg(slot)
        return cls, kwargs


def _collect(diagram: Diagram, analysis: Analysis, plans: dict[str, DefinitionPlan]) -> None:
    """Every distinct use context of every definition, walking nested uses too."""
    for nid in live_nodes(diagram, analysis):
        node = diagram.nodes[nid]
        if node.type not in diagram.root.definitions:
            continue
        inner = analysis.inner[nid]
        plan = plans.setdefault(node.type, DefinitionPlan(node.type))
        if all(c is not inner for c in plan.contexts):
            plan.contexts.append(inner)
            _collect(diagram.root.definitions[node.type].body, inner, plans)


def _settings(plan: DefinitionPlan, context: Analysis, plans: dict[str, DefinitionPlan]) -> None:
    """(inner node, setting) → value of every layer and nested use, for one use."""
    body = plan.body
    assert body is not None
    raw: dict[tuple[str, str], Any] = {}
    for nid in live_nodes(body, context):
        spec = body.block(body.nodes[nid].type)
        res = context.nodes[nid]
        if isinstance(spec, SubBlockSpec):
            child = plans[spec.type]
            for arg, value in child.values(context.inner[nid]).items():
                raw[(nid, arg)] = value
        elif spec.module is not None and spec.merge is None and spec.role == "layer":
            in_specs = [res.inputs[p] for p in spec.input_ports(res.params)]
            _cls, kwargs = spec.module(res.params, in_specs)  # type: ignore[arg-type]
            for k, v in kwargs.items():
                raw[(nid, k)] = v
    plan.raw[id(context)] = raw


def _identifier(text: str) -> str:
    name = re.sub(r"\W", "_", text, flags=re.ASCII).strip("_") or "arg"
    name = f"a_{name}" if name[0].isdigit() else name
    return f"{name}_" if keyword.iskeyword(name) or name == "self" else name


def _choose_args(plan: DefinitionPlan, diagram: Diagram) -> None:
    """Arguments for the settings that differ between uses; equal columns share one."""
    definition = diagram.root.definitions[plan.name]
    exposed = {tuple(t): e.name for e in definition.exposed.values() for t in e.targets}
    columns: dict[tuple[str, str], tuple[str, ...]] = {}
    keys = list(plan.raw[id(plan.contexts[0])])
    for key in keys:
        column = tuple(_key(plan.raw[id(c)].get(key)) for c in plan.contexts)
        if len(set(column)) > 1:
            columns[key] = column
    by_column: dict[tuple[str, ...], str] = {}
    # exposed names first, so a setting the user named keeps that name
    ordered = sorted(columns, key=lambda k: (k not in exposed, keys.index(k)))
    taken: set[str] = set()
    for key in ordered:
        column = columns[key]
        if column in by_column:
            plan.slots[key] = by_column[column]
            continue
        # the exposed name, else the bare setting (``in_channels``), else ``conv1_stride``
        base = _identifier(exposed.get(key) or key[1])
        if base in taken and key not in exposed:
            base = _identifier(f"{key[0]}_{key[1]}")
        name, i = base, 2
        while name in taken:
            name = f"{base}_{i}"
            i += 1
        taken.add(name)
        by_column[column] = plan.slots[key] = name
        kinds = {type(plan.raw[id(c)][key]).__name__ for c in plan.contexts}
        if len(kinds) == 1 and kinds <= {"int", "float", "bool", "str"}:
            plan.types[name] = kinds.pop()
    first_use = {a: min(keys.index(k) for k, v in plan.slots.items() if v == a) for a in taken}
    plan.args = sorted(taken, key=first_use.__getitem__)


def plan_definitions(diagram: Diagram, analysis: Analysis) -> list[DefinitionPlan]:
    """Plans of the definitions in use, each after the definitions it uses."""
    plans: dict[str, DefinitionPlan] = {}
    _collect(diagram, analysis, plans)
    out = []
    for name in definition_order(diagram.root.definitions):
        plan = plans.get(name)
        if plan is None:
            continue
        plan.body = diagram.root.definitions[name].body
        plan.children = plans
        for context in plan.contexts:
            _settings(plan, context, plans)
        _choose_args(plan, diagram)
        out.append(plan)
    return out


__all__ = ["DefinitionPlan", "plan_definitions"]
