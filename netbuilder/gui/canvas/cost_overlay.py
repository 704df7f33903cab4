"""The cost overlay: every block tinted by its share of the network's cost, figure on the card.

View › Show Cost turns it on; View › Cost Metric chooses what is compared: forward FLOPs,
parameters, activation memory (its output per sample) or measured forward + backward time.
The first three come from the session's ``CostView`` (``core.profile`` on a worker thread,
after each check, so it follows every edit, undo and opened file); the time is measured by
``core.timing.time_blocks`` on a worker thread too, at the training settings' batch size
and device, a moment after the diagram stops changing. Colours are the share of the
largest block's figure on a heat ramp (the legend in the canvas's corner says the scale and
the total); a block that cannot be profiled (its shape is unknown, it cannot be built) shows
"—" and its badge's tooltip says why. Nothing here edits the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QKeySequence,
)
from PySide6.QtWidgets import QGraphicsView, QLabel, QMenu, QWidget

from netbuilder.core.diagram import Diagram
from netbuilder.core.profile import DASH, BlockCost, Profile
from netbuilder.core.shapes import Analysis
from netbuilder.gui.canvas.cost_legend import CostLegend
from netbuilder.gui.canvas.overlays import UNKNOWN, CanvasOverlay, Mark, heat_color
from netbuilder.gui.canvas.scene import DiagramScene
from netbuilder.gui.cost import CostView, si
from netbuilder.gui.session import Session
from netbuilder.gui.worker import BackgroundJobs, JobResult
from netbuilder.train.config import TrainConfig
from netbuilder.train.memory import format_bytes

METRICS = ("flops", "params", "memory", "time")
TIME_DELAY_MS = 700  # measure the time once the diagram has been still this long


def metric_names() -> dict[str, str]:
    """Menu names of the metrics (translated)."""
    return {
        "flops": QCoreApplication.translate("CostOverlay", "&FLOPs"),
        "params": QCoreApplication.translate("CostOverlay", "&Parameters"),
        "memory": QCoreApplication.translate("CostOverlay", "&Activation Memory"),
        "time": QCoreApplication.translate("CostOverlay", "Measured &Time"),
    }


def format_value(metric: str, value: float) -> str:
    """A figure as short as a badge needs: '885 k', '4.61 k', '64 KB', '1.2 ms'."""
    if metric == "memory":
        return format_bytes(int(value))
    if metric == "time":
        return f"{value:.3g} ms"
    return si(value).strip()


@dataclass(frozen=True, slots=True)
class Timing:
    """Measured milliseconds per block, with what they were measured on."""

    times: dict[str, float]
    batch: int
    device: str
    error: str = ""


def _measure(diagram: Diagram, analysis: Analysis, config: TrainConfig) -> Timing:
    """Forward + backward time per block at the settings' batch size (on a worker thread),
    for the session's parsed settings."""
    from netbuilder.core.compile import CompileError
    from netbuilder.core.timing import time_blocks
    from netbuilder.train.config import ConfigError
    from netbuilder.train.setup import resolve_device

    try:
        device = resolve_device(config.device)
    except ConfigError:
        device = resolve_device("cpu")
    batch = config.batch_size
    if not analysis.ok:
        return Timing(
            {},
            batch,
            str(device),
            QCoreApplication.translate("CostOverlay", "not timed: the diagram has problems"),
        )
    try:
        times = time_blocks(diagram, batch, device, repeats=2, analysis=analysis)
    except CompileError as exc:
        return Timing({}, batch, str(device), str(exc).splitlines()[0])
    except (RuntimeError, ValueError) as exc:  # e.g. out of memory at this batch size
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return Timing(
            {},
            batch,
            str(device),
            QCoreApplication.translate("CostOverlay", "timing failed: {why}").format(why=first),
        )
    return Timing(times, batch, str(device))


