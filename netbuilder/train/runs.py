"""Run history: what each training run of one diagram was, and how two runs differ.

A ``RunRecord`` is plain data (settings, per-epoch metrics, best epoch, status and a short
summary of the diagram that was trained), so it can live in the GUI's per-document history,
be written into a ``.pt`` checkpoint (``to_dict`` gives only str/int/float/list/dict, which
``torch.load(weights_only=True)`` reads back) and be compared with ``diff_runs``. Nothing
here imports Qt: the GUI shows these records, the CLI could print them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from netbuilder.core.diagram import Diagram
from netbuilder.core.shapes import check

#: Settings compared by ``diff_runs`` and shown in a run's tooltip (``training`` dict keys).
_SKIP_SETTINGS = {"dataset_options"}


@dataclass(frozen=True)
class BlockSummary:
    """One block of a trained diagram: its type and parameters (labels and positions aside)."""

    type: str
    params: dict[str, Any]


@dataclass(frozen=True)
class DiagramSummary:
    """The network a run trained, small enough to keep for every run."""

    blocks: dict[str, BlockSummary]
    param_count: int

    @classmethod
    def of(cls, diagram: Diagram) -> DiagramSummary:
        blocks = {n.id: BlockSummary(n.type, dict(n.params)) for n in diagram.nodes.values()}
        try:
            params = int(check(diagram).total_params)
        except Exception:  # a diagram that cannot be checked still has its blocks
            params = 0
        return cls(blocks, params)

    def describe(self) -> str:
        return f"{len(self.blocks)} blocks, {self.param_count:,} parameters"

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocks": {
                k: {"type": b.type, "params": dict(b.params)} for k, b in self.blocks.items()
            },
            "param_count": self.param_count,
        }

    @classmethod
    def from_dict(cls, data: Any) -> DiagramSummary:
        if not isinstance(data, dict):
            return cls({}, 0)
        blocks_raw = data.get("blocks", {})
        blocks = {
            str(k): BlockSummary(str(v.get("type", "?")), dict(v.get("params", {})))
            for k, v in (blocks_raw.items() if isinstance(blocks_raw, dict) else [])
            if isinstance(v, dict)
        }
        count = data.get("param_count", 0)
        return cls(blocks, int(count) if isinstance(count, int | float) else 0)


@dataclass
class RunRecord:
    """One training run of a diagram: its number in that diagram's history, and what it did.

    ``status`` is the trainer's ("completed", "stopped", "early_stopped", "failed") or
    "running" while it goes on. ``metrics`` are the per-epoch lists of ``TrainResult``.
    """

    number: int
    training: dict[str, Any]
    summary: DiagramSummary
    status: str = "running"
    metrics: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int | None = None
    device: str = ""
    elapsed_s: float = 0.0
    error: str = ""
    #: whether this run left trained weights (a model that can be exported or saved)
    has_model: bool = False

    @property
    def name(self) -> str:
        return f"run {self.number}"

    def describe(self) -> str:
        """One line for the run list: name, status, best epoch and its validation score."""
        parts = [self.name, self.status.replace("_", " ")]
        if self.best_epoch:
            parts.append(f"best epoch {self.best_epoch}")
            score = self.best_score()
            if score:
                parts.append(score)
        return " · ".join(parts)

    def best_score(self) -> str:
        """The validation accuracy (or loss) at the best epoch, as text; "" when unknown."""
        if not self.best_epoch:
            return ""
        i = self.best_epoch - 1
        for key, fmt in (("val_accuracy", "{:.1%} acc"), ("val_loss", "loss {:.4g}")):
            values = self.metrics.get(key, [])
            if i < len(values) and math.isfinite(values[i]):
                return fmt.format(values[i])
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "training": dict(self.training),
            "summary": self.summary.to_dict(),
            "status": self.status,
            "metrics": {k: [float(x) for x in v] for k, v in self.metrics.items()},
            "best_epoch": self.best_epoch,
            "device": self.device,
            "elapsed_s": float(self.elapsed_s),
            "error": self.error,
            "has_model": self.has_model,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RunRecord | None:
        """A record read back from a file; None for an entry too damaged to show."""
        if not isinstance(data, dict) or not isinstance(data.get("number"), int):
            return None
        metrics = data.get("metrics", {})
        training = data.get("training", {})
        best = data.get("best_epoch")
        return cls(
            number=data["number"],
            training=dict(training) if isinstance(training, dict) else {},
            summary=DiagramSummary.from_dict(data.get("summary")),
            status=str(data.get("status", "?")),
            metrics={
                str(k): [float(x) for x in v]
                for k, v in (metrics.items() if isinstance(metrics, dict) else [])
                if isinstance(v, list)
            },
            best_epoch=best if isinstance(best, int) else None,
            device=str(data.get("device", "")),
            elapsed_s=float(data.get("elapsed_s", 0.0) or 0.0),
            error=str(data.get("error", "")),
            has_model=bool(data.get("has_model", False)),
        )


class RunHistory:
    """The runs of one document, oldest first; numbers keep counting after a reopen."""

    def __init__(self, runs: list[RunRecord] | None = None) -> None:
        self.runs: list[RunRecord] = list(runs or [])

    def __len__(self) -> int:
        return len(self.runs)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.runs)

    def begin(self, diagram: Diagram, training: dict[str, Any]) -> RunRecord:
        """A new record for a run of ``diagram`` with these settings, numbered after the last."""
        number = max((r.number for r in self.runs), default=0) + 1
        record = RunRecord(number, dict(training), DiagramSummary.of(diagram))
        self.runs.append(record)
        return record

    def get(self, number: int) -> RunRecord | None:
        return next((r for r in self.runs if r.number == number), None)

    def to_list(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.runs if r.status != "running"]

    @classmethod
    def from_list(cls, data: Any) -> RunHistory:
        records = [RunRecord.from_dict(d) for d in data] if isinstance(data, list) else []
        return cls([r for r in records if r is not None])

    @classmethod
    def from_checkpoint(
        cls,
        runs: Any,
        training: dict[str, Any],
        metrics: dict[str, list[float]],
        diagram: Diagram,
    ) -> RunHistory:
        """The history saved in a ``.pt``; an older file without one gets a single record
        built from the checkpoint's own settings and metrics, so its curves still show."""
        history = cls.from_list(runs)
        if history.runs or not any(metrics.values()):
            return history
        record = history.begin(diagram, training)
        record.metrics = {k: list(v) for k, v in metrics.items()}
        record.status = "saved"
        record.has_model = True
        val = [v if math.isfinite(v) else math.inf for v in metrics.get("val_loss", [])]
        record.best_epoch = (val.index(min(val)) + 1) if val and min(val) < math.inf else None
        return history


