"""The neutral form every importer produces, and how it becomes a checked diagram.

Each front end (PyTorch module, ``.pt2`` program, ONNX file, Mermaid chart) only has to say
which NetBuilder block each of its nodes is, with what parameters, what it is wired to and
which weights it holds (keyed like the block's own torch layer). Building the diagram,
wiring it, checking shapes, loading weights into the compiled model and laying it out is
done once, here, so every format gets the same guarantees: a diagram that fails any of
these steps is never returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from netbuilder.core.analysis import Analysis
from netbuilder.core.blocks import get_block
from netbuilder.core.compile import CompileError, compile_diagram
from netbuilder.core.diagram import Diagram, DiagramError
from netbuilder.core.layout import apply_layout
from netbuilder.core.naming import python_names
from netbuilder.core.shapes import check
from netbuilder.core.tensor import TensorSpec
from netbuilder.importers.errors import ModelImportError, Problem
from netbuilder.importers.repeats import Grouping, group_repeats

ABS_TOLERANCE = 1e-5


@dataclass
class GraphInput:
    """A model input: its value name and per-sample spec (batch left out)."""

    value: str
    spec: TensorSpec
    name: str = ""


@dataclass
class Layer:
    """One block to be: type, parameters, input values (in port order), output values.

    ``outputs`` has one value name per output port of the block; ``None`` for a port nothing
    reads. ``weights`` are keyed like the state_dict of the block's torch layer.
    """

    name: str
    block: str
    params: dict[str, Any]
    inputs: list[str]
    outputs: list[str | None]
    weights: dict[str, torch.Tensor] = field(default_factory=dict)
    where: str = ""
    # the module calls it ran in, outermost first, without its own: (call key, module
    # path, class name); what ``repeats`` makes sub-blocks from
    scope: tuple[tuple[str, str, str], ...] = ()


@dataclass
class NeutralGraph:
    """A whole network in block terms, ready to become a diagram."""

    inputs: list[GraphInput] = field(default_factory=list)
    layers: list[Layer] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # value -> value it equals
    name: str = ""

    def resolve(self, value: str) -> str:
        seen = 0
        while value in self.aliases and seen < 10_000:
            value, seen = self.aliases[value], seen + 1
        return value


@dataclass
class ImportResult:
    """A complete imported network: diagram, weights (or None) and what was noticed."""

    diagram: Diagram
    state_dict: dict[str, torch.Tensor] | None
    notes: list[str] = field(default_factory=list)
    max_abs_diff: float | None = None
    # sub-block definitions made from repeated modules -> their number of uses (those
    # inside other definitions' bodies included), in the order they were made
    subblocks: dict[str, int] = field(default_factory=dict)

    @property
    def definitions(self) -> int:
        return len(self.subblocks)

    @property
    def uses(self) -> int:
        return sum(self.subblocks.values())

    def subblock_summary(self) -> str:
        """``BasicBlock ×5, BasicBlock_downsample ×3`` (empty when none were made)."""
        return ", ".join(f"{name} ×{n}" for name, n in self.subblocks.items())

    @property
    def parameter_count(self) -> int:
        return check(self.diagram).total_params


_ID_CHARS = re.compile(r"[^A-Za-z0-9_\-]+")


def node_id_for(name: str, taken: set[str], fallback: str) -> str:
    """A readable, valid, unused diagram id from a source name (``layer1.0.conv1``)."""
    base = _ID_CHARS.sub("_", name).strip("_-")[:56] or fallback
    if not base[0].isalpha() and base[0] != "_":
        base = f"n_{base}"[:56]
    out, i = base, 2
    while out in taken:
        out, i = f"{base}_{i}", i + 1
    taken.add(out)
    return out


def input_block(spec: TensorSpec) -> tuple[str, dict[str, Any]]:
    """The input block that produces tensors of ``spec``; ModelImportError if none does."""
    if spec.dtype == "long":
        if spec.rank == 1:
            return "TokenInput", {"length": spec.shape[0], "vocab_size": spec.vocab or 2}
    elif spec.rank == 3:
        c, h, w = spec.shape
        return "ImageInput", {"channels": c, "height": h, "width": w}
    elif spec.rank == 2:
        return "SequenceInput", {"length": spec.shape[0], "features": spec.shape[1]}
    elif spec.rank == 1:
        return "TabularInput", {"features": spec.shape[0]}
    shape = "×".join(["B", *map(str, spec.shape)])
    raise ModelImportError(
        f"an input of shape {shape} ({spec.dtype}) has no NetBuilder input block",
        [Problem("input", "inputs are images (C×H×W), sequences (T×F), rows (F) or token ids (T)")],
    )


def build_diagram(graph: NeutralGraph) -> tuple[Diagram, list[str]]:
    """Nodes and wires for ``graph``; returns the diagram and the node id of each layer
    (``graph.layers[i]`` is node ``ids[i]``; two calls of one module share a name).

    Raises ModelImportError naming the layer when a block refuses its parameters or a wire.
    """
    d = Diagram()
    if graph.name:
        d.meta["name"] = graph.name
    taken: set[str] = set()
    producer: dict[str, tuple[str, str]] = {}
    ids: list[str] = []
    for gi in graph.inputs:
        block, params = input_block(gi.spec)
        nid = d.add_node(block, params, node_id=node_id_for(gi.name or gi.value, taken, "input"))
        producer[gi.value] = (nid, "out")
    for layer in graph.layers:
        where = layer.where or layer.name
        try:
            spec = get_block(layer.block)
            nid = d.add_node(
                spec.type, layer.params, node_id=node_id_for(layer.name, taken, "node")
            )
            ids.append(nid)
            ports_in = spec.input_ports(d.nodes[nid].params)
            if len(ports_in) != len(layer.inputs):
                raise DiagramError(
                    f"{spec.type} takes {len(ports_in)} inputs, the source gives it "
                    f"{len(layer.inputs)}"
                )
            for port, value in zip(ports_in, layer.inputs, strict=True):
                source = producer.get(graph.resolve(value))
                if source is None:
                    raise DiagramError(f"its input {value!r} comes from nowhere NetBuilder knows")
                d.connect(source[0], source[1], nid, port)
            ports_out = spec.output_ports(d.nodes[nid].params)
            for port, value in zip(ports_out, layer.outputs, strict=False):
                if value is not None:
                    producer[value] = (nid, port)
        except (DiagramError, KeyError) as exc:
            raise ModelImportError(
                "the network cannot be rebuilt as a diagram", [Problem(where, str(exc))]
            ) from None
    for i, value in enumerate(graph.outputs):
        source = producer.get(graph.resolve(value))
        if source is None:
            raise ModelImportError(
                "the network cannot be rebuilt as a diagram",
                [Problem(f"output {i + 1}", "it is not computed by any imported block")],
            )
        name = "" if len(graph.outputs) == 1 else f"out{i + 1}"
        # an Output's name is its block label (format version 2)
        out = d.add_node("Output", label=name, node_id=node_id_for(f"output{i + 1}", taken, "o"))
        d.connect(source[0], source[1], out, "in")
    return d, ids


def finish(
    graph: NeutralGraph,
    reference: Callable[[tuple[torch.Tensor, ...]], Any] | None,
    notes: Sequence[str] = (),
    with_weights: bool = True,
    subblocks: bool = True,
) -> ImportResult:
    """Diagram + checked shapes + sub-blocks + layout + loaded weights + output comparison.

    ``reference`` runs the original network on a batch; when given, the imported model must
    reproduce its outputs within 1e-5 (scaled for large outputs) or nothing is returned.
    With ``subblocks``, repeated module calls become sub-block uses (``repeats``).
    """
    diagram, ids = build_diagram(graph)
    analysis = check(diagram)
    if not analysis.ok:
        names = dict(zip(ids, (la.name for la in graph.layers), strict=True))
        problems = [
            Problem(names.get(str(d.node_id), str(d.node_id)), d.message) for d in analysis.errors
        ]
        raise ModelImportError("the imported network does not pass the shape check", problems)
    notes = list(notes)
    location: dict[str, tuple[str, ...]] = {nid: (nid,) for nid in diagram.nodes}
    made = Grouping()
    if subblocks:
        diagram, analysis, made, note = _group(diagram, graph, ids)
        location.update(made.location)
        if note:
            notes.append(note)
    apply_layout(diagram)
    for definition in diagram.definitions.values():
        apply_layout(definition.body)
    result = ImportResult(diagram, None, notes, None, dict(made.uses))
    if not with_weights:
        return result
    try:
        model = compile_diagram(diagram, analysis)
    except CompileError as exc:  # pragma: no cover - a checked diagram compiles
        raise ModelImportError(str(exc)) from None
    problems: list[Problem] = []
    for layer, nid in zip(graph.layers, ids, strict=True):
        if not layer.weights:
            continue
        target = model.get_submodule(module_path(diagram, location[nid]))
        try:
            target.load_state_dict(_cast_like(target, layer.weights), strict=True)
        except (RuntimeError, KeyError) as exc:
            first = str(exc).strip().splitlines()[0][:240]
            problems.append(Problem(layer.where or layer.name, f"its weights do not fit: {first}"))
    if problems:
        raise ModelImportError("the weights cannot be loaded into the diagram", problems)
    result.state_dict = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if reference is not None:
        result.max_abs_diff = compare(model, graph, reference)
    return result


def _group(
    diagram: Diagram, graph: NeutralGraph, ids: list[str]
) -> tuple[Diagram, Analysis, Grouping, str]:
    """``diagram`` with its repeated module calls as sub-blocks, checked; the flat diagram
    and a note why if grouping fails (a bug: the import still gives a correct diagram)."""
    grouped = diagram.copy()
    scopes = {nid: la.scope for la, nid in zip(graph.layers, ids, strict=True) if la.scope}
    names = {nid: la.name for la, nid in zip(graph.layers, ids, strict=True)}
    try:
        made = group_repeats(grouped, scopes, names)
    except DiagramError as exc:  # pragma: no cover - a bug in the grouping, not the input
        return diagram, check(diagram), Grouping(), f"sub-blocks were not made: {exc}"
    if not made.uses:
        return diagram, check(diagram), made, ""
    analysis = check(grouped)
    if not analysis.ok:  # pragma: no cover - same
        first = str(analysis.errors[0])
        return diagram, check(diagram), Grouping(), f"sub-blocks were not made: {first}"
    return grouped, analysis, made, ""


def module_path(diagram: Diagram, path: tuple[str, ...]) -> str:
    """The compiled model's submodule name of the block at ``path`` (node ids from the top
    level through sub-block uses): ``("layer1_0", "conv1")`` → ``layer1_0.conv1``."""
    parts = []
    current = diagram
    for i, nid in enumerate(path):
        parts.append(python_names(current.nodes)[nid])
        if i + 1 < len(path):
            current = diagram.root.definitions[current.nodes[nid].type].body
    return ".".join(parts)


def _cast_like(module: torch.nn.Module, weights: dict[str, torch.Tensor]) -> dict[str, Any]:
    own = module.state_dict()
    return {
        k: (v.to(own[k].dtype) if k in own and v.is_floating_point() else v)
        for k, v in weights.items()
    }


def example_inputs(graph: NeutralGraph, batch: int, seed: int) -> tuple[torch.Tensor, ...]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return tuple(gi.spec.example(batch) for gi in graph.inputs)


def flat(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return [t for item in value for t in flat(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in flat(item)]
    return []


def compare(
    model: torch.nn.Module,
    graph: NeutralGraph,
    reference: Callable[[tuple[torch.Tensor, ...]], Any],
) -> float:
    """Largest output difference on two batches; raise ModelImportError above tolerance."""
    worst = 0.0
    model.eval()
    for i, batch in enumerate((3, 1)):
        xs = example_inputs(graph, batch, 4321 + i)
        with torch.no_grad():
            mine = flat(model(*xs))
            try:
                theirs = flat(reference(xs))
            except Exception as exc:  # the original's own failure, reported not raised
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
                raise ModelImportError(
                    f"the original network fails on a batch of {batch}: {first}"
                ) from None
        if len(mine) != len(theirs):
            raise ModelImportError(
                f"the imported diagram returns {len(mine)} outputs, the original {len(theirs)}"
            )
        for j, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            b = torch.as_tensor(b)
            if tuple(a.shape) != tuple(b.shape):
                raise ModelImportError(
                    f"output {j + 1} has shape {tuple(a.shape)} in the diagram but "
                    f"{tuple(b.shape)} in the original"
                )
            if not a.numel():
                continue
            diff = (a.double() - b.double()).abs().max().item()
            tol = ABS_TOLERANCE * max(1.0, b.double().abs().max().item())
            if not diff <= tol:
                raise ModelImportError(
                    f"the imported diagram differs from the original by {diff:.3g} on output "
                    f"{j + 1} (tolerance {tol:.0e}); the mapping is wrong for some block",
                )
            worst = max(worst, diff)
    return worst
