""" "Try it": a trained model's predictions on the user's own images, table rows or texts.

A self-contained panel: give it a model and the input pipeline it was trained with
(``set_model``), then drop image files on it (or choose them), or type a table row or a
token text. Inputs go through ``InputPipeline.preprocess`` (the same code as training,
``netbuilder predict`` and the Python export), the model runs in eval mode without
gradients, and the result shows as a bar chart of class probabilities (or the predicted
values for regression). Inputs that do not fit show their one-line reason; nothing raises.

Predictions of one sample take milliseconds, so they run on the GUI thread; dropping many
files predicts them in one batch per 32 files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from torch import nn

from netbuilder.train.pipeline import InputPipeline
from netbuilder.train.preprocess import InputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
TOP_K = 5
BATCH = 32


@dataclass
class Prediction:
    """One input's result: ``top`` (class, probability) best first, or ``values``."""

    source: str
    top: list[tuple[str, float]] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    image: torch.Tensor | None = None  # the decoded image (C×H×W, 0..1) the model saw

    def headline(self) -> str:
        if self.top:
            name, p = self.top[0]
            return f"{name} ({p:.1%})"
        return ", ".join(f"{v:.4g}" for v in self.values)


class ProbabilityBars(QWidget):
    """Horizontal bars, one per class, best first, labelled with name and percentage."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setObjectName("tryItBars")

    def set_rows(self, rows: list[tuple[str, float]]) -> None:
        self._rows = list(rows)
        self.setFixedHeight(max(1, len(self._rows)) * self.ROW + 4)
        self.setAccessibleDescription(
            "; ".join(f"{name}: {p:.1%}" for name, p in self._rows) or self.tr("no prediction")
        )
        self.update()

    def rows(self) -> list[tuple[str, float]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(260, max(1, len(self._rows)) * self.ROW + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        bar = palette.color(QPalette.ColorRole.Highlight)
        track = QColor(text)
        track.setAlpha(28)
        metrics = painter.fontMetrics()
        widest = max((metrics.horizontalAdvance(n) for n, _ in self._rows), default=0)
        label_w = min(self.width() // 3, widest + 4)
        pct_w = metrics.horizontalAdvance("100.0%")
        left = label_w + 8
        width = max(10, self.width() - left - pct_w - 10)
        for i, (name, p) in enumerate(self._rows):
            y = 2 + i * self.ROW
            painter.setPen(text)
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, label_w)
            painter.drawText(QRectF(0, y, label_w, self.ROW), Qt.AlignmentFlag.AlignVCenter, shown)
            box = QRectF(left, y + 4, width, self.ROW - 8)
            painter.fillRect(box, track)
            painter.fillRect(QRectF(box.x(), box.y(), box.width() * p, box.height()), bar)
            painter.drawText(
                QRectF(left + width + 6, y, pct_w + 4, self.ROW),
                Qt.AlignmentFlag.AlignVCenter,
                f"{p:.1%}",
            )
        painter.end()


class TryItPanel(QWidget):
    """See the module docstring. ``predicted`` fires with the list of ``Prediction``s."""

    predicted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tryItPanel")
        self.setAcceptDrops(True)
        self._model: nn.Module | None = None
        self._pipeline: InputPipeline | None = None
        self._classes: list[str] = []
        self._results: list[Prediction] = []

        self.hint = QLabel(wordWrap=True)
        self.hint.setObjectName("tryItHint")
        self.choose_action = QAction(self.tr("Choose Images…"), self)
        self.choose_action.setToolTip(self.tr("Predict the classes of image files"))
        self.choose_action.triggered.connect(self._choose_files)
        self.choose_button = QToolButton()
        self.choose_button.setDefaultAction(self.choose_action)
        self.entry = QLineEdit()
        self.entry.setObjectName("tryItEntry")
        self.predict_action = QAction(self.tr("Predict"), self)
        self.predict_action.setToolTip(self.tr("Predict for the typed row or text (Enter)"))
        self.predict_action.triggered.connect(self._predict_typed)
        self.entry.returnPressed.connect(self.predict_action.trigger)
        self.predict_button = QToolButton()
        self.predict_button.setDefaultAction(self.predict_action)
        self._spacer = QWidget()  # keeps the Choose button at the left when there is no entry
        self._spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(self.predict_button)
        row.addWidget(self.choose_button)
        row.addWidget(self._spacer, 1)

        self.error = QLabel(wordWrap=True)
        self.error.setObjectName("tryItError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.hide()
        self.preview = QLabel()
        self.preview.setObjectName("tryItPreview")
        self.preview.setFixedSize(96, 96)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.hide()
        self.headline = QLabel()
        self.headline.setObjectName("tryItHeadline")
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.headline.setFont(font)
        self.bars = ProbabilityBars()
        result_text = QVBoxLayout()
        result_text.addWidget(self.headline)
        result_text.addWidget(self.bars)
        result_text.addStretch(1)
        result = QHBoxLayout()
        result.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        result.addLayout(result_text, 1)
        self.list = QListWidget()
        self.list.setObjectName("tryItList")
        self.list.currentRowChanged.connect(self._show)
        self.list.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addLayout(result)
        layout.addWidget(self.list, 1)
        layout.addStretch(0)
        self.set_model(None, None)

    # ------------------------------------------------------------------ public API

    def set_model(
        self,
        model: nn.Module | None,
        pipeline: InputPipeline | None,
        classes: list[str] | None = None,
    ) -> None:
        """Show predictions of ``model`` (trained weights loaded) for inputs prepared by
        ``pipeline``; ``classes`` default to the pipeline's. None clears the panel."""
        self._model, self._pipeline = model, pipeline
        self._classes = list(
            classes if classes is not None else (pipeline.classes if pipeline else [])
        )
        self._clear_results()
        kind = pipeline.kind if pipeline is not None and model is not None else None
        images = kind == "image"
        typed = kind in ("table", "tokens")
        self.choose_action.setEnabled(images)
        self.choose_button.setVisible(images or kind is None)
        self.entry.setVisible(typed)
        self._spacer.setVisible(not typed)
        self.predict_action.setEnabled(typed)
        self.predict_button.setVisible(typed)
        self.entry.clear()
        self.hint.setText(self._hint_text(kind, pipeline))
        if kind == "table" and pipeline is not None:
            self.entry.setPlaceholderText(", ".join(pipeline.columns or []))
        elif kind == "tokens":
            self.entry.setPlaceholderText(self.tr("token ids separated by spaces, e.g. 3 17 5"))

    def model(self) -> nn.Module | None:
        return self._model

    def results(self) -> list[Prediction]:
        return list(self._results)

    def error_text(self) -> str:
        return self.error.text() if not self.error.isHidden() else ""

    def predict_files(self, paths: list[str | Path]) -> list[Prediction]:
        """Predict image files (folders are searched for images); shows and returns them."""
        pipeline = self._pipeline
        if self._model is None or pipeline is None or pipeline.kind != "image":
            return self._fail(self.tr("this model does not take images"))
        files: list[Path] = []
        for p in map(Path, paths):
            if p.is_dir():
                files += sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES)
            else:
                files.append(p)
        if not files:
            return self._fail(self.tr("no image files to predict"))
        out: list[Prediction] = []
        try:
            raw_pipeline = self._raw_images()
            for start in range(0, len(files), BATCH):
                chunk = files[start : start + BATCH]
                raw = raw_pipeline.preprocess([str(f) for f in chunk])
                out += self._run(pipeline.preprocess(raw), [f.name for f in chunk], raw)
        except InputError as exc:
            return self._fail(str(exc))
        return self._finish(out)

    def predict_text(self, text: str) -> list[Prediction]:
        """Predict a typed table row (values in column order, or ``name=value`` pairs
        separated by commas) or a token text."""
        pipeline = self._pipeline
        if self._model is None or pipeline is None or pipeline.kind not in ("table", "tokens"):
            return self._fail(self.tr("this model does not take typed rows or texts"))
        try:
            inputs = _parse_row(text, pipeline) if pipeline.kind == "table" else text
            x = pipeline.preprocess(inputs)
            return self._finish(self._run(x, [text.strip()], None))
        except InputError as exc:
            return self._fail(str(exc))

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _hint_text(kind: str | None, pipeline: InputPipeline | None) -> str:
        if kind is None:
            return QCoreApplication.translate(
                "TryItPanel", "Train a model (or open a .pt) to try it on your own inputs."
            )
        if kind == "image":
            return QCoreApplication.translate(
                "TryItPanel",
                "Drop image files or folders here, or choose them: each is resized and "
                "cropped as in training.",
            )
        if kind == "table":
            columns = ", ".join(pipeline.columns or []) if pipeline is not None else ""
            return QCoreApplication.translate(
                "TryItPanel",
                "Type one row: values of {columns} in this order, separated by commas, "
                "or name=value pairs.",
            ).format(columns=columns)
        if kind == "tokens":
            return QCoreApplication.translate(
                "TryItPanel",
                "Type a text of token ids separated by spaces (shorter texts are padded).",
            )
        return QCoreApplication.translate(
            "TryItPanel",
            "Try it takes images, table rows or token texts; this model's input is a {kind}",
        ).format(kind=kind)

    def _raw_images(self) -> InputPipeline:
        """The pipeline without normalisation: decoded 0..1 pixels for the preview."""
        assert self._pipeline is not None
        return InputPipeline.from_dict({**self._pipeline.to_dict(), "mean": None, "std": None})

    def _run(
        self, x: torch.Tensor, names: list[str], images: torch.Tensor | None
    ) -> list[Prediction]:
        model = self._model
        assert model is not None and self._pipeline is not None
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                out = model(x.to(device))
        finally:
            model.train(was_training)
        out = (out[0] if isinstance(out, tuple | list) else out).detach().float().cpu()
        classify = self._pipeline.task == "classification" and bool(self._classes)
        results = []
        for i, name in enumerate(names):
            image = images[i] if images is not None else None
            if classify and out.shape[1] == len(self._classes):
                probs = torch.softmax(out[i], dim=0)
                values, idx = probs.topk(min(TOP_K, len(self._classes)))
                top = [(self._classes[j], float(v)) for v, j in zip(values, idx, strict=True)]
                results.append(Prediction(name, top=top, image=image))
            else:
                results.append(Prediction(name, values=out[i].flatten().tolist(), image=image))
        return results

    def _finish(self, results: list[Prediction]) -> list[Prediction]:
        self.error.hide()
        self._results = results
        self.list.blockSignals(True)
        self.list.clear()
        for r in results:
            self.list.addItem(QListWidgetItem(f"{r.source}: {r.headline()}"))
        self.list.blockSignals(False)
        self.list.setVisible(len(results) > 1)
        self.list.setCurrentRow(0)
        self._show(0)
        self.predicted.emit(results)
        return results

    def _fail(self, message: str) -> list[Prediction]:
        self._clear_results()
        self.error.setText(message)
        self.error.show()
        return []

    def _clear_results(self) -> None:
        self._results = []
        self.list.clear()
        self.list.hide()
        self.headline.clear()
        self.bars.set_rows([])
        self.preview.hide()
        self.error.hide()

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._results):
            return
        r = self._results[row]
        self.headline.setText(r.headline())
        self.bars.set_rows(r.top)
        self.bars.setVisible(bool(r.top))
        if r.image is not None:
            self.preview.setPixmap(
                _pixmap(r.image).scaled(
                    self.preview.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.FastTransformation,
                )
            )
            self.preview.show()
        else:
            self.preview.hide()

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Choose Images"),
            "",
            self.tr("Images ({patterns})").format(
                patterns=" ".join(f"*{s}" for s in IMAGE_SUFFIXES)
            ),
        )
        if files:
            self.predict_files(files)

    def _predict_typed(self) -> None:
        self.predict_text(self.entry.text())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        images = self._pipeline is not None and self._pipeline.kind == "image"
        if images and self._model is not None and any(u.isLocalFile() for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.predict_files(paths)


def _parse_row(text: str, pipeline: InputPipeline) -> Any:
    """``1.5, 2, 3`` (column order) or ``height=170, weight=70`` → one preprocess row."""
    cells = [c.strip() for c in text.split(",")]
    if any("=" in c for c in cells):
        pairs = [c.partition("=") for c in cells if c]
        bad = [c for c, sep, _ in pairs if not sep]
        if bad:
            raise InputError(
                QCoreApplication.translate("TryItPanel", "{cell} is not a name=value pair").format(
                    cell=repr(bad[0])
                )
            )
        return {name.strip(): value.strip() for name, _, value in pairs}
    if not text.strip():
        raise InputError(QCoreApplication.translate("TryItPanel", "type a row of values first"))
    return [cells]


def _pixmap(image: torch.Tensor) -> QPixmap:
    """A C×H×W 0..1 tensor as a pixmap (grey or RGB)."""
    arr = (image.clamp(0, 1) * 255).round().to(torch.uint8)
    c, h, w = arr.shape
    if c == 1:
        data = arr[0].contiguous().numpy().tobytes()
        qimage = QImage(data, w, h, w, QImage.Format.Format_Grayscale8)
    else:
        data = arr.permute(1, 2, 0).contiguous().numpy().tobytes()
        qimage = QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimage.copy())
