"""Dataset picker with a preview of a few samples and their labels.

Choosing a source writes ``dataset`` and ``dataset_options`` into ``diagram.training`` (one
undoable command); so do the table's column choosers and the options form below them
(``DatasetOptionsForm``: the declared dataset options that apply to the chosen kind of
source). The preview loads the data in the background (``dataset_loading``) and hands the
result back on the GUI thread, so generating or decoding data never blocks the window; only
the painting of the thumbnails (``dataset_thumbnails``) happens on the GUI thread.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent, QUndoStack
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
from netbuilder.gui.docks.dataset_loading import _PreviewLoader, csv_columns, data_key
from netbuilder.gui.docks.dataset_options import DatasetOptionsForm
from netbuilder.gui.docks.dataset_thumbnails import sample_widget
from netbuilder.gui.docks.training_settings import save_training
from netbuilder.gui.i18n import data_text
from netbuilder.gui.session import Session
from netbuilder.gui.widgets.scroll_safe import ComboBox
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

_owners = itertools.count(1)


class DatasetPicker(QWidget):
    """Built-in sets, an image folder or a CSV table (with feature/target columns)."""

    #: Emitted after the preview (re)loaded: (DataBundle or None, error text).
    preview_ready = Signal(object, str)

    def __init__(
        self, session: Session, undo_stack: QUndoStack | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session  # the settings, parsed once (``Session.training_settings``)
        self.diagram = session.diagram
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
        config, _problems = self.session.training_settings()
        dataset = config.dataset
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
            self._fill_columns(config)
            self.options.load(source_kind(dataset), config.dataset_options)
        finally:
            self._loading = False
        self.reload_preview()

    def _fill_columns(self, config: TrainConfig) -> None:
        dataset = config.dataset
        is_csv = dataset.lower().endswith((".csv", ".tsv", ".txt"))
        self._form.setRowVisible(self.target, is_csv)
        self._form.setRowVisible(self.features, is_csv)
        self.target.clear()
        self.features.clear()
        if not is_csv:
            return
        columns = csv_columns(dataset)
        options = config.dataset_options
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
        key = f"dataset_option_{name}"
        problem = save_training(self.diagram, training, self.undo_stack, key, checked=True)
        if problem:  # the editors' ranges come from the same declaration
            self.preview_status.setText(f"⚠ {problem}")
            return
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
            config = self.session.training_config()
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
