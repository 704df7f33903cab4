"""A run's events on disk (``model.pt.run/events.jsonl``), and a reader that follows them live.

Every ``netbuilder train`` (rank 0 of a distributed one) writes what its trainer reports as
JSON lines in a run folder beside the checkpoint, so any run — local, in a terminal, or on a
cluster whose disk is mounted here — can be watched while it runs, and read afterwards.

Writing: lines are buffered and written with one ``write`` + ``flush`` per GUI-sized batch
(at most ``FLUSHES_PER_S`` a second, the GUI's own redraw rate; at once for anything that is
not a step), so a fast run does not make one system call per step. The file starts afresh
for each run (truncated when the run starts). With the optional ``tensorboard`` package the
same numbers also go to TensorBoard event files in the same folder.

A run into a checkpoint that already exists may end without saving (stopped or failed before
its first epoch): the older checkpoint is then kept, and so must be its events. While such a
run goes, the older events wait in ``events.kept.jsonl`` (watchers of ``events.jsonl`` see the
live run); if the run saves nothing they go back to ``events.jsonl`` and the unsaved run's
events are set aside as ``events.unsaved.jsonl``; if it saves, they are dropped.

Reading: ``EventFollower.poll()`` returns the records completed since the last poll. A line
without its newline yet (the writer is mid-write, or died mid-write) is kept back, not
parsed; a complete line that is not valid JSON is counted in ``skipped``, never raised. A
file that shrank or was replaced (a new run into the same folder) is read from the start.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from netbuilder.train.events import (
    EpochEvent,
    FailedEvent,
    StatusEvent,
    StepEvent,
    TrainEvent,
)

RUN_FOLDER_SUFFIX = ".run"
EVENTS_FILE = "events.jsonl"
#: The events of the checkpoint already there, while a new run into it has not saved yet.
KEPT_EVENTS_FILE = "events.kept.jsonl"
#: The events of the last run that ended without saving into an existing checkpoint.
UNSAVED_EVENTS_FILE = "events.unsaved.jsonl"
FLUSHES_PER_S = 30
FORMAT = "netbuilder-run-events"
FORMAT_VERSION = 1


def run_folder(checkpoint: str | os.PathLike[str]) -> Path:
    """Where the events of the run that writes ``checkpoint`` go: ``model.pt.run/``."""
    path = Path(checkpoint)
    return path.with_name(path.name + RUN_FOLDER_SUFFIX)


@dataclass(frozen=True, slots=True)
class RunStarted:
    """The first line: what is being trained, where the checkpoint will be, how many ranks."""

    diagram: str
    checkpoint: str
    world_size: int = 1
    config: dict[str, Any] = field(default_factory=dict)
    started: float = 0.0  # Unix time


@dataclass(frozen=True, slots=True)
class RunEnded:
    """The last line: how the run ended and whether (and where) a checkpoint was written."""

    status: str  # "completed" | "stopped" | "early_stopped" | "failed"
    checkpoint: str | None = None  # None: nothing was saved
    best_epoch: int | None = None
    error: str | None = None


RunRecord = TrainEvent | RunStarted | RunEnded
_KINDS: dict[str, type] = {
    "start": RunStarted,
    "step": StepEvent,
    "epoch": EpochEvent,
    "status": StatusEvent,
    "failed": FailedEvent,
    "end": RunEnded,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}


def encode(record: RunRecord) -> str | None:
    """One JSON line for a record; None for records that are not written (FinishedEvent)."""
    name = _NAMES.get(type(record))
    if name is None:
        return None
    fields = asdict(record)  # type: ignore[call-overload]
    return json.dumps({"event": name, **fields}, allow_nan=True, separators=(",", ":")) + "\n"


def decode(line: str) -> RunRecord | None:
    """The record of one line, or None when it is not one (unknown kind, wrong fields)."""
    try:
        raw = json.loads(line)
        kind = _KINDS[raw.pop("event")]
        return kind(**raw)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class RunLog:
    """Writes one run's records to ``folder/events.jsonl`` (and TensorBoard, when installed)."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        start: RunStarted,
        tensorboard: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / EVENTS_FILE
        self._kept = self.folder / KEPT_EVENTS_FILE
        self._set_kept_events_aside(Path(start.checkpoint))
        self._file: IO[str] | None = open(self.path, "w", encoding="utf-8")  # noqa: SIM115
        self._pending: list[str] = []
        self._last_flush = 0.0
        self._tb = _tensorboard_writer(self.folder) if tensorboard else None
        self.write(start, flush=True)

    def __call__(self, event: TrainEvent) -> None:
        """The trainer's ``on_event``: buffer steps, write the rest at once."""
        self.write(event, flush=not isinstance(event, StepEvent))
        if self._tb is not None:
            _to_tensorboard(self._tb, event)

    def write(self, record: RunRecord, flush: bool = False) -> None:
        line = encode(record)
        if line is None or self._file is None:
            return
        self._pending.append(line)
        now = time.monotonic()
        if flush or now - self._last_flush >= 1.0 / FLUSHES_PER_S:
            self._file.write("".join(self._pending))
            self._file.flush()
            self._pending.clear()
            self._last_flush = now

    def finish(self, end: RunEnded) -> None:
        """Write the last line and close the files; an unsaved run gives the folder back
        to the checkpoint that is kept."""
        self.write(end, flush=True)
        self.close()
        if not self._kept.exists():
            return
        if end.checkpoint is None:
            os.replace(self.path, self.folder / UNSAVED_EVENTS_FILE)
            os.replace(self._kept, self.path)
        else:  # this run's checkpoint replaced the older one: its events go with it
            self._kept.unlink()

    def _set_kept_events_aside(self, checkpoint: Path) -> None:
        """Move the existing checkpoint's events out of the live run's way (see the module)."""
        if not checkpoint.exists():
            self._kept.unlink(missing_ok=True)  # no checkpoint left to keep events for
        elif self._kept.exists():
            pass  # an earlier run died before it saved: those are still the checkpoint's
        elif self.path.exists():
            os.replace(self.path, self._kept)

    def close(self) -> None:
        if self._file is not None:
            if self._pending:
                self._file.write("".join(self._pending))
                self._pending.clear()
            self._file.close()
            self._file = None
        if self._tb is not None:
            self._tb.close()
            self._tb = None