# ------------------------------------------------------------------ comparing runs


@dataclass(frozen=True)
class RunDiff:
    """What changed from run ``a`` to run ``b``: settings, and blocks added/removed/changed."""

    a: str
    b: str
    settings: list[tuple[str, Any, Any]]
    added: list[str]
    removed: list[str]
    changed: list[tuple[str, list[str]]]  # block id, "param: old → new" lines

    @property
    def same(self) -> bool:
        return not (self.settings or self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """The diff in words, one change per line."""
        if self.same:
            return [f"{self.b} used the same settings and network as {self.a}."]
        out: list[str] = []
        for key, old, new in self.settings:
            out.append(f"setting {key}: {_show(old)} → {_show(new)}")
        out += [f"block added: {b}" for b in self.added]
        out += [f"block removed: {b}" for b in self.removed]
        for block, changes in self.changed:
            out += [f"block {block}: {c}" for c in changes]
        return out


def _show(value: Any) -> str:
    return "(unset)" if value is None else str(value)


def diff_runs(a: RunRecord, b: RunRecord) -> RunDiff:
    """Compare two runs of the same document (or of any two, from their summaries)."""
    keys = sorted((set(a.training) | set(b.training)) - _SKIP_SETTINGS)
    settings = [
        (k, a.training.get(k), b.training.get(k))
        for k in keys
        if a.training.get(k) != b.training.get(k)
    ]
    opts_a = a.training.get("dataset_options") or {}
    opts_b = b.training.get("dataset_options") or {}
    for k in sorted(set(opts_a) | set(opts_b)):
        if opts_a.get(k) != opts_b.get(k):
            settings.append((f"dataset option {k}", opts_a.get(k), opts_b.get(k)))
    blocks_a, blocks_b = a.summary.blocks, b.summary.blocks
    added = [f"{k} ({blocks_b[k].type})" for k in blocks_b if k not in blocks_a]
    removed = [f"{k} ({blocks_a[k].type})" for k in blocks_a if k not in blocks_b]
    changed: list[tuple[str, list[str]]] = []
    for k in blocks_a:
        if k not in blocks_b:
            continue
        old, new = blocks_a[k], blocks_b[k]
        lines: list[str] = []
        if old.type != new.type:
            lines.append(f"type {old.type} → {new.type}")
        for p in sorted(set(old.params) | set(new.params)):
            if old.params.get(p) != new.params.get(p):
                lines.append(f"{p}: {_show(old.params.get(p))} → {_show(new.params.get(p))}")
        if lines:
            changed.append((k, lines))
    return RunDiff(a.name, b.name, settings, added, removed, changed)


def debiased_ema(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing: an EMA divided by ``1 - weight**n`` so early points are
    not dragged towards zero. NaN/inf points stay gaps and do not poison the average."""
    out: list[float] = []
    state, n = 0.0, 0
    for v in values:
        if not math.isfinite(v):
            out.append(math.nan)
            continue
        state = weight * state + (1.0 - weight) * v
        n += 1
        out.append(state / (1.0 - weight**n) if weight < 1.0 else v)
    return out


__all__ = [
    "BlockSummary",
    "DiagramSummary",
    "RunDiff",
    "RunHistory",
    "RunRecord",
    "debiased_ema",
    "diff_runs",
]
