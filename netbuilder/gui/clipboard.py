"""Copy and paste through the system clipboard, as a JSON fragment.

The fragment travels both as ``application/x-netbuilder-fragment`` (what NetBuilder reads
first) and as plain text (so it can be pasted into a chat or an issue, and back). Any
window of any NetBuilder process can paste it.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QMimeData
from PySide6.QtGui import QGuiApplication

from netbuilder.core.diagram import Diagram, DiagramError

MIME_TYPE = "application/x-netbuilder-fragment"
FRAGMENT_FORMAT = "netbuilder-fragment"


def _not_blocks() -> str:
    return QCoreApplication.translate("Clipboard", "the clipboard does not hold NetBuilder blocks")


class FragmentError(ValueError):
    """Clipboard content that is not a usable NetBuilder fragment."""


def fragment_mime(fragment: dict[str, Any]) -> QMimeData:
    doc = {"format": FRAGMENT_FORMAT, **fragment}
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    mime = QMimeData()
    mime.setData(MIME_TYPE, text.encode("utf-8"))
    mime.setText(text)
    return mime


def copy_fragment(fragment: dict[str, Any]) -> None:
    QGuiApplication.clipboard().setMimeData(fragment_mime(fragment))


def parse_fragment(raw: str | bytes) -> dict[str, Any]:
    """Validate a fragment by building it into a scratch diagram; returns the plain data."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FragmentError(
            QCoreApplication.translate(
                "Clipboard", "the clipboard does not hold NetBuilder blocks ({reason})"
            ).format(reason=exc)
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FRAGMENT_FORMAT:
        raise FragmentError(_not_blocks())
    nodes, edges = doc.get("nodes"), doc.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise FragmentError(
            QCoreApplication.translate(
                "Clipboard", "the copied blocks are damaged (nodes/edges are not lists)"
            )
        )
    try:
        Diagram.from_dict({"nodes": nodes, "edges": edges})
    except (DiagramError, KeyError, TypeError, IndexError) as exc:
        raise FragmentError(
            QCoreApplication.translate(
                "Clipboard", "the copied blocks cannot be pasted: {reason}"
            ).format(reason=exc)
        ) from None
    return {"nodes": nodes, "edges": edges}


def fragment_from_mime(mime: QMimeData | None) -> dict[str, Any]:
    if mime is None:
        raise FragmentError(QCoreApplication.translate("Clipboard", "the clipboard is empty"))
    if mime.hasFormat(MIME_TYPE):
        return parse_fragment(bytes(mime.data(MIME_TYPE).data()))
    if mime.hasText():
        return parse_fragment(mime.text())
    raise FragmentError(_not_blocks())


def clipboard_fragment() -> dict[str, Any]:
    return fragment_from_mime(QGuiApplication.clipboard().mimeData())
