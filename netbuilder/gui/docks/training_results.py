"""What a finished run leaves in its document, and stopping a run when its window closes.

Plain helpers of the Training workspace: ``fill_record`` writes a run's outcome into its
``RunRecord`` (the document's history), ``checkpoint_of`` turns trained weights into the
``Checkpoint`` the session keeps (and Save Trained Model writes), and ``WindowCloseGuard``
calls back once the window that shows the workspace is really closed (not cancelled).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from netbuilder.core.diagram import Diagram
from netbuilder.gui.worker import RunOutcome
from netbuilder.train.checkpoint import Checkpoint, continued_best_epoch, continued_metrics
from netbuilder.train.runs import RunRecord


def fill_record(record: RunRecord, outcome: RunOutcome) -> None:
    """Write what a finished run did into its record in its document's history."""
    result = outcome.result
    if result is None:
        record.status = "failed"
        record.error = outcome.error or QCoreApplication.translate("RunResults", "training failed")
        return
    record.status = str(result.status)
    record.metrics = {k: [float(x) for x in v] for k, v in result.metrics.items()}
    record.best_epoch = result.best_epoch
    record.device = str(result.device)
    record.elapsed_s = float(result.elapsed_s)
    record.error = outcome.error or ""
    record.has_model = result.model is not None


def checkpoint_of(
    outcome: RunOutcome, fallback: Diagram, earlier: dict[str, list[float]] | None
) -> Checkpoint:
    """The trained weights of ``outcome`` with the diagram that was trained (``fallback``
    when the worker did not hand one back), its settings, classes and optimizer state.

    ``earlier``: the metrics of the run a continued run went on from, so the checkpoint
    tells the whole history of its weights.
    """
    result = outcome.result
    state = {k: v.detach().clone() for k, v in result.model.state_dict().items()}
    return Checkpoint(
        diagram=outcome.diagram or fallback.copy(),
        state_dict=state,
        training=result.config.to_dict(),
        metrics=continued_metrics(earlier, result.metrics),
        classes=list(result.classes),
        optimizer_state=result.optimizer_state,
        best_epoch=continued_best_epoch(earlier, result.best_epoch),
        # how raw inputs become model inputs, so exports and predictions need no guess
        pipeline=result.data.pipeline if result.data is not None else None,
    )


class WindowCloseGuard(QObject):
    """Calls ``on_closed`` when the top-level window of ``widget`` is closed for good.

    A close event may still be cancelled (the window asks to save first), so the guard
    checks on the next turn of the event loop whether the window is really hidden.
    """

    def __init__(self, widget: QWidget, on_closed: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._on_closed = on_closed
        self._window: QWidget | None = None

    def watch(self) -> None:
        """Follow the widget's current window (call from its ``showEvent``)."""
        window = self._widget.window()
        if window is not self._widget and window is not self._window:
            window.installEventFilter(self)
            self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            QTimer.singleShot(0, self, self._after_close)  # dropped if we are deleted
        return False

    def _after_close(self) -> None:
        try:
            closed = self._window is not None and not self._window.isVisible()
        except RuntimeError:  # the window is already deleted
            closed = True
        if closed:
            self._on_closed()
