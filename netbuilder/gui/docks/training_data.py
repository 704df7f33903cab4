"""Dataset picker with a preview of a few samples and their labels.

Choosing a source writes ``dataset`` and ``dataset_options`` into ``diagram.training`` (one
undoable command); so do the table's column choosers and the options form below them
(``DatasetOptionsForm``: the declared dataset options that apply to the chosen kind of
source). The preview loads the data on a plain Python thread and hands the result back
through a queued Qt signal, so generating or decoding data never blocks the window; only
the painting of the thumbnails happens on the GUI thread.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import itertools
import json
from typing import Any

import torch
from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.diagram import Diagram
from netbuilder.gui.docks.dataset_options import DatasetOptionsForm
from netbuilder.gui.docks.training_settings import save_training
from netbuilder.gui.i18n import data_text
from netbuilder.gui.widgets.scroll_safe import ComboBox
from netbuilder.gui.worker import BackgroundJobs, JobResult
from netbuilder.train.config import (
    BUILTIN_DATASETS,
    DATASET_OPTION_FIELDS,
    ConfigError,
    TrainConfig,
    source_kind,
)

FOLDER_ITEM = QT_TRANSLATE_NOOP("DatasetPicker", "Image folder…")
CSV_ITEM = QT_TRANSLATE_NOOP("DatasetPicker", "CSV file…")
PREVIEW_COUNT = 8
_OPTION_DEFAULTS = {p.name: p.default for p in DATASET_OPTION_FIELDS}
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


def data_key(config: TrainConfig, diagram: Diagram) -> str:
    """What a loaded DataBundle depends on: the source, its options, the seed, the input block."""
    from netbuilder.train.data import DataError, input_spec

    try:
        node_id, spec = input_spec(diagram)
    except DataError as exc:
        return f"invalid: {exc}"
    settings = {k: config.to_dict()[k] for k in ("dataset", "dataset_options", "seed")}
    return json.dumps(settings, sort_keys=True) + f"|{node_id}|{spec!r}"


def csv_columns(path: str) -> list[str]:
    """Header names of a .csv/.tsv file (delimiter sniffed); [] if unreadable."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            head = fh.read(4096)
    except OSError:
        return []
    delimiter = "\t" if path.lower().endswith(".tsv") else ","
    with contextlib.suppress(csv.Error):
        delimiter = csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    rows = list(csv.reader(head.splitlines()[:1], delimiter=delimiter))
    return [c.strip() for c in rows[0]] if rows else []


class _PreviewLoader(QObject):
    """Loads preview data through ``BackgroundJobs``; ``loaded`` is delivered on the GUI thread.

    One loader serves every picker and lives as long as the application (``shared()``): a
    load may finish after its picker (or the whole window) was closed and deleted. Each
    picker connects to the shared loader (Qt drops the connection when the picker is
    deleted) and recognises its own answers by its ``owner`` token and the request id, so a
    stale answer or another picker's answer is dropped. The payload is one tuple
    ``(owner, request id, DataBundle | None, error text)``.
    """

    loaded = Signal(object)
    _instance: _PreviewLoader | None = None

    def __init__(self) -> None:
        super().__init__()
        self._asked: dict[int, tuple[int, int]] = {}  # job -> (owner, request id)
        BackgroundJobs.shared().finished.connect(self._on_finished)

    @classmethod
    def shared(cls) -> _PreviewLoader:
        """The application-wide loader (created on the GUI thread on first use)."""
        if cls._instance is None:
            cls._instance = cls()  # no parent: never deleted with a widget
        return cls._instance

    def request(self, owner: int, request_id: int, config: TrainConfig, diagram: Diagram) -> None:
        from netbuilder.train.sources import load_data

        job = BackgroundJobs.shared().submit(lambda: load_data(config, diagram), "preview")
        self._asked[job] = (owner, request_id)

    def _on_finished(self, result: JobResult[Any]) -> None:
        asker = self._asked.pop(result.job, None)
        if asker is not None:
            self.loaded.emit((*asker, result.value, result.error))


_owners = itertools.count(1)


