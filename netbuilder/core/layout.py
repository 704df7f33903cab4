"""Left-to-right layered layout, like a Mermaid ``graph LR``."""

from __future__ import annotations

import networkx as nx

from netbuilder.core.diagram import Diagram

# wide enough for the longest usual wire label (B×128×224×224) between 156-wide cards
COLUMN_GAP = 280.0
ROW_GAP = 150.0


def layered_positions(
    diagram: Diagram, origin: tuple[float, float] = (0.0, 0.0)
) -> dict[str, tuple[float, float]]:
    """Positions placing each node one column right of its furthest predecessor.

    Nodes in a loop (an error the checker reports) are placed after the rest. Within a
    column, nodes keep the vertical order of the column before them (barycentre ordering),
    which keeps wires from crossing in the common chain-with-skips networks.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(diagram.nodes)
    graph.add_edges_from((e.source, e.target) for e in diagram.edges)
    cyclic = set()
    if not nx.is_directed_acyclic_graph(graph):
        for comp in nx.strongly_connected_components(graph):
            if len(comp) > 1:
                cyclic |= comp
        graph.remove_nodes_from(cyclic)
    rank = {nid: i for i, nid in enumerate(diagram.nodes)}
    layer: dict[str, int] = {}
    for nid in nx.lexicographical_topological_sort(graph, key=rank.__getitem__):
        preds = list(graph.predecessors(nid))
        layer[nid] = 1 + max((layer[p] for p in preds), default=-1)
    last = max(layer.values(), default=-1)
    for nid in sorted(cyclic, key=rank.__getitem__):
        last += 1
        layer[nid] = last
    columns: dict[int, list[str]] = {}
    for nid in sorted(layer, key=rank.__getitem__):
        columns.setdefault(layer[nid], []).append(nid)
    row: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for col in sorted(columns):
        members = columns[col]

        def centre(nid: str) -> float:
            preds = [row[p] for p in graph.predecessors(nid) if p in row] if nid in graph else []
            return sum(preds) / len(preds) if preds else float(rank[nid])

        members.sort(key=lambda n: (centre(n), rank[n]))
        offset = (len(members) - 1) / 2.0
        for i, nid in enumerate(members):
            row[nid] = i - offset
            positions[nid] = (origin[0] + col * COLUMN_GAP, origin[1] + (i - offset) * ROW_GAP)
    return positions


def apply_layout(diagram: Diagram) -> None:
    """Move every node to its layered position (emits one move event per node)."""
    for nid, pos in layered_positions(diagram).items():
        diagram.move(nid, pos)
