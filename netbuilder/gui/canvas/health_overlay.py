"""Gradient health on the canvas and in the Problems panel.

For the run the Training workspace shows (``HealthView.shown``: the run going on, or the
one selected in the run list), every block whose gradients vanished, exploded or whose
output went NaN/Inf gets a coloured ring and a badge with the step where it began (its
tooltip says it in words); the Problems panel lists the same as warnings naming the block,
and clicking one selects it. A run that failed on NaN marks the first block whose output
went non-finite (the trainer's ``blame``, from ``node_id`` in the compiled graph's meta);
the window also selects it (``TrainingWorkspace.node_failed``). View › Show Gradient
Health hides the marks (the Problems rows stay: they are findings, not decoration).

``install_canvas_insight(window)`` adds this and the cost overlay to a ``MainWindow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QColor

from netbuilder.gui.canvas.cost_overlay import CostOverlay
from netbuilder.gui.canvas.overlays import CanvasOverlay, Mark
from netbuilder.gui.health_view import HealthView, RunHealth

COLOURS = {
    "non-finite": QColor(214, 39, 40),
    "nan-gradient": QColor(232, 130, 150),
    "exploding": QColor(230, 120, 0),
    "vanishing": QColor(70, 110, 220),
}
PROBLEMS_SOURCE = "gradient-health"


def describe(kind: str, block: str, step: int) -> tuple[str, str]:
    """(badge, sentence) for one block's health problem."""
    if kind == "non-finite":
        return QCoreApplication.translate("HealthOverlay", "NaN @{step}").format(
            step=step
        ), QCoreApplication.translate(
            "HealthOverlay",
            "Block '{block}': its output became NaN/Inf at step {step}, the first block to do so.",
        ).format(block=block, step=step)
    if kind == "nan-gradient":
        return QCoreApplication.translate("HealthOverlay", "NaN grad @{step}").format(
            step=step
        ), QCoreApplication.translate(
            "HealthOverlay", "Block '{block}': its gradients became NaN/Inf at step {step}."
        ).format(block=block, step=step)
    if kind == "exploding":
        return QCoreApplication.translate("HealthOverlay", "explode @{step}").format(
            step=step
        ), QCoreApplication.translate(
            "HealthOverlay",
            "Block '{block}': gradients exploded from step {step} (lower the learning rate, "
            "add normalization or clip gradients).",
        ).format(block=block, step=step)
    return QCoreApplication.translate("HealthOverlay", "vanish @{step}").format(
        step=step
    ), QCoreApplication.translate(
        "HealthOverlay",
        "Block '{block}': gradients vanished from step {step} (this block barely learns: "
        "check activations, initialization or depth).",
    ).format(block=block, step=step)


class HealthOverlay(QObject):
    """Health marks over one window's canvas and rows in its Problems panel."""

    def __init__(self, window: Any, health: HealthView) -> None:
        super().__init__(window)
        self.window = window
        self.health = health
        self.layer = CanvasOverlay(window.scene, top=True, parent=self)
        self.act_show = QAction(self.tr("Show Gradient &Health"), self)
        self.act_show.setCheckable(True)
        self.act_show.setChecked(True)
        self.act_show.setStatusTip(
            self.tr("Mark blocks whose gradients vanished or exploded, or whose output went NaN")
        )
        self.act_show.toggled.connect(lambda _on: self.refresh())
        health.shown_changed.connect(self.refresh)
        window.session.analysed.connect(lambda _a: self.layer.sync())
        self.refresh()

    @property
    def run(self) -> RunHealth | None:
        return self.health.shown

    def refresh(self) -> None:
        run = self.run
        problems = run.problems() if run is not None else {}
        marks: dict[str, Mark] = {}
        rows: list[tuple[str, str, str]] = []
        source = run.failed_node if run is not None else None
        followers = [n for n, (k, _s) in problems.items() if k == "nan-gradient"]
        for nid, (kind, step) in problems.items():
            badge, sentence = describe(kind, nid, step)
            colour = COLOURS[kind]
            marks[nid] = Mark(badge=badge, tooltip=sentence, ring=colour, badge_color=colour)
            if nid == source and followers:
                sentence += " " + QCoreApplication.translate(
                    "HealthOverlay", "The gradients of {blocks} went NaN/Inf through it."
                ).format(blocks=", ".join(f"'{n}'" for n in followers))
                marks[nid] = Mark(badge=badge, tooltip=sentence, ring=colour, badge_color=colour)
            if kind == "nan-gradient" and source is not None:
                continue  # a consequence of the source's row, which names it
            where = run.name if run is not None else ""  # "run 3" in the interface's language
            rows.append((nid, sentence, f"{sentence}\n{where}"))
        self.layer.show(marks if self.act_show.isChecked() else {})
        self.window.problems.set_extra(PROBLEMS_SOURCE, rows)


@dataclass
class CanvasInsight:
    """What ``install_canvas_insight`` added to a window."""

    cost: CostOverlay
    health: HealthOverlay


def install_canvas_insight(window: Any) -> CanvasInsight:
    """The cost and gradient-health overlays, their View menu entries and Problems rows."""
    cost = CostOverlay.install(window)
    health = HealthOverlay(window, window.training_panel.insight.health)
    window.view_menu.addAction(health.act_show)
    return CanvasInsight(cost, health)
