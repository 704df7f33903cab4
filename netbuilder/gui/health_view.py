"""Gradient health of the runs started from the Training workspace, kept per run.

The GUI's trainer gets a ``StreamingHealth`` hook (``train.health.HealthMonitor`` that also
hands each sample and each issue to the run's event buffer), so health figures travel with
the loss points in the same ≤ 30 Hz batches (DESIGN rule 8) and cost the GUI nothing
extra. ``HealthView`` (one per Training workspace) files them under the run they came
from (``RunHealth`` per ``RunRecord``), names each issue's block in the training log, and
marks the block blamed for a NaN failure. State belongs to its document: another document
forgets every run's health; a run opened from a ``.pt`` shows the per-epoch means its
checkpoint keeps (``health/grad_norm/NODE`` metrics). The run list's selection chooses the
run shown (by the gradient-flow chart and the canvas).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from netbuilder.gui.i18n import run_name
from netbuilder.train.health import HealthIssue, HealthMonitor
from netbuilder.train.runs import RunRecord

#: Samples kept per block for the chart's history (the newest; older ones are dropped).
HISTORY = 400


@dataclass(frozen=True, slots=True)
class HealthSample:
    """One sampled step: (node id, gradient norm, update/weight ratio) per block."""

    step: int
    values: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True, slots=True)
class HealthProblem:
    """A health issue found during a run (sent like a trainer event)."""

    issue: HealthIssue


@dataclass(frozen=True, slots=True)
class HealthBlame:
    """The run failed on non-finite numbers: ``node_id``'s output went NaN/Inf first."""

    node_id: str
    step: int


class StreamingHealth(HealthMonitor):
    """``HealthMonitor`` that also emits every sample and issue (on the worker thread)."""

    def __init__(self, emit: Callable[[Any], None], **kwargs: Any) -> None:
        super().__init__(on_issue=lambda issue: emit(HealthProblem(issue)), **kwargs)
        self._emit = emit
        self._seen = 0

    def after_step(self) -> None:
        super().after_step()
        first = next(iter(self.blocks.values()), None)
        if first is None or len(first.steps) == self._seen:
            return
        self._seen = len(first.steps)
        values = tuple(
            (nid, b.grad_norm[-1], b.update_ratio[-1]) for nid, b in self.blocks.items() if b.steps
        )
        self._emit(HealthSample(first.steps[-1], values))

    def blame(self) -> str | None:
        node_id = super().blame()
        if node_id is not None:
            self._emit(HealthBlame(node_id, self.step))
        return node_id


def health_hooks(emit: Callable[[Any], None]) -> list[HealthMonitor]:
    """The hooks every GUI run gets: gradient health at its default interval."""
    return [StreamingHealth(emit)]


@dataclass
class RunHealth:
    """Gradient health of one run: per block, the sampled steps and figures, and issues."""

    name: str
    order: list[str] = field(default_factory=list)  # blocks, in the order they were seen
    steps: dict[str, list[float]] = field(default_factory=dict)
    grad_norm: dict[str, list[float]] = field(default_factory=dict)
    update_ratio: dict[str, list[float]] = field(default_factory=dict)
    issues: list[HealthIssue] = field(default_factory=list)
    #: the block whose output first went NaN/Inf when the run failed, and the step
    failed_node: str | None = None
    failed_step: int | None = None
    per_epoch: bool = False  # figures are per-epoch means (from a checkpoint), not samples
    last_step: int = 0

    def add(self, sample: HealthSample) -> None:
        self.last_step = sample.step
        for nid, g, r in sample.values:
            if nid not in self.steps:
                self.order.append(nid)
                self.steps[nid], self.grad_norm[nid], self.update_ratio[nid] = [], [], []
            for series, value in (
                (self.steps[nid], float(sample.step)),
                (self.grad_norm[nid], g),
                (self.update_ratio[nid], r),
            ):
                series.append(value)
                if len(series) > HISTORY:
                    del series[0]

    @property
    def empty(self) -> bool:
        return not self.order and not self.issues and self.failed_node is None

    def problems(self) -> dict[str, tuple[str, int]]:
        """Per block: its worst problem and the step where it began.

        Kinds, worst first: ``non-finite`` (its output went NaN/Inf first: the cause of a
        failed run), ``nan-gradient`` (its gradients are NaN/Inf, often only because a
        later block's output is), ``exploding``, ``vanishing``.
        """
        rank = {"non-finite": 0, "nan-gradient": 1, "exploding": 2, "vanishing": 3}
        out: dict[str, tuple[str, int]] = {}
        for issue in self.issues:
            kind = "nan-gradient" if issue.kind == "non-finite" else issue.kind
            known = out.get(issue.node_id)
            if known is None or rank[kind] < rank[known[0]]:
                out[issue.node_id] = (kind, issue.step)
        if self.failed_node is not None:
            out[self.failed_node] = ("non-finite", self.failed_step or 0)
        return out

    @classmethod
    def from_metrics(cls, name: str, metrics: dict[str, list[float]]) -> RunHealth:
        """Per-epoch means saved in a run's metrics (a finished run, an opened .pt)."""
        run = cls(name, per_epoch=True)
        prefix = "health/grad_norm/"
        for key, values in metrics.items():
            if not key.startswith(prefix):
                continue
            nid = key[len(prefix) :]
            ratios = metrics.get(f"health/update_ratio/{nid}", [])
            run.order.append(nid)
            run.steps[nid] = [float(i + 1) for i in range(len(values))]
            run.grad_norm[nid] = [float(v) for v in values]
            run.update_ratio[nid] = [float(v) for v in ratios] or [math.nan] * len(values)
        run.last_step = max((len(v) for v in run.steps.values()), default=0)
        return run


