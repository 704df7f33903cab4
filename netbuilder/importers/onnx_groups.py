"""Which ONNX nodes belong to one recurrent, attention, Transformer or positional layer.

torch's dynamo exporter notes on every node the modules it ran in
(``pkg.torch.onnx.name_scopes`` / ``class_hierarchy``): nodes of one such layer call are
gathered by that note, as ``aten_modules`` gathers a ``.pt2`` program's operations. Files
without the notes (torch's legacy exporter, other tools) still have LSTM/GRU/RNN nodes;
those are gathered with the nodes the exporters frame them with, by structure. The layers
are rebuilt from each group by ``onnx_layers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netbuilder.importers.aten_modules import layer_kind
from netbuilder.importers.repeats import scope_of

RECURRENT = {"LSTM", "GRU", "RNN", "LSTMBlock", "GRUBlock", "RNNBlock"}
ATTENTION = {"MultiheadAttention", "SelfAttention"}
ENCODER_LAYER = {"TransformerEncoderLayer", "TransformerBlock"}
ENCODER = {"TransformerEncoder", "TransformerStack"}
POSITIONAL = {"SinusoidalPositionalEncoding", "LearnedPositionalEncoding"}
GROUPED = RECURRENT | ATTENTION | ENCODER_LAYER | ENCODER | POSITIONAL


def _list(text: str) -> list[str]:
    return [p.strip(" '\"") for p in text.strip("[]").split(",")]


def scopes(node: Any) -> list[tuple[str, str]]:
    """(module path, class path) of every module ``node`` ran in, outermost first."""
    meta = {p.key: p.value for p in node.metadata_props}
    names = _list(meta.get("pkg.torch.onnx.name_scopes", ""))
    classes = _list(meta.get("pkg.torch.onnx.class_hierarchy", ""))
    # both lists end with the operation itself; the first entry is the exported root
    return list(zip(names[1:-1], classes[1:-1], strict=False))


def group_scope(node: Any) -> tuple[str, str] | None:
    """(path, kind) of the outermost layer of ``node`` that is rebuilt as a group."""
    for path, cls in scopes(node):
        kind = layer_kind(cls)
        if kind in GROUPED and path:
            return path, kind
    return None


def inner_scope(node: Any) -> str:
    """The path of the innermost module ``node`` ran in ('' for the root)."""
    found = scopes(node)
    return found[-1][0] if found else ""


def module_scope(node: Any, own: str) -> tuple[tuple[str, str, str], ...]:
    """``Layer.scope`` of a layer made from ``node``: the modules it ran in, outside ``own``
    (the layer's own module path); paths are the call keys (ONNX notes no call count).

    Files without scope notes (torch's legacy exporter) often name nodes after their
    modules (``/layer1/layer1.0/conv1/Conv``): those prefixes are scopes of unknown class."""
    noted = scopes(node)
    if noted:
        return scope_of({path: (path, cls) for path, cls in noted}, own)
    parts = str(node.name or "").split("/")
    if len(parts) < 3 or parts[0]:
        return ()
    prefixes = ["/".join(parts[: i + 1]) for i in range(1, len(parts) - 1)]
    return tuple((p, p, "") for p in prefixes if p != own)


@dataclass
class Group:
    """The nodes of one layer call, in file order."""

    path: str
    kind: str
    nodes: list[Any] = field(default_factory=list)


def find_groups(nodes: list[Any], consts: Any = ()) -> list[Group]:
    """Layers by the exporter's scope notes; then recurrent nodes of files without them."""
    groups: list[Group] = []
    by_path: dict[str, Group] = {}
    for n in nodes:
        scope = group_scope(n)
        if scope is None:
            continue
        group = by_path.get(scope[0])
        if group is None:
            group = by_path[scope[0]] = Group(*scope)
            groups.append(group)
        group.nodes.append(n)
    taken = {id(n) for g in groups for n in g.nodes}
    for n in nodes:
        if n.op_type in CELLS and id(n) not in taken:
            group = _cell_group(n, nodes, taken, set(consts))
            taken.update(id(m) for m in group.nodes)
            groups.append(group)
    return groups


CELLS = ("LSTM", "GRU", "RNN")
# nodes that only build zero initial states from the input's batch size
_STATE_OPS = {"Shape", "Gather", "Unsqueeze", "Concat", "ConstantOfShape", "Expand", "Slice",
              "Squeeze", "Reshape", "Cast", "Constant", "Identity"}  # fmt: skip
# nodes that turn a cell's time-major output back into a batch-first sequence
_OUTPUT_OPS = {"Squeeze", "Transpose", "Reshape"}


def _cell_group(cell: Any, nodes: list[Any], taken: set[int], consts: set[str]) -> Group:
    """An ONNX LSTM/GRU/RNN node with the nodes around it that the exporters write (the
    legacy torch exporter and others note no scopes): the batch-first → time-major
    Transpose before it, the zero initial states, and Squeeze/Transpose/Reshape after it;
    stacked cells fed by one another join the same group."""
    producer = {o: n for n in nodes for o in n.output if o}
    users: dict[str, list[Any]] = {}
    for n in nodes:
        for i in n.input:
            users.setdefault(i, []).append(n)
    members: list[Any] = []

    def add(n: Any) -> None:
        if id(n) not in taken and all(m is not n for m in members):
            members.append(n)

    def states(value: str, depth: int = 0) -> None:
        n = producer.get(value)
        if n is None or value in consts or depth > 16 or n.op_type not in _STATE_OPS:
            return
        add(n)
        for i in n.input:
            states(i, depth + 1)

    todo = [cell]
    while todo:
        current = todo.pop()
        add(current)
        x = producer.get(current.input[0])
        if x is not None and x.op_type == "Transpose" and len(users.get(x.output[0], [])) == 1:
            add(x)
        for i in list(current.input)[5:]:
            states(i)
        value, depth = current.output[0], 0
        while depth < 8:
            after = users.get(value, [])
            if len(after) != 1 or after[0].op_type not in _OUTPUT_OPS | set(CELLS):
                break
            nxt = after[0]
            if nxt.op_type in CELLS:
                todo.append(nxt)
                break
            add(nxt)
            if nxt.op_type == "Reshape" and len(nxt.input) > 1:
                states(nxt.input[1])
            value, depth = nxt.output[0], depth + 1
            if nxt.op_type == "Transpose" and list(_perm(nxt)) == [1, 0, 2]:
                break
    order = {id(n): i for i, n in enumerate(nodes)}
    members.sort(key=lambda n: order[id(n)])
    path = cell.name.strip("/").rsplit("/", 1)[0] if "/" in cell.name.strip("/") else ""
    return Group(path or cell.name or cell.output[0], cell.op_type, members)


def _perm(node: Any) -> list[int]:
    return next((list(a.ints) for a in node.attribute if a.name == "perm"), [])