def _tensorboard_writer(folder: Path) -> Any:
    """A TensorBoard ``SummaryWriter`` in the run folder, or None without ``tensorboard``."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # the optional extra is not installed: the JSON lines suffice
        return None
    return SummaryWriter(log_dir=str(folder))


def _to_tensorboard(writer: Any, event: TrainEvent) -> None:
    if isinstance(event, StepEvent):
        writer.add_scalar("step/loss", event.loss, event.global_step)
        if event.accuracy is not None:
            writer.add_scalar("step/accuracy", event.accuracy, event.global_step)
        writer.add_scalar("step/lr", event.lr, event.global_step)
    elif isinstance(event, EpochEvent):
        for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"):
            value = getattr(event, name)
            if value is not None:
                writer.add_scalar(f"epoch/{name}", value, event.epoch)
        writer.flush()


class EventFollower:
    """Reads ``events.jsonl`` as it grows; ``poll()`` never raises for what the file holds."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        path = Path(path)
        # a run folder (perhaps not created yet: the run has not started) or the file itself
        self.path = path if path.suffix == ".jsonl" else path / EVENTS_FILE
        self.skipped = 0  # complete lines that were not records (corrupt, unknown)
        self.restarts = 0  # times the file started over (a new run into the same folder)
        self._offset = 0
        self._partial = b""
        self._identity: tuple[int, int] | None = None
        self.ended: RunEnded | None = None

    def poll(self, max_bytes: int | None = None) -> list[RunRecord]:
        """The records completed since the last call (empty while the file does not exist).

        ``max_bytes`` caps what one call reads, so a GUI opening a long finished run reads
        it over several timer ticks instead of freezing for one long parse.
        """
        try:
            with open(self.path, "rb") as f:
                st = os.fstat(f.fileno())
                identity = (st.st_dev, st.st_ino)
                if identity != self._identity or st.st_size < self._offset:
                    if self._identity is not None:
                        self.restarts += 1
                    self._identity, self._offset, self._partial = identity, 0, b""
                    self.ended = None
                f.seek(self._offset)
                chunk = f.read(-1 if max_bytes is None else max_bytes)
        except OSError:  # not there yet, or gone for a moment: try again next poll
            return []
        self._offset += len(chunk)
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()  # no newline yet: torn or still being written
        records: list[RunRecord] = []
        for raw in lines:
            if not raw.strip():
                continue
            record = decode(raw.decode("utf-8", "replace"))
            if record is None:
                self.skipped += 1
                continue
            if isinstance(record, RunEnded):
                self.ended = record
            records.append(record)
        return records

    @property
    def caught_up(self) -> bool:
        """Whether the last poll reached the end of the file as it was then."""
        try:
            return os.path.getsize(self.path) <= self._offset
        except OSError:
            return True

    def read_all(self) -> list[RunRecord]:
        """Every record in the file now (a finished run, or a snapshot of a running one)."""
        return self.poll()