def issue_text(issue: HealthIssue) -> str:
    """One line naming the block, the problem and the step where it began (translated)."""
    if issue.kind == "vanishing":
        text = QCoreApplication.translate(
            "HealthView", "block '{block}': gradients vanished (norm {value}) from step {step}"
        )
    elif issue.kind == "exploding":
        text = QCoreApplication.translate(
            "HealthView", "block '{block}': gradients exploded (norm {value}) from step {step}"
        )
    else:
        text = QCoreApplication.translate(
            "HealthView", "block '{block}': gradients became NaN/Inf from step {step}"
        )
    return text.format(block=issue.node_id, value=f"{issue.value:.1e}", step=issue.step)


class HealthView(QObject):
    """The health of the workspace's runs; ``shown_changed`` when the run shown changes or
    its figures grow (at most once per drained batch)."""

    shown_changed = Signal()

    def __init__(self, workspace: Any) -> None:
        super().__init__(workspace)
        self.workspace = workspace
        self.session = workspace.session
        self._runs: dict[int, tuple[RunRecord, RunHealth]] = {}
        self.live: RunHealth | None = None
        self.shown: RunHealth | None = None
        self._selected: list[int] = []  # run numbers selected in the run list
        workspace.runner.hook_factory = health_hooks
        workspace.runner.running_changed.connect(self._on_running)
        workspace.runner.events.connect(self._on_events)
        workspace.run_list.selection_changed.connect(self._on_runs_selected)
        self.session.document_replaced.connect(self.forget)

    # ------------------------------------------------------------------ runs
    def of(self, record: RunRecord) -> RunHealth:
        """The health of ``record`` (live samples, else its saved per-epoch means)."""
        known = self._runs.get(id(record))
        if known is not None and known[0] is record:
            return known[1]
        run = RunHealth.from_metrics(run_name(record), record.metrics)
        self._runs[id(record)] = (record, run)
        return run

    def forget(self) -> None:
        """Another document: its runs have their own health (or none)."""
        self._runs.clear()
        self.live = None
        self._selected = []
        records = list(self.session.runs)
        self._show(self.of(records[-1]) if records else None)

    def _on_running(self, running: bool) -> None:
        record = getattr(self.workspace, "_record", None)
        if running and isinstance(record, RunRecord):
            self.live = RunHealth(run_name(record))
            self._runs[id(record)] = (record, self.live)
            self._show(self.live)
        elif not running:
            self.live = None

    def _on_runs_selected(self, records: list[RunRecord]) -> None:
        """The user chose other runs: show the newest of them. The list re-announces an
        unchanged selection whenever it is rebuilt (a run starts or ends); that keeps the
        run going on (or just finished) in view."""
        numbers = [r.number for r in records]
        if numbers == self._selected:
            return
        self._selected = numbers
        if records:
            newest = max(records, key=lambda r: r.number)
            self._show(self.of(newest))

    def _show(self, run: RunHealth | None) -> None:
        self.shown = run
        self.shown_changed.emit()

    # ------------------------------------------------------------------ events
    def _on_events(self, batch: list[Any]) -> None:
        run = self.live
        if run is None or getattr(self.workspace, "_replaced_during_run", False):
            return
        grew = False
        for event in batch:
            if isinstance(event, HealthSample):
                run.add(event)
                grew = True
            elif isinstance(event, HealthProblem):
                run.issues.append(event.issue)
                self.workspace.log.appendPlainText(
                    QCoreApplication.translate("HealthView", "health: ") + issue_text(event.issue)
                )
                grew = True
            elif isinstance(event, HealthBlame):
                run.failed_node, run.failed_step = event.node_id, event.step
                self.workspace.log.appendPlainText(
                    QCoreApplication.translate(
                        "HealthView",
                        "health: block '{block}' is the first whose output became NaN/Inf",
                    ).format(block=event.node_id)
                )
                grew = True
        if grew and self.shown is run:
            self.shown_changed.emit()
