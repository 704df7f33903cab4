"""What the dataset picker loads, and where: the data key, CSV headers, the preview loader.

``data_key`` says what a loaded ``DataBundle`` depends on (so Start can reuse the previewed
data); ``csv_columns`` reads a table's header; ``_PreviewLoader`` loads preview data through
``BackgroundJobs`` (the app's one background-work mechanism) and hands it back on the GUI
thread.
"""

from __future__ import annotations

import contextlib
import csv
import json
from typing import Any

from PySide6.QtCore import QObject, Signal

from netbuilder.core.diagram import Diagram
from netbuilder.gui.worker import BackgroundJobs, JobResult
from netbuilder.train.config import TrainConfig


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