class CostOverlay(QObject):
    """The View menu's cost overlay over one window's canvas (see the module docstring)."""

    updated = Signal()  # the marks were redrawn (tests wait on it)

    def __init__(
        self,
        session: Session,
        scene: DiagramScene,
        view: QGraphicsView,
        parent: QObject | None = None,
        training: Callable[[], bool] = lambda: False,
    ) -> None:
        super().__init__(parent)
        self.session = session
        #: whether this window is training: timing then waits (it would slow the run, be
        #: slowed by it, and reseeding torch's global generator would disturb its numbers)
        self.training = training
        self.cost = CostView.of(session)
        self.layer = CanvasOverlay(scene, top=False, parent=self)
        self.legend = CostLegend(view)
        self.metric = "flops"
        self.timing: Timing | None = None
        self._time_job: int | None = None
        self._time_pending = False
        self._time_waits = False
        self._time_timer = QTimer(self)
        self._time_timer.setSingleShot(True)
        self._time_timer.setInterval(TIME_DELAY_MS)
        self._time_timer.timeout.connect(self._measure_now)

        self.act_show = QAction(self.tr("Show &Cost"), self)
        self.act_show.setCheckable(True)
        self.act_show.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.act_show.setStatusTip(
            self.tr("Tint every block by its share of the network's cost, figure on the block")
        )
        self.act_show.toggled.connect(lambda _on: self.refresh())
        self.metric_group = QActionGroup(self)
        self.metric_actions: dict[str, QAction] = {}
        for metric, name in metric_names().items():
            act = QAction(name, self)
            act.setCheckable(True)
            act.setChecked(metric == self.metric)
            act.triggered.connect(lambda _c=False, m=metric: self.set_metric(m))
            self.metric_group.addAction(act)
            self.metric_actions[metric] = act
        self.menu = QMenu(self.tr("Cost &Metric"))
        self.menu.addActions(list(self.metric_actions.values()))
        self.status = QLabel()  # measured total time, in the status bar
        self.status.setObjectName("costTimeStatus")
        self.status.hide()

        self.cost.changed.connect(self.refresh)
        session.analysed.connect(self._on_analysed)
        session.document_replaced.connect(self._on_document_replaced)
        BackgroundJobs.shared().finished.connect(self._on_job)

    @classmethod
    def install(cls, window: QWidget) -> CostOverlay:
        """Add the overlay to a ``MainWindow``: View menu entries and a status-bar label."""
        panel = window.training_panel  # type: ignore[attr-defined]
        overlay = cls(window.session, window.scene, window.view, window, panel.is_running)  # type: ignore[attr-defined]
        panel.runner.running_changed.connect(overlay._on_training)
        menu: QMenu = window.view_menu  # type: ignore[attr-defined]
        menu.addSeparator()
        menu.addAction(overlay.act_show)
        overlay.menu.setParent(menu, overlay.menu.windowFlags())
        menu.addMenu(overlay.menu)
        window.statusBar().insertPermanentWidget(0, overlay.status)  # type: ignore[attr-defined]
        return overlay

    # ------------------------------------------------------------------ control
    @property
    def shown(self) -> bool:
        return self.act_show.isChecked()

    def set_shown(self, on: bool) -> None:
        self.act_show.setChecked(on)

    def set_metric(self, metric: str) -> None:
        if metric not in METRICS:
            raise ValueError(f"unknown cost metric {metric!r}")
        self.metric = metric
        self.metric_actions[metric].setChecked(True)
        self.refresh()

    def _on_analysed(self, _analysis: object) -> None:
        self.layer.sync()  # cards may be new (another document, an undo)
        if self.shown and self.metric == "time":
            self._time_timer.start()

    def _on_training(self, running: bool) -> None:
        if not running and self._time_waits:
            self._time_waits = False
            if self.shown and self.metric == "time":
                self._time_timer.start()

    def _on_document_replaced(self) -> None:
        self.timing = None  # another network: its own figures
        self._time_job = None
        self.status.hide()

    # ------------------------------------------------------------------ timing
    def _measure_now(self) -> None:
        if self.training():
            self._time_waits = True  # the run's end starts the measurement
            self.refresh()  # says why it waits
            return
        if self._time_job is not None:
            self._time_pending = True
            return
        diagram, analysis = self.session.diagram.copy(), self.session.analysis
        config, _problems = self.session.training_settings()
        self._time_job = BackgroundJobs.shared().submit(
            lambda: _measure(diagram, analysis, config), "time-blocks"
        )
        self.refresh()

    def _on_job(self, result: JobResult) -> None:
        if result.job != self._time_job:
            return
        self._time_job = None
        if isinstance(result.value, Timing):
            self.timing = result.value
        elif result.error:
            self.timing = Timing({}, 0, "", result.error)
        if self._time_pending:
            self._time_pending = False
            self._measure_now()
        self.refresh()

    @property
    def measuring(self) -> bool:
        return self._time_job is not None or (self._time_timer.isActive() and not self.training())

    # ------------------------------------------------------------------ figures
    def values(self) -> tuple[dict[str, float], dict[str, str]]:
        """Per block: the chosen metric's figure, or why there is none ("—")."""
        prof = self.cost.profile
        known: dict[str, float] = {}
        unknown: dict[str, str] = {}
        if prof is None:
            return known, unknown
        getter = _GETTERS.get(self.metric)
        for nid, cost in prof.blocks.items():
            if not cost.known:
                unknown[nid] = cost.reason or QCoreApplication.translate(
                    "CostOverlay", "not profiled"
                )
            elif getter is not None:
                known[nid] = float(getter(cost))
            else:
                timing = self.timing
                if timing is not None and nid in timing.times:
                    known[nid] = timing.times[nid]
                elif timing is not None and timing.error:
                    unknown[nid] = timing.error
                elif self.training() and not self.measuring:
                    unknown[nid] = QCoreApplication.translate(
                        "CostOverlay", "measured when the training run ends"
                    )
                elif self.measuring or timing is None:
                    unknown[nid] = QCoreApplication.translate("CostOverlay", "being measured …")
                else:
                    unknown[nid] = QCoreApplication.translate(
                        "CostOverlay", "no time of its own (it runs inside another operation)"
                    )
        return known, unknown

    def refresh(self) -> None:
        """Redraw the marks and the legend from the latest figures (or remove them)."""
        if not self.shown:
            self.layer.clear()
            self.legend.hide()
            self.status.hide()
            self._time_timer.stop()
            self.updated.emit()
            return
        idle = not (self.measuring or self._time_waits)
        if self.metric == "time" and self.timing is None and idle:
            self._time_timer.start()
        known, unknown = self.values()
        total = sum(known.values())
        top = max(known.values(), default=0.0)
        marks: dict[str, Mark] = {}
        # the menu text without its mnemonic: "&FLOPs" → "FLOPs", "浮点运算量(&F)" → "浮点运算量"
        name = re.sub(r"\(&\w\)|&", "", metric_names()[self.metric]).strip()
        for nid, value in known.items():
            share = value / total if total else 0.0
            colour = heat_color(value / top if top else 0.0)
            figure = format_value(self.metric, value)
            marks[nid] = Mark(
                badge=f"{figure} · {_percent(share)}" if value else figure,
                tooltip=self.tr(
                    "{name} of '{block}': {figure}, {share} of the total {total}"
                ).format(
                    name=name,
                    block=nid,
                    figure=figure,
                    share=f"{share:.1%}",
                    total=format_value(self.metric, total),
                )
                + self._unit_note(),
                tint=colour,
                badge_color=colour,
            )
        for nid, why in unknown.items():
            marks[nid] = Mark(
                badge=DASH,
                tooltip=self.tr("{name} of '{block}' is unknown: {why}").format(
                    name=name, block=nid, why=why
                ),
                badge_color=UNKNOWN,
            )
        self.layer.show(marks)
        self._show_legend(name, total, top, len(unknown))
        self.updated.emit()

    def _unit_note(self) -> str:
        if self.metric == "time" and self.timing is not None:
            return "\n" + self.tr("forward + backward at batch {batch} on {device}").format(
                batch=self.timing.batch, device=self.timing.device
            )
        if self.metric == "flops":
            return "\n" + self.tr(
                "per sample; matrix products, convolutions and attention are counted "
                "(a multiply-add is 2 FLOPs), element-wise layers count 0"
            )
        if self.metric == "memory":
            return "\n" + self.tr("its output, per sample")
        return ""

    def _show_legend(self, name: str, total: float, top: float, n_unknown: int) -> None:
        lines = [self.tr("total: {total}").format(total=format_value(self.metric, total))]
        if self.metric == "time":
            if self.measuring:
                lines.append(self.tr("measuring …"))
            elif self.timing is not None and not self.timing.error:
                lines[0] += "  " + self.tr("(batch {batch}, {device})").format(
                    batch=self.timing.batch, device=self.timing.device
                )
        if n_unknown:
            lines.append(
                self.tr("{n} block(s) {dash}: hover the badge for why").format(
                    n=n_unknown, dash=DASH
                )
            )
        self.legend.set_text(
            self.tr("{name} per block").format(name=name),
            format_value(self.metric, top),
            lines,
        )
        self.legend.show()
        self.legend.raise_()
        timing = self.timing
        if self.metric == "time" and timing is not None and timing.times:
            self.status.setText(
                self.tr("fwd+bwd {ms} at batch {batch}").format(
                    ms=format_value("time", sum(timing.times.values())), batch=timing.batch
                )
            )
            self.status.show()
        else:
            self.status.hide()


def _percent(share: float) -> str:
    """'25%', or '<1%' for a small but real share (never a misleading '0%')."""
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


_GETTERS: dict[str, Callable[[BlockCost], float]] = {
    "flops": lambda c: c.flops or 0,
    "params": lambda c: c.params,
    "memory": lambda c: c.activation_bytes or 0,
}

__all__ = ["METRICS", "CostOverlay", "Profile", "format_value", "metric_names"]
