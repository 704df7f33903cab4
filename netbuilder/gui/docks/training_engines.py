"""The two ways the Training workspace trains, behind one face: ``RunEngines``.

A run with ``processes`` = 1 trains a copy of the diagram on a QThread in this process
(``TrainingRunner``); with more, Start launches the very command a terminal user would type,
``netbuilder train --nproc N`` (torchrun's standalone launch, DDP), as a child process whose
events file is followed (``ProcessRun``). Both deliver the same lists of trainer events and
the same ``RunOutcome``, so the workspace draws, records and keeps either run alike.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from netbuilder.core.diagram import Diagram
from netbuilder.gui.process_run import ProcessRun
from netbuilder.gui.worker import TrainingRunner
from netbuilder.train.config import TrainConfig


class RunEngines(QObject):
    """One run at a time, in this process or on several; ``events`` and ``finished`` as
    ``TrainingRunner``'s, whichever engine runs."""

    events = Signal(list)
    finished = Signal(object)  # RunOutcome

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.local = TrainingRunner(self)
        self.processes = ProcessRun(self)
        for engine in (self.local, self.processes):
            engine.events.connect(self.events)
            engine.finished.connect(self.finished)

    def is_running(self) -> bool:
        return self.local.is_running() or self.processes.is_running()

    def is_pausable(self) -> bool:
        """Only a run in this process pauses (ranks must not wait on each other forever)."""
        return self.local.is_running()

    @property
    def paused(self) -> bool:
        return self.local.paused

    def start(
        self,
        diagram: Diagram,
        config: TrainConfig,
        data: Any = None,
        initial_state: dict[str, Any] | None = None,
        initial_optimizer_state: dict[str, Any] | None = None,
        earlier_metrics: dict[str, list[float]] | None = None,
    ) -> Diagram:
        """Train a copy of ``diagram``: on ``config.processes`` ranks when more than one.

        ``earlier_metrics``: the history of the weights a continued run goes on from (a
        multi-process run writes it into its checkpoint itself).
        """
        if config.processes > 1:
            return self.processes.start(
                diagram,
                config,
                config.processes,
                initial_state,
                initial_optimizer_state,
                earlier_metrics,
            )
        return self.local.start(
            diagram,
            config,
            data=data,
            initial_state=initial_state,
            initial_optimizer_state=initial_optimizer_state,
        )

    def pause(self) -> None:
        self.local.pause()

    def resume(self) -> None:
        self.local.resume()

    def stop(self) -> None:
        """Stop the run after its current step (every rank of a multi-process run)."""
        self.local.stop()
        self.processes.stop()

    def shutdown(self) -> None:
        """Stop and wait for the run to end (window or application closing)."""
        self.local.shutdown()
        self.processes.shutdown(timeout_s=10.0)
