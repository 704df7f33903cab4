"""Turning node ids into Python identifiers for fx graphs and generated code."""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

from torch import fx, nn

_RESERVED = {"self", "torch", "nn", "math", "x", "input", "output", "meta", "shape_env"}
# Attributes every module instance has (``training`` is set in __init__, so it is not on
# the class) and those of fx.GraphModule (``graph``, ``code``...): a submodule with one of
# these names would be refused by add_module or would shadow the compiled module's own.
_MODULE_ATTRS = frozenset(dir(nn.Module())) | frozenset(dir(fx.GraphModule))


def python_names(node_ids: Iterable[str]) -> dict[str, str]:
    """A distinct, safe identifier per node id, stable for a given id order.

    Keywords, names of ``nn.Module`` attributes (``training``, ``forward``...) and clashes
    after sanitising all get a suffix, because any of them silently breaks fx or codegen.
    """
    taken: set[str] = set()
    out: dict[str, str] = {}
    for nid in node_ids:
        base = re.sub(r"\W", "_", nid, flags=re.ASCII).strip("_").lower() or "node"
        if base[0].isdigit():
            base = f"n_{base}"
        if keyword.iskeyword(base) or base in _RESERVED or base in _MODULE_ATTRS:
            base = f"{base}_"
        name, i = base, 2
        while name in taken:
            name = f"{base}_{i}"
            i += 1
        taken.add(name)
        out[nid] = name
    return out
