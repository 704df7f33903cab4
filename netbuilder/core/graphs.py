"""The few graph algorithms the checker needs, on plain dicts.

The checker runs after every edit; building a networkx graph and going through its
dispatch layer cost about half of a 500-node re-check, so the hot path uses these
stdlib versions. networkx still finds the strongly connected components, but only
when a loop exists.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence


class Adjacency:
    """Successors and predecessors of each node (a wire counted once per wire)."""

    def __init__(self, nodes: Sequence[str], links: Iterable[tuple[str, str]]) -> None:
        self.nodes = list(nodes)
        self.succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.pred: dict[str, list[str]] = {n: [] for n in self.nodes}
        for source, target in links:
            if source in self.succ and target in self.succ:  # ignore wires to missing nodes
                self.succ[source].append(target)
                self.pred[target].append(source)

    def topological_order(self, skip: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """Nodes (minus ``skip``) so that every wire points forward; ties go by node order.

        The same order as networkx's ``lexicographical_topological_sort`` keyed by the
        node's position, so results stay stable while the user edits. Nodes on or behind
        a loop that is not in ``skip`` are left out.
        """
        rank = {n: i for i, n in enumerate(self.nodes)}
        indegree = dict.fromkeys(self.nodes, 0)
        for n in self.nodes:
            if n in skip:
                continue
            for t in self.succ[n]:
                indegree[t] += 1
        heap = [(rank[n], n) for n in self.nodes if indegree[n] == 0 and n not in skip]
        heapq.heapify(heap)
        order: list[str] = []
        while heap:
            _, n = heapq.heappop(heap)
            order.append(n)
            for t in self.succ[n]:
                if t in skip:
                    continue
                indegree[t] -= 1
                if indegree[t] == 0:
                    heapq.heappush(heap, (rank[t], t))
        return order

    def cycle_nodes(self, leftover: Iterable[str]) -> set[str]:
        """Nodes that lie on a loop, among ``leftover`` (those a topological sort missed)."""
        import networkx as nx  # only when a loop exists: the import costs start-up time

        rest = set(leftover)
        graph = nx.DiGraph()
        graph.add_nodes_from(rest)
        graph.add_edges_from((s, t) for s in rest for t in self.succ[s] if t in rest)
        found: set[str] = set()
        for component in nx.strongly_connected_components(graph):
            if len(component) > 1 or any(n in self.succ[n] for n in component):
                found |= component
        return found

    def ancestors(self, targets: Iterable[str]) -> set[str]:
        """``targets`` and every node with a path into one of them."""
        seen = set(targets)
        stack = list(seen)
        while stack:
            for p in self.pred[stack.pop()]:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen
