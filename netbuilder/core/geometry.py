"""The size of a block card and where its ports sit: one definition for canvas and layout.

The canvas draws cards with these numbers and the layout and wire routing (``core.layout``,
``core.routing``) plan with them, so a planned route fits the drawn picture exactly. No Qt,
no torch: a rectangle is a plain ``(left, top, right, bottom)`` tuple.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netbuilder.core.diagram import Diagram

CARD_WIDTH = 156.0
HEADER = 22.0
LINE = 15.0
PORT_GAP = 18.0

Rect = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]


def card_body(n_inputs: int, n_outputs: int) -> float:
    """Height of the card below its header: three text lines, or room for the ports."""
    rows = max(n_inputs, n_outputs, 1)
    return max(3 * LINE + 8, rows * PORT_GAP + 10)


def card_height(n_inputs: int, n_outputs: int) -> float:
    return HEADER + card_body(n_inputs, n_outputs)


def port_offset(index: int, count: int, is_output: bool, n_inputs: int, n_outputs: int) -> Point:
    """Where port ``index`` of ``count`` sits relative to the card's top-left corner."""
    body = card_body(n_inputs, n_outputs)
    y = HEADER + body / 2 + (index - (count - 1) / 2) * PORT_GAP
    return (CARD_WIDTH if is_output else 0.0, y)


class Cards:
    """Each node's ports (from its block spec) and the card rectangles at given positions."""

    def __init__(self, diagram: Diagram) -> None:
        self.inputs: dict[str, tuple[str, ...]] = {}
        self.outputs: dict[str, tuple[str, ...]] = {}
        for nid, node in diagram.nodes.items():
            spec = diagram.block(node.type)  # sub-blocks of the document, then the library
            self.inputs[nid] = tuple(spec.input_ports(node.params))
            self.outputs[nid] = tuple(spec.output_ports(node.params))

    def height(self, nid: str) -> float:
        return card_height(len(self.inputs[nid]), len(self.outputs[nid]))

    def rect(self, nid: str, pos: Point) -> Rect:
        return (pos[0], pos[1], pos[0] + CARD_WIDTH, pos[1] + self.height(nid))

    def port(self, nid: str, port: str, is_output: bool, pos: Point) -> Point:
        """Scene position of a port; an unknown port (a stale wire) sits at the card's side."""
        ports = self.outputs[nid] if is_output else self.inputs[nid]
        n_in, n_out = len(self.inputs[nid]), len(self.outputs[nid])
        if port in ports:
            dx, dy = port_offset(ports.index(port), len(ports), is_output, n_in, n_out)
        else:
            dx, dy = (CARD_WIDTH if is_output else 0.0), HEADER
        return (pos[0] + dx, pos[1] + dy)
