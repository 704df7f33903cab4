"""What the editor asks the core about sub-blocks, in one place.

Definitions live on the top-level diagram (``Diagram.definitions``); a body is an ordinary
``Diagram`` that resolves types through its owner (``core.subblocks``). The shapes inside a
body depend on what its use receives, so the check of an opened level is the check of the
block it was opened from (``shapes.check_instance``), or of its first use in the level
above when it was opened from the palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netbuilder.core.diagram import Diagram


def definitions(diagram: Diagram) -> dict[str, Any]:
    """The document's sub-block definitions (whichever level ``diagram`` is)."""
    return diagram.root.definitions


def is_subblock(diagram: Diagram, type_name: str) -> bool:
    return type_name in definitions(diagram)


def body_of(top: Diagram, _diagram: Diagram, name: str) -> Diagram | None:
    """The body of definition ``name`` of the document ``top``; None if there is none."""
    d = top.definitions.get(name)
    return d.body if d is not None else None


def usable_in(diagram: Diagram) -> list[str]:
    """Definitions a block of ``diagram`` may be: all at the top; in a body, those that do
    not contain that body's own definition (a sub-block cannot contain itself)."""
    from netbuilder.core.subblocks import uses_of

    defs = definitions(diagram)
    own = diagram.definition_name
    if own is None:
        return list(defs)
    banned = {own, *uses_of(defs, own)}
    return [n for n in defs if n not in banned]


def analysis_inside(top: Diagram, analysis: Any, path: Sequence[Any]) -> Any:
    """The check of the body at the end of ``path`` (``scope.Level`` items: a definition
    name and the use it was opened from), with the shapes its use receives.

    Each level's check is the one the checker made for that use (``Analysis.inner``); a
    definition opened without a use (none in the level above) is judged on its structure
    alone (``check(body)``: its inputs have no shape yet).
    """
    from netbuilder.core.shapes import check

    diagram = top
    for level in path:
        instance = level.instance
        if instance not in diagram.nodes or diagram.nodes[instance].type != level.name:
            instance = next((i for i, n in diagram.nodes.items() if n.type == level.name), None)
        body = top.definitions[level.name].body
        inner = getattr(analysis, "inner", {}).get(instance) if instance is not None else None
        analysis = inner if inner is not None else check(body)
        diagram = body
    return analysis
