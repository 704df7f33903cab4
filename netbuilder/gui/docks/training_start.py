"""Where a run starts: "Start from: fresh weights | current weights" (issue 5, Reopen).

With trained weights in the session (an opened ``.pt`` or a finished run) the user may go on
training them. If the diagram is still the one those weights were trained for, the state is
handed to the trainer as is, so the loss continues where it ended. If the diagram was
edited, ``fine_tune_state`` keeps the weights of every block whose tensors still fit and
gives the others a fresh start; the dock shows which is which, because a user who changed
one layer must know that the layers after it may have lost their training too.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from netbuilder.core.diagram import Diagram
from netbuilder.gui.i18n import counted

FRESH = "fresh"
CURRENT = "current"


def structure_key(diagram: Diagram) -> tuple[str, ...]:
    """What decides the weights' shapes and meaning: block ids, types, parameters and wires.

    Positions, labels and training settings are left out: moving a block or changing the
    learning rate does not make trained weights any less valid.
    """
    nodes = sorted(
        json.dumps([n.id, n.type, n.params], sort_keys=True, default=str)
        for n in diagram.nodes.values()
    )
    edges = sorted(json.dumps(e.to_dict(), sort_keys=True) for e in diagram.edges)
    return (*nodes, "--", *edges)


class StartPoint(NamedTuple):
    """Where a run from the session's weights starts."""

    state: dict[str, Any]
    #: the optimizer's statistics, only when the diagram is unchanged (else they do not fit)
    optimizer_state: dict[str, Any] | None
    note: str
    #: True for the same network trained further (its metrics history goes on); False for
    #: an edited diagram fine-tuned from the weights that still fit
    continuing: bool


def weights_to_start_from(diagram: Diagram, session: Any, seed: int = 0) -> StartPoint:
    """Where a run of ``diagram`` from the session's weights starts, with a note saying so.

    Raises ``CheckpointError`` when the edited diagram does not compile (the note would be
    meaningless and the trainer would refuse it anyway).
    """
    from netbuilder.train.checkpoint import fine_tune_state

    state = session.state_dict
    trained_for = getattr(getattr(session, "checkpoint", None), "diagram", None)
    if trained_for is not None and structure_key(trained_for) == structure_key(diagram):
        blocks = len({k.split(".", 1)[0] for k in state})
        optimizer_state = getattr(session.checkpoint, "optimizer_state", None)
        return StartPoint(
            state,
            optimizer_state,
            counted().continuing_blocks(blocks),
            continuing=True,
        )
    new_state, report = fine_tune_state(diagram, state, seed=seed)
    kept = (
        QCoreApplication.translate("StartFrom", " (kept: {blocks})").format(
            blocks=", ".join(report.kept)
        )
        if report.kept
        else ""
    )
    # the optimizer starts fresh: its statistics belong to weights some of which changed
    note = QCoreApplication.translate(
        "StartFrom", "Fine-tuning the edited diagram: {summary}{kept}."
    ).format(summary=report.summary(), kept=kept)
    return StartPoint(new_state, None, note, continuing=False)


class StartFromChoice(QWidget):
    """A labelled combo box, shown only while the session holds trained weights.

    It defaults to "current weights" each time weights become available (a file opened or
    the first run finished) and otherwise keeps what the user picked, so a user comparing
    fresh runs does not have to pick "fresh" again after every run.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("start_from")
        self.combo.addItem(self.tr("current weights"), CURRENT)
        self.combo.addItem(self.tr("fresh weights"), FRESH)
        self.combo.setToolTip(
            self.tr(
                "Current weights: continue training the trained network (after edits, blocks "
                "that changed start fresh). Fresh weights: train from a new random start."
            )
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Start from:")))
        layout.addWidget(self.combo)
        self._had_weights = False
        self.setVisible(False)

    def value(self) -> str:
        """``CURRENT`` or ``FRESH`` (always ``FRESH`` while there are no weights)."""
        return str(self.combo.currentData()) if self._had_weights else FRESH

    def set_value(self, value: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))

    def weights_available(self, available: bool) -> None:
        if available and not self._had_weights:
            self.set_value(CURRENT)
        self._had_weights = available
        self.setVisible(available)

    def forget(self) -> None:
        """Another file was opened: the next weights bring the default back."""
        self._had_weights = False


def start_point(choice: str, diagram: Diagram, session: Any, seed: int = 0) -> StartPoint | None:
    """Where a run chosen as ``choice`` (``FRESH`` or ``CURRENT``) starts: None for fresh
    weights (also when the session has none). Raises ``CheckpointError`` like
    ``weights_to_start_from``."""
    if choice != CURRENT or session.state_dict is None:
        return None
    return weights_to_start_from(diagram, session, seed)
