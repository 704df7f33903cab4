"""What the scene's helpers need of the scene, as a Protocol: ``CanvasScene``.

``gestures`` (wire drags) and ``overview`` (the zoomed-out drawing) act on the scene that owns
them. Naming ``DiagramScene`` itself would make them import the module that imports them — a
cycle, even when only for annotations. They name this Protocol instead, which
``DiagramScene`` satisfies structurally; it lists exactly what they use.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QPointF, SignalInstance
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.core.diagram import Diagram, Edge
from netbuilder.core.shapes import Analysis
from netbuilder.gui.canvas.edge_item import EdgeItem
from netbuilder.gui.canvas.node_item import NodeItem
from netbuilder.gui.theme import Theme


class CanvasScene(Protocol):
    """The diagram scene as its gestures and overview see it."""

    theme: Theme
    diagram: Diagram
    editor: Any  # the window's DiagramEditor, or None for a read-only scene
    nodes: dict[str, NodeItem]
    edges: dict[Edge, EdgeItem]
    analysis: Analysis | None

    @property
    def search_requested(self) -> SignalInstance: ...

    def items(self, *args: Any) -> list[QGraphicsItem]: ...

    def addItem(self, item: QGraphicsItem) -> None: ...

    def removeItem(self, item: QGraphicsItem) -> None: ...

    def port_scene_pos(self, node_id: str, port: str, is_output: bool) -> QPointF | None: ...