class DatasetPicker(QWidget):
    """Built-in sets, an image folder or a CSV table (with feature/target columns)."""

    #: Emitted after the preview (re)loaded: (DataBundle or None, error text).
    preview_ready = Signal(object, str)

    def __init__(
        self, diagram: Diagram, undo_stack: QUndoStack | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.diagram = diagram
        self.undo_stack = undo_stack
        self.bundle: Any = None
        self.bundle_key = ""
        self._pending_key = ""
        self._preview_stale = True
        self._request = 0
        self._loading = False
        self._owner = next(_owners)  # tells this picker's previews from other pickers'
        self._loader = _PreviewLoader.shared()
        self._loader.loaded.connect(self._on_loaded)

        self.source = ComboBox()
        self.source.setObjectName("dataset_source")
        for name in BUILTIN_DATASETS:
            self.source.addItem(f"builtin:{name}")
        self.source.addItem(self.tr(FOLDER_ITEM))
        self.source.addItem(self.tr(CSV_ITEM))
        self.source.activated.connect(self._on_source_chosen)
        self.path_label = QLabel("")
        self.path_label.setWordWrap(True)
        self.target = ComboBox()
        self.target.setObjectName("csv_target")
        self.target.activated.connect(lambda _i: self._save_columns())
        self.features = QListWidget()
        self.features.setObjectName("csv_features")
        self.features.setMaximumHeight(90)
        self.features.itemChanged.connect(lambda _item: self._save_columns())
        self.refresh_button = QPushButton(self.tr("Refresh preview"))
        self.refresh_button.clicked.connect(self.reload_preview)
        self.preview_status = QLabel("")
        self.preview_status.setWordWrap(True)
        self.preview_grid = QGridLayout()
        self.preview_grid.setSpacing(2)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Dataset"), self.source)
        form.addRow("", self.path_label)
        self._target_row = (self.tr("Target column"), self.target)
        form.addRow(*self._target_row)
        form.addRow(self.tr("Feature columns"), self.features)
        self.options = DatasetOptionsForm(form, self)
        self.options.edited.connect(self._save_option)
        self._form = form
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.refresh_button)
        layout.addLayout(self.preview_grid)
        layout.addWidget(self.preview_status)
        self.load()

    # ------------------------------------------------------------------ model → widgets
    def load(self) -> None:
        """Show the diagram's dataset choice (called on open/undo) and refresh the preview."""
        dataset = str(self.diagram.training.get("dataset", "builtin:shapes"))
        self._loading = True
        try:
            if dataset.startswith("builtin:"):
                self.source.setCurrentText(dataset)
                self.path_label.setText("")
            elif dataset.lower().endswith((".csv", ".tsv", ".txt")):
                self.source.setCurrentText(self.tr(CSV_ITEM))
                self.path_label.setText(dataset)
            else:
                self.source.setCurrentText(self.tr(FOLDER_ITEM))
                self.path_label.setText(dataset)
            # a built-in set has no path: no empty row between Dataset and its options
            self._form.setRowVisible(self.path_label, bool(self.path_label.text()))
            self._fill_columns(dataset)
            options = self.diagram.training.get("dataset_options") or {}
            self.options.load(source_kind(dataset), options if isinstance(options, dict) else {})
        finally:
            self._loading = False
        self.reload_preview()

    def _fill_columns(self, dataset: str) -> None:
        is_csv = dataset.lower().endswith((".csv", ".tsv", ".txt"))
        self._form.setRowVisible(self.target, is_csv)
        self._form.setRowVisible(self.features, is_csv)
        self.target.clear()
        self.features.clear()
        if not is_csv:
            return
        columns = csv_columns(dataset)
        options = self.diagram.training.get("dataset_options", {}) or {}
        target = options.get("target") or (columns[-1] if columns else "")
        chosen = options.get("features") or [c for c in columns if c != target]
        self.target.addItems(columns)
        self.target.setCurrentText(target)
        for name in columns:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = name in chosen and name != target
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.features.addItem(item)

    # ------------------------------------------------------------------ widgets → model
    def _on_source_chosen(self, _index: int) -> None:
        text = self.source.currentText()
        if text == self.tr(FOLDER_ITEM):
            path = QFileDialog.getExistingDirectory(
                self, self.tr("Image folder (one subfolder per class)")
            )
            if path:
                self.set_dataset(path)
            else:
                self.load()
        elif text == self.tr(CSV_ITEM):
            path, _filter = QFileDialog.getOpenFileName(
                self, self.tr("Table"), "", self.tr("Tables (*.csv *.tsv *.txt);;All files (*)")
            )
            if path:
                self.set_dataset(path)
            else:
                self.load()
        else:
            self.set_dataset(text)

    def set_dataset(self, dataset: str, options: dict[str, Any] | None = None) -> None:
        """Choose a source (also the entry point for tests and drag-and-drop)."""
        training = copy.deepcopy(self.diagram.training)
        old = training.get("dataset")
        training["dataset"] = dataset
        if options is not None:
            training["dataset_options"] = options
        elif old != dataset:  # columns of another table make no sense here
            opts = dict(training.get("dataset_options") or {})
            for key in ("features", "target"):
                opts.pop(key, None)
            training["dataset_options"] = opts
        save_training(self.diagram, training, self.undo_stack, key="dataset")
        self.load()

    def _save_columns(self) -> None:
        if self._loading:
            return
        target = self.target.currentText()
        features = [
            self.features.item(i).text()
            for i in range(self.features.count())
            if self.features.item(i).checkState() == Qt.CheckState.Checked
            and self.features.item(i).text() != target
        ]
        training = copy.deepcopy(self.diagram.training)
        opts = dict(training.get("dataset_options") or {})
        opts["target"] = target
        opts["features"] = features
        training["dataset_options"] = opts
        save_training(self.diagram, training, self.undo_stack, key="dataset_columns")
        self.reload_preview()

    def _save_option(self, name: str, value: Any) -> None:
        """One dataset option from the options form; a default value is left out of the file."""
        training = copy.deepcopy(self.diagram.training)
        opts = dict(training.get("dataset_options") or {})
        if value == _OPTION_DEFAULTS[name]:
            opts.pop(name, None)
        else:
            opts[name] = value
        training["dataset_options"] = opts
        try:
            TrainConfig.from_dict(training)
        except ConfigError as exc:  # the editors' ranges come from the same declaration
            self.preview_status.setText(f"⚠ {exc}")
            return
        save_training(self.diagram, training, self.undo_stack, key=f"dataset_option_{name}")
        self.reload_preview()

    # ------------------------------------------------------------------ preview
    def paintEvent(self, event: QPaintEvent) -> None:
        """First paint on screen after being hidden: load the preview that was put off."""
        super().paintEvent(event)
        if self._preview_stale:
            self._preview_stale = False
            QTimer.singleShot(0, self, self.reload_preview)

    def _on_screen(self) -> bool:
        # a dock tabbed behind another one counts as "visible" but has nothing on screen
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def reload_preview(self) -> None:
        """Load the data in the background; stale answers (older requests) are dropped.

        Only while the picker is visible: a hidden training panel (say, tabbed behind the
        problems list) should not generate datasets each time a file is opened.
        """
        if not self._on_screen():
            self._preview_stale = True
            self.update()  # if we are on screen after all, the paint event retries
            return
        self._preview_stale = False
        self._request += 1
        try:
            config = TrainConfig.from_dict(self.diagram.training)
        except ConfigError as exc:
            self._show_preview(None, str(exc))
            return
        frozen = self.diagram.copy()
        self._pending_key = data_key(config, frozen)
        if self.bundle is not None and self._pending_key == self.bundle_key:
            self._show_preview(self.bundle, "")  # same data: no need to load it again
            return
        self.preview_status.setText(self.tr("Loading {dataset} …").format(dataset=config.dataset))
        self._loader.request(self._owner, self._request, config, frozen)

    def _on_loaded(self, payload: tuple[int, int, Any, str]) -> None:
        owner, request_id, bundle, error = payload
        if owner != self._owner or request_id != self._request:
            return
        self._show_preview(bundle, error)

    def matching_bundle(self, config: TrainConfig, diagram: Diagram) -> Any:
        """The previewed data if it is exactly what a run with ``config`` would load, else None.

        Reusing it saves generating or decoding the data twice when Start follows a preview.
        """
        if self.bundle is not None and self.bundle_key == data_key(config, diagram):
            return self.bundle
        return None

    def _show_preview(self, bundle: Any, error: str) -> None:
        self.bundle = bundle
        self.bundle_key = self._pending_key if bundle is not None else ""
        while self.preview_grid.count():
            item = self.preview_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if bundle is None:
            self.preview_status.setText(f"⚠ {error}")
        else:
            samples = bundle.preview(PREVIEW_COUNT)
            for i, (x, label) in enumerate(samples):
                self.preview_grid.addWidget(sample_widget(x, label, bundle.kind), i // 4, i % 4)
            self.preview_status.setText(data_text(bundle))
        self.preview_ready.emit(bundle, error)
