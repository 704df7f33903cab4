"""The workspace's "Try it" tab: the document's trained model on the user's own inputs.

It follows the session's weights (a finished run, an opened ``.pt``), so it always shows the
model of the diagram on screen and is empty when that diagram has none. A checkpoint written
before NetBuilder recorded its input pipeline gets it rebuilt from the training data on a
background job; a result that arrives after the weights changed again is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from netbuilder.gui.widgets.try_it import TryItPanel
from netbuilder.gui.worker import BackgroundJobs, JobResult

if TYPE_CHECKING:
    from torch import nn

    from netbuilder.gui.session import Session
    from netbuilder.train.checkpoint import Checkpoint
    from netbuilder.train.pipeline import InputPipeline


class TryItFeed(QObject):
    """Keeps ``panel`` on the model that ``session`` holds weights for."""

    def __init__(self, session: Session, panel: TryItPanel) -> None:
        super().__init__(panel)
        self.session, self.panel = session, panel
        self._job: int | None = None
        self._model: nn.Module | None = None
        BackgroundJobs.shared().finished.connect(self._on_job_finished)
        session.weights_changed.connect(self.refresh)
        session.document_replaced.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild from the session's current weights (none: an empty panel)."""
        self._job, self._model = None, None
        checkpoint = self.session.checkpoint
        if self.session.state_dict is None or checkpoint is None:
            self.panel.set_model(None, None)
            return
        try:
            model = _trained_model(checkpoint, self.session.state_dict)
        except Exception as exc:  # a checkpoint whose weights no longer fit: say so, go on
            self.panel.set_model(None, None)
            self.panel.hint.setText(
                self.tr("The trained model cannot be used here: {reason}").format(reason=exc)
            )
            return
        if checkpoint.pipeline is not None:
            self.panel.set_model(model, checkpoint.pipeline, checkpoint.classes or None)
            return
        self._model = model
        self.panel.set_model(None, None)
        self.panel.hint.setText(self.tr("Reading how the training data was prepared…"))
        self._job = BackgroundJobs.shared().submit(
            lambda: _rebuilt_pipeline(checkpoint), "try-it pipeline"
        )

    def _on_job_finished(self, result: JobResult[InputPipeline]) -> None:
        if result.job != self._job or self._model is None:
            return  # another document's, or weights replaced since it started
        self._job = None
        checkpoint = self.session.checkpoint
        classes = checkpoint.classes if checkpoint is not None else None
        if result.ok and result.value is not None:
            self.panel.set_model(self._model, result.value, classes or None)
            if result.value.assumed:
                self.panel.hint.setText(
                    self.panel.hint.text()
                    + "\n"
                    + self.tr(
                        "The training data could not be read again: inputs are not normalised"
                        " (this older .pt did not record how they were prepared)."
                    )
                )
        else:
            self.panel.hint.setText(
                self.tr("The input preparation is unknown: {reason}").format(reason=result.error)
            )


def _trained_model(checkpoint: Checkpoint, state_dict: dict) -> nn.Module:
    from netbuilder.core.compile import compile_diagram
    from netbuilder.train.checkpoint import apply_weights

    module = apply_weights(compile_diagram(checkpoint.diagram), state_dict)
    return module.eval()


def _rebuilt_pipeline(checkpoint: Checkpoint) -> InputPipeline:
    from netbuilder.train.checkpoint import input_pipeline

    return input_pipeline(checkpoint)
