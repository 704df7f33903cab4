"""Pictures of a diagram (PNG, SVG) for slides, papers and READMEs.

Used by File > Export as image and by ``netbuilder render``. The picture is the canvas
itself, drawn without grid and selection, cropped to the blocks with a small margin.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import check
from netbuilder.gui.canvas.scene import DiagramScene

MARGIN = 30.0
IMAGE_SUFFIXES = (".png", ".svg")


class ImageExportError(Exception):
    """The picture could not be written; the message names the file and the reason."""


def _source_rect(scene: DiagramScene) -> QRectF:
    rect = scene.content_rect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 100)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _paint(scene: DiagramScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    selected = scene.selectedItems()
    scene.clearSelection()
    was_far = scene.far
    scene.export_mode = True
    scene.set_zoom(1.0)  # pictures show every card in full, whatever the view's zoom
    # cached items would be drawn as bitmaps: draw them afresh (vector text in SVG, sharp PNG)
    mode = scene.cache_mode
    scene.set_cache_mode(QGraphicsItem.CacheMode.NoCache)
    try:
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        scene.export_mode = False
        if was_far:
            scene.set_zoom(0.0)
        scene.set_cache_mode(mode)
        for item in selected:
            item.setSelected(True)


def save_scene_image(scene: DiagramScene, path: str | Path, scale: float = 2.0) -> Path:
    """Write the scene as ``.png`` (at ``scale`` pixels per unit) or ``.svg``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise ImageExportError(
            f"{path}: "
            + QCoreApplication.translate("ImageExport", "choose a .png or .svg file name")
        )
    source = _source_rect(scene)
    if suffix == ".svg":
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(QSize(int(source.width()), int(source.height())))
        gen.setViewBox(QRectF(0, 0, source.width(), source.height()))
        gen.setTitle(QCoreApplication.translate("ImageExport", "NetBuilder diagram"))
        painter = QPainter()
        if not painter.begin(gen):
            raise ImageExportError(
                f"{path}: " + QCoreApplication.translate("ImageExport", "cannot write here")
            )
        _paint(scene, painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
        if not path.exists():
            raise ImageExportError(
                f"{path}: " + QCoreApplication.translate("ImageExport", "cannot write here")
            )
        return path
    size = QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)))
    if size.width() * size.height() > 400_000_000:
        raise ImageExportError(
            f"{path}: "
            + QCoreApplication.translate(
                "ImageExport", "the picture would be too large; use --scale 1 or SVG"
            )
        )
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.theme.background)
    painter = QPainter(image)
    _paint(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    if not image.save(str(path)):
        raise ImageExportError(
            f"{path}: "
            + QCoreApplication.translate("ImageExport", "cannot write the PNG file here")
        )
    return path


def render_diagram(diagram: Diagram, path: str | Path, scale: float = 2.0) -> Path:
    """Draw a diagram (checked, so wires carry their shapes) into an image file."""
    scene = DiagramScene(diagram)
    try:
        scene.apply_analysis(check(diagram))
        return save_scene_image(scene, path, scale)
    finally:
        scene.detach()
        scene.clear()
        scene.deleteLater()
