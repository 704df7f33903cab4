"""What each block costs, shown where the user looks: a read-only section of the inspector
and the network's totals in the status bar.

``CostView`` is one per session (a child of it): after each check, and after a change of
the training settings, it profiles a copy of the diagram on a worker thread
(``core.profile``: cached per block, so after one edit only that block is worked out
again) and predicts the training memory for the current settings (``train.memory``). Work
is coalesced by a short timer, so a burst of edits costs one profile. Everything here is
derived from the document and rebuilt from it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from netbuilder.core.diagram import Diagram
from netbuilder.core.profile import DASH, Profile, profile
from netbuilder.core.shapes import Analysis
from netbuilder.gui.i18n import memory_verdict
from netbuilder.gui.session import Session
from netbuilder.gui.worker import BackgroundJobs, JobResult
from netbuilder.train.config import ConfigError, TrainConfig
from netbuilder.train.memory import MemoryPrediction, format_bytes, predict_memory

DELAY_MS = 120


def si(value: float) -> str:
    for prefix, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}"
    return f"{value:.3g} "


def _profile_and_predict(
    data: dict[str, Any], analysis: Analysis, config: TrainConfig
) -> tuple[Profile, MemoryPrediction]:
    """The profile and the memory prediction of the diagram ``data`` holds (run on a worker
    thread, which also rebuilds the diagram from it: the window pays only for ``to_dict``)
    for the session's parsed settings (a bad value stands at its default; the form names it)."""
    diagram = Diagram.from_dict(data)
    prof = profile(diagram, analysis)
    try:
        memory = predict_memory(diagram, config, analysis=analysis, prof=prof)
    except ConfigError:  # the chosen device is not on this machine: say it for the CPU
        memory = predict_memory(diagram, config, device="cpu", analysis=analysis, prof=prof)
    return prof, memory


class CostView(QObject):
    """The session's current profile and memory prediction; ``changed`` after each update."""

    changed = Signal()

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.session = session
        self.profile: Profile | None = None
        self.memory: MemoryPrediction | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.update_now)
        self._job: int | None = None
        self._pending = False
        BackgroundJobs.shared().finished.connect(self._on_job)
        session.analysed.connect(lambda _a: self._timer.start())
        session.diagram.changed.connect(self._on_diagram_event)
        self.update_now()

    @classmethod
    def of(cls, session: Session) -> CostView:
        """The session's one ``CostView``, created on first use."""
        view = session.findChild(CostView)
        return view if view is not None else cls(session)

    def _on_diagram_event(self, event: object) -> None:
        if getattr(event, "kind", None) == "training_changed":
            self._timer.start()

    def update_now(self) -> None:
        """Profile a copy of the diagram on a worker thread; ``changed`` when it is done.

        One job at a time: edits made meanwhile are profiled when it ends (the newest
        state, once), so a 500-block diagram never blocks the window.
        """
        self._timer.stop()
        if self._job is not None:
            self._pending = True
            return
        data, analysis = self.session.diagram.to_dict(), self.session.analysis
        config, _problems = self.session.training_settings()
        self._job = BackgroundJobs.shared().submit(
            lambda: _profile_and_predict(data, analysis, config), "profile"
        )

    def _on_job(self, result: JobResult) -> None:
        if result.job != self._job:
            return  # another view's job
        self._job = None
        if result.ok and result.value is not None:
            self.profile, self.memory = result.value
        if self._pending:
            self._pending = False
            self.update_now()
        self.changed.emit()

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the profile of the current diagram is in (tests, benchmarks)."""
        while self._job is not None or self._pending or self._timer.isActive():
            if self._timer.isActive():
                self.update_now()
            if self._job is not None:
                BackgroundJobs.shared().wait(self._job, timeout)
            QCoreApplication.processEvents()

    # ------------------------------------------------------------------ text
    def block_text(self, node_id: str | None) -> str:
        """The inspector's cost section for one block (rich text), or "" for none."""
        prof = self.profile
        if node_id is None or prof is None or node_id not in prof.blocks:
            return ""
        cost = prof.blocks[node_id]
        if cost.flops is None:
            return self.tr("<b>Cost</b>: {dash} <i>({reason})</i>").format(
                dash=DASH, reason=cost.reason
            )
        share = prof.share(node_id)
        return self.tr(
            "<b>Cost per sample</b><br>"
            "forward FLOPs: <b>{flops}</b> ({share} of the network)<br>"
            "weights: {weights} &nbsp; "
            "output: {output}<br>"
            "kept for backward: {saved}"
        ).format(
            flops=si(cost.flops),
            share=f"{share:.1%}",
            weights=format_bytes(cost.param_bytes),
            output=format_bytes(cost.activation_bytes or 0),
            saved=format_bytes(cost.saved_bytes or 0),
        )

    def status_text(self) -> str:
        prof, mem = self.profile, self.memory
        if prof is None or not prof.blocks:
            return ""
        text = self.tr("{flops}FLOPs/sample").format(flops=si(prof.total_flops))
        if mem is not None:
            mark = "" if mem.fits is not False else "<span style='color:#d80'>⚠ </span>"
            memory = self.tr("training memory {size} at batch {batch}").format(
                size=format_bytes(mem.total), batch=mem.batch_size
            )
            text += f" · {mark}{memory}"
        if prof.unknown:
            blocks = self.tr("%n block(s)", "", len(prof.unknown))
            text += f" · {blocks} {DASH}"
        return text

    def status_tip(self) -> str:
        mem = self.memory
        if mem is None:
            return ""
        parts = [
            memory_verdict(mem),
            self.tr(
                "weights {weights}, gradients {gradients}, optimizer {optimizer}, "
                "activations {activations}, workspace {workspace}"
            ).format(
                weights=format_bytes(mem.weights),
                gradients=format_bytes(mem.gradients),
                optimizer=format_bytes(mem.optimizer_state),
                activations=format_bytes(mem.activations),
                workspace=format_bytes(mem.workspace),
            ),
            *mem.notes,
        ]
        return "\n".join(parts)


class CostSection(QLabel):
    """The inspector's read-only "Cost per sample" section for the selected block."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costSection")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.node_id: str | None = None
        self.view = CostView.of(session)
        self.view.changed.connect(self.refresh)

    def show_node(self, node_id: str | None) -> None:
        self.node_id = node_id
        self.refresh()

    def refresh(self) -> None:
        self.setText(self.view.block_text(self.node_id))


class CostStatus(QLabel):
    """Status-bar totals: FLOPs per sample and the predicted training memory."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("costStatus")
        self.setMinimumWidth(40)  # never widen the window: on a small screen the text is cut
        self.view = CostView.of(session)
        self.view.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.setText(self.view.status_text())
        self.setToolTip(self.view.status_tip())
