"""Preview cells of the dataset picker: a sample drawn as a thumbnail, a sparkline or text.

Pure painting on the GUI thread, from tensors the preview loader already produced; the
evaluation view reuses ``sample_widget`` for its misclassified samples.
"""

from __future__ import annotations

import torch
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

THUMB = 56


def tensor_to_pixmap(x: torch.Tensor, size: int = THUMB) -> QPixmap:
    """A C×H×W (or H×W) tensor in 0..1 as a square thumbnail."""
    img = x.detach().to("cpu", torch.float32)
    if img.dim() == 2:
        img = img.unsqueeze(0)
    if img.shape[0] not in (1, 3):
        img = img[:1]
    arr = (img.clamp(0, 1) * 255).to(torch.uint8)
    h, w = arr.shape[1], arr.shape[2]
    if arr.shape[0] == 1:
        data = arr[0].contiguous().numpy().tobytes()
        qimg = QImage(data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    else:
        data = arr.permute(1, 2, 0).contiguous().numpy().tobytes()
        qimg = QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(qimg).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


def sparkline(values: torch.Tensor, width: int = THUMB, height: int = THUMB // 2) -> QPixmap:
    """A tiny line chart of a 1-D float sequence (the first feature of a T×F sample)."""
    v = values.detach().to("cpu", torch.float32).flatten()
    pix = QPixmap(width, height)
    pix.fill(QColor(255, 255, 255))
    if v.numel() >= 2:
        lo, hi = float(v.min()), float(v.max())
        span = (hi - lo) or 1.0
        pts = [
            QPointF(
                i * (width - 1) / (v.numel() - 1), (height - 2) * (1 - (float(y) - lo) / span) + 1
            )
            for i, y in enumerate(v)
        ]
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(40, 100, 220), 1))
        painter.drawPolyline(pts)
        painter.end()
    return pix


def sample_widget(x: torch.Tensor, label: str, kind: str) -> QWidget:
    """One preview cell: a picture, a sparkline or a short text, with the label below."""
    cell = QWidget()
    lay = QVBoxLayout(cell)
    lay.setContentsMargins(2, 2, 2, 2)
    lay.setSpacing(1)
    view = QLabel()
    view.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if kind == "image" or (x.dim() == 3 and x.dtype.is_floating_point):
        view.setPixmap(tensor_to_pixmap(x))
    elif x.dtype.is_floating_point and x.dim() == 2:
        view.setPixmap(sparkline(x[:, 0]))
    else:
        flat = x.flatten().tolist()
        text = " ".join(f"{v:.2g}" if isinstance(v, float) else str(v) for v in flat[:8])
        view.setText(text + (" …" if len(flat) > 8 else ""))
        view.setWordWrap(True)
        view.setMaximumWidth(THUMB * 2)
        view.setStyleSheet("font-family: monospace; font-size: 8pt;")
    caption = QLabel(label)
    caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
    caption.setObjectName("preview_label")
    lay.addWidget(view)
    lay.addWidget(caption)
    return cell
