"""What one window is working on: the diagram, its file, its undo history, its check.

Other parts of the app (the training dock, the export dialog) reach the current network
through ``MainWindow.session``: ``session.diagram`` is the live model, ``session.state_dict``
holds trained weights when there are any (from an opened ``.pt`` checkpoint or a finished
training run), and ``session.analysis`` is the latest shape check. The weights are kept when
the diagram is edited afterwards: a user may rename a block or undo an edit; whoever uses
them loads them with ``strict=True`` into a freshly compiled model to find out if they fit.

State belongs to its document (DESIGN): the run history (``session.runs``), the run whose
weights are held (``session.model_run``) and the weights themselves are replaced together
when another diagram is opened, created or recovered, and ``document_replaced`` tells every
view showing them (the training workspace) to show the new document's own state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from netbuilder.core.diagram import Diagram
from netbuilder.core.events import DiagramEvent
from netbuilder.core.shapes import Analysis, check
from netbuilder.gui.i18n import run_name
from netbuilder.gui.subblocks.scope import Scope
from netbuilder.train.checkpoint import Checkpoint
from netbuilder.train.config import ConfigError, TrainConfig, problem_diagnostics
from netbuilder.train.runs import RunHistory, RunRecord

_NO_CHECK_NEEDED = {"node_moved"}


class Session(QObject):
    """The live diagram plus everything derived from it that the window shows.

    Shapes are re-checked after each undo-stack step (push, undo, redo) rather than after
    every model event, so a paste of 500 blocks costs one check, not 500. Moves do not
    change shapes and skip the check.
    """

    analysed = Signal(object)  # Analysis
    file_changed = Signal()  # path or name changed
    weights_changed = Signal()
    #: another document replaced this one (New, Open, recovery): runs and weights are its own
    document_replaced = Signal()

    def __init__(self, parent: QObject | None = None, diagram: Diagram | None = None) -> None:
        super().__init__(parent)
        self.diagram = diagram if diagram is not None else Diagram()
        self.undo_stack = QUndoStack(self)
        self.path: Path | None = None
        self.display_name = self.tr("Untitled")
        #: where Save As proposes to save a diagram that has no file yet (a recovered one)
        self.suggested_path: Path | None = None
        self.state_dict: dict[str, Any] | None = None
        self.checkpoint: Checkpoint | None = None
        #: every training run of this document in this session (and those saved in its .pt)
        self.runs = RunHistory()
        #: the run whose weights ``state_dict`` holds (None: no weights, or from an old .pt)
        self.model_run: RunRecord | None = None
        #: weights from a run in this window that are not in any .pt yet: closing asks first
        self.weights_unsaved = False
        self._settings: tuple[TrainConfig, list[str]] = (TrainConfig(), [])
        self._config_key: tuple[int, str] | None = None
        self.analysis: Analysis = check(self.diagram)
        self._stale = False
        self.diagram.changed.connect(self._on_changed)
        # a bound slot, not a lambda: Qt drops it with the session, whereas a lambda would
        # still fire (on a deleted session) when the stack is cleared at teardown
        self.undo_stack.indexChanged.connect(self._on_index_changed)
        #: which level the canvas edits: the network or an opened sub-block definition
        self.scope = Scope(self)

    # ------------------------------------------------------------------ checking
    def _on_changed(self, event: DiagramEvent) -> None:
        if event.kind not in _NO_CHECK_NEEDED:
            self._stale = True

    def _on_index_changed(self, _index: int) -> None:
        self.recheck_if_stale()

    def recheck_if_stale(self) -> None:
        if self._stale:
            self.recheck()

    def recheck(self) -> Analysis:
        """Check the diagram now and tell every view (cheap: results are cached per node)."""
        self._stale = False
        self.analysis = check(self.diagram)
        self.analysis.diagnostics.extend(problem_diagnostics(self.training_settings()[1]))
        self.analysed.emit(self.analysis)
        return self.analysis

    # ------------------------------------------------------------------ files
    def replace(
        self,
        diagram: Diagram,
        path: Path | None,
        name: str | None = None,
        state_dict: dict[str, Any] | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        """Show another diagram (New/Open): one reset event, a fresh history, a new check.

        Runs and weights go with the old document: the new one starts with none, or with
        those its ``.pt`` holds.
        """
        self.diagram.replace_with(diagram)
        self.path = path
        self.display_name = name or (path.name if path else self.tr("Untitled"))
        self.suggested_path = None
        self.state_dict = state_dict
        self.checkpoint = checkpoint
        self.runs = (
            RunHistory.from_checkpoint(
                checkpoint.runs, checkpoint.training, checkpoint.metrics, checkpoint.diagram
            )
            if checkpoint is not None
            else RunHistory()
        )
        with_model = [r for r in self.runs if r.has_model]
        self.model_run = with_model[-1] if state_dict is not None and with_model else None
        self.weights_unsaved = False  # an opened .pt is on disk; a new diagram has none
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.document_replaced.emit()
        self.weights_changed.emit()
        self.file_changed.emit()
        self.recheck()

    def set_weights(
        self,
        state_dict: dict[str, Any] | None,
        checkpoint: Checkpoint | None = None,
        run: RunRecord | None = None,
    ) -> None:
        """Attach trained weights (the training dock calls this when a run finishes).

        ``run`` is the run of this document that produced them; Export and Save Trained
        Model name it. They exist only in memory until saved, so the window asks before
        discarding them.
        """
        self.state_dict = state_dict
        self.checkpoint = checkpoint
        self.model_run = run
        self.weights_unsaved = state_dict is not None
        self.weights_changed.emit()

    def recover_weights(self, checkpoint: Checkpoint) -> None:
        """Weights (and the runs) autosaved before a crash: back, and unsaved again."""
        self.runs = RunHistory.from_checkpoint(
            checkpoint.runs, checkpoint.training, checkpoint.metrics, checkpoint.diagram
        )
        with_model = [r for r in self.runs if r.has_model]
        self.document_replaced.emit()
        self.set_weights(checkpoint.state_dict, checkpoint, with_model[-1] if with_model else None)

    def mark_weights_saved(self) -> None:
        """The trained weights are in a .pt now: no question on close, no recovery copy."""
        self.weights_unsaved = False
        self.weights_changed.emit()

    def mark_saved(self, path: Path) -> None:
        self.path = path
        self.display_name = path.name
        self.undo_stack.setClean()
        self.file_changed.emit()

    def mark_recovered(self, original: Path | None) -> None:
        """A diagram brought back after a crash: unsaved until saved, even after undo.

        It has no file (Save asks where, proposing ``original``): the file it came from
        may have changed or gone since.
        """
        self.suggested_path = original
        self.undo_stack.resetClean()
        self.file_changed.emit()

    def training_settings(self) -> tuple[TrainConfig, list[str]]:
        """The diagram's training settings, typed, and every problem in them (each naming
        its setting; an unusable value stands at its default in the config). Parsed once
        per change of the settings: everything in the window that shows or uses the
        settings asks here instead of re-reading the raw dict (the settings form, the
        dataset picker, the cost estimate, Start)."""
        key = (id(self.diagram.training), repr(self.diagram.training))
        if self._config_key != key:
            self._settings = TrainConfig.parse(self.diagram.training)
            self._config_key = key
        return self._settings

    def training_config(self) -> TrainConfig:
        """The settings to train with (raises ``ConfigError`` naming the first bad one)."""
        config, problems = self.training_settings()
        if problems:
            raise ConfigError(problems[0])
        return config

    @property
    def model_name(self) -> str:
        """What Export and Save Trained Model act on, in words ("" without weights)."""
        if self.state_dict is None:
            return ""
        if self.model_run is not None:
            return run_name(self.model_run)
        return self.tr("the opened model")

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()
