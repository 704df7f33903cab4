"""The "Inside the Network" panel: what one block outputs for a chosen validation sample.

Click a block on the canvas (or pick it here) and see its output: feature maps for conv
blocks, attention maps for attention blocks (per head), hidden-state traces for recurrent
blocks, a heat strip for anything else, and histograms of its activations and weight
gradients. The pictures come from ``train.inside``:

* during a run, a ``SampleCapture`` hook (added to every run the workspace starts) captures
  the chosen sample every N steps on the training thread; the panel redraws on the
  runner's coalesced event batches (≤ 30 a second), and only when a newer capture exists
  for the block on screen, so capturing never adds GUI work per training step;
* after a run, or for weights opened from a .pt, "Capture now" runs the trained model on
  the chosen sample in the background (``BackgroundJobs``).

State belongs to its document: captures are kept per run of the document on screen (the
run selected in the run list, else the latest), and all of them are dropped when another
document replaces it (``Session.document_replaced``).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from netbuilder.gui.docks.inside_controls import InsideControls
from netbuilder.gui.widgets.capture_view import CaptureView
from netbuilder.gui.widgets.feature_grid import steady_label
from netbuilder.gui.worker import BackgroundJobs, JobResult
from netbuilder.train.capture import Capture
from netbuilder.train.inside import (
    SampleCapture,
    SampleResult,
    capture_sample,
    classify,
    output_feeder,
    validation_count,
    validation_label,
)

#: Runs of one document whose captures are kept (older ones are dropped first).
KEEP_RUNS = 3
#: During a run the panel redraws at most this often, however often captures come: a
#: picture needs no animation, and the curves keep the event loop's budget (pyqtgraph
#: paints through Python, so each redraw waits for the GIL the trainer holds).
MAX_LIVE_REDRAWS_PER_S = 2
#: The first capture of a run comes this long after its start: soon enough to see the
#: block at once, late enough to stay out of the start-up (compiling, the first steps).
FIRST_CAPTURE_S = 1.0


class InsidePanel(QWidget):
    """See the module docstring. ``workspace`` is the ``TrainingWorkspace`` it serves."""

    def __init__(self, workspace: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inside_panel")
        self.setWindowTitle(self.tr("Inside the Network"))
        self.workspace = workspace
        self.session = workspace.session
        self.diagram = workspace.diagram
        #: run number → its live capture hook; run number → a "Capture now" result
        self.live: dict[int, SampleCapture] = {}
        self.after: dict[int, SampleResult] = {}
        self.data: Any = None  # the DataBundle samples are chosen from
        self.run_number: int | None = None  # the run whose captures are shown
        self.node_id: str | None = None
        self.drawn: tuple[Any, ...] | None = None  # what is on screen, to skip redraws
        self._job: int | None = None
        self._job_index = -1  # the sample the running capture is of
        self._last_live_draw = 0.0  # time.monotonic() of the last redraw during a run
        self._generation = 0  # bumped per document: results of older ones are dropped

        self.controls = InsideControls()
        self.block = self.controls.block
        self.block.activated.connect(lambda _i: self.show_block(self.block.currentData()))
        self.sample = self.controls.sample
        self.sample.valueChanged.connect(self._on_sample_changed)
        self._recapture = QTimer(self)
        self._recapture.setSingleShot(True)
        self._recapture.setInterval(300)  # spinning through samples captures once at the end
        self._recapture.timeout.connect(self.capture_now)
        self.interval = self.controls.interval
        self.capture_button = self.controls.capture_button
        self.capture_button.clicked.connect(self.capture_now)
        self.sample_info = steady_label()
        self.sample_info.setObjectName("inside_sample_info")
        self.info = steady_label()
        self.info.setObjectName("inside_info")
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.pictures = CaptureView()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.controls)
        layout.addWidget(self.sample_info)
        layout.addWidget(self.pictures, 1)
        layout.addWidget(self.info)

        runner = workspace.runner
        runner.hook_factories.append(self.make_hook)
        runner.events.connect(self._on_events)
        workspace.run_finished.connect(self._on_run_finished)
        workspace.run_list.selection_changed.connect(self._on_runs_selected)
        self.session.document_replaced.connect(self.show_document)
        self.session.weights_changed.connect(self._update_buttons)
        self.diagram.changed.connect(self._on_diagram_changed)
        BackgroundJobs.shared().finished.connect(self._on_job_finished)
        self._fill_blocks()
        self.redraw()

    # ------------------------------------------------------------------ runs
    def make_hook(self) -> SampleCapture:
        """A capture hook for the run the workspace is starting (``hook_factories``)."""
        hook = SampleCapture(
            self.sample.value(),
            self.interval.value(),
            min_seconds=0.5 / MAX_LIVE_REDRAWS_PER_S,  # twice as often as it can be drawn
            first_after=FIRST_CAPTURE_S,  # after the run's start-up, whatever the interval
        )
        record = getattr(self.workspace, "_record", None)
        number = record.number if record is not None else max(self.live, default=0) + 1
        self.live[number] = hook
        for old in sorted(self.live)[:-KEEP_RUNS]:
            del self.live[old]
        self.run_number = number
        self.drawn = None
        return hook

    def _on_events(self, _batch: list[Any]) -> None:
        """A coalesced batch from the running trainer: redraw if a newer capture exists."""
        hook = self.live.get(self.run_number) if self.run_number is not None else None
        if hook is None:
            return
        if self.data is None and hook.data is not None:
            self._set_data(hook.data)
        now = time.monotonic()
        due = now - self._last_live_draw >= 1.0 / MAX_LIVE_REDRAWS_PER_S
        if due and self.isVisible() and self.redraw(staged=True):
            self._last_live_draw = now

    def _on_run_finished(self, outcome: Any) -> None:
        if outcome.data is not None:
            self._set_data(outcome.data)
        self.drawn = None
        self.redraw()
        self._update_buttons()

    def _on_runs_selected(self, records: list[Any]) -> None:
        if len(records) == 1:
            self.run_number = records[0].number
            self.drawn = None
            self.redraw()

    def show_document(self) -> None:
        """Another document replaced the session's: its captures are not this one's."""
        self._generation += 1
        self._recapture.stop()
        self.pictures.cancel_staged()
        self.live.clear()
        self.after.clear()
        self.run_number = None
        self.data = None
        self.node_id = None
        self.drawn = None
        self.sample.blockSignals(True)
        self.sample.setRange(0, 0)
        self.sample.setValue(0)
        self.sample.blockSignals(False)
        self._fill_blocks()
        self.redraw()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.redraw()  # captures made while the panel was hidden

    # ------------------------------------------------------------------ choices
    def show_block(self, node_id: str | None) -> None:
        """Look inside ``node_id`` (a canvas click); None keeps the current block."""
        if node_id is None or node_id not in self.diagram.nodes:
            return
        self.node_id = node_id
        i = self.block.findData(node_id)
        if i >= 0:
            self.block.setCurrentIndex(i)
        self.drawn = None
        self.redraw()

    def _on_sample_changed(self, index: int) -> None:
        hook = self.live.get(self.run_number) if self.run_number is not None else None
        if hook is not None and self.workspace.is_running():
            hook.choose(index)  # the next capture of the running training uses it
        elif self.session.state_dict is not None and self.run_number is not None:
            self._recapture.start()  # after training: capture the new sample (debounced)
        self._show_sample_info()
        self.drawn = None
        self.redraw()

    def _set_data(self, data: Any) -> None:
        self.data = data
        n = validation_count(data)
        self.sample.setRange(0, max(0, n - 1))
        self._show_sample_info()
        self._update_buttons()

    def _fill_blocks(self) -> None:
        self.block.blockSignals(True)
        self.block.clear()
        for node in self.diagram.nodes.values():
            if node.type != "Output" and not node.type.endswith("Input"):  # no layer of their own
                self.block.addItem(f"{node.id} ({node.type})", node.id)
        i = self.block.findData(self.node_id)
        self.block.setCurrentIndex(max(0, i))
        self.block.blockSignals(False)
        if self.node_id is None and self.block.count():
            self.node_id = self.block.currentData()

    def _on_diagram_changed(self, event: Any) -> None:
        try:
            if event.kind in ("reset", "node_added", "node_removed", "node_renamed"):
                self._fill_blocks()
                if self.node_id not in self.diagram.nodes:
                    self.node_id = self.block.currentData()
                    self.drawn = None
                    self.redraw()
        except RuntimeError:  # this widget was deleted; stop observing the model
            self.diagram.changed.disconnect(self._on_diagram_changed)

    # ------------------------------------------------------------------ capture now
    def capture_now(self) -> bool:
        """Run the session's trained weights on the chosen sample, in the background."""
        state = self.session.state_dict
        if self._job is not None:
            if self.sample.value() != self._job_index:
                self._recapture.start()  # another sample: once the capture going on has ended
            return False
        if state is None or self.workspace.is_running():
            return False
        try:
            config = self.session.training_config()
        except Exception as exc:  # ConfigError: the settings say why
            self.info.setText(str(exc))
            return False
        diagram = (
            self.session.checkpoint.diagram
            if getattr(self.session.checkpoint, "diagram", None) is not None
            else self.diagram
        ).copy()
        data, index = self.data, self.sample.value()
        number = self._weights_run()
        generation = self._generation

        def work() -> tuple[int, int, Any, SampleResult]:
            from netbuilder.train.sources import load_data

            bundle = data if data is not None else load_data(config, diagram)
            chosen = min(index, max(0, validation_count(bundle) - 1))
            result = capture_sample(diagram, state, bundle, chosen, config.loss)
            return generation, number, bundle, result

        self.info.setText(self.tr("Capturing sample {n} …").format(n=index))
        self._recapture.stop()
        self._job_index = index
        self._job = BackgroundJobs.shared().submit(work, "capture")
        self._update_buttons()
        return True

    def _weights_run(self) -> int:
        """The run number the session's weights came from (0: an opened model)."""
        run = self.session.model_run
        return run.number if run is not None else 0

    def _on_job_finished(self, result: JobResult) -> None:
        if result.job != self._job:
            return
        self._job = None
        self._update_buttons()
        if not result.ok:
            self.info.setText(self.tr("Cannot capture: {error}").format(error=result.error))
            return
        generation, number, bundle, sample = result.value  # type: ignore[misc]
        if generation != self._generation:
            return  # of a document no longer shown
        if self.data is None:
            self._set_data(bundle)
        self.after[number] = sample
        for old in sorted(self.after)[:-KEEP_RUNS]:
            del self.after[old]
        self.run_number = number
        self.info.setText("")
        self.drawn = None
        self.redraw()

    def _update_buttons(self) -> None:
        has = self.session.state_dict is not None
        self.capture_button.setEnabled(
            has and self._job is None and not self.workspace.is_running()
        )

    # ------------------------------------------------------------------ drawing
    def current(self) -> tuple[Capture | None, Capture | None, int | None, str]:
        """(activation capture, gradient capture, sample index, where from) on screen."""
        nid, number = self.node_id, self.run_number
        if nid is None or number is None:
            return None, None, None, ""
        done = self.after.get(number)
        hook = self.live.get(number)
        settled = hook is None or not self.workspace.is_running()
        if done is not None and settled and (done.index == self.sample.value() or hook is None):
            return (
                done.captures.get(nid),
                done.gradients.get(nid),
                done.index,
                self.tr("trained model"),
            )
        if hook is not None:
            series = hook.captures.get(nid)
            act = series[-1] if series else None
            grads = hook.gradients.get(nid)
            grad = grads[-1] if grads else None
            index = hook.sample_at.get(act.step) if act is not None else None
            where = self.tr("step {step}").format(step=act.step) if act is not None else ""
            return act, grad, index, where
        return None, None, None, ""

    def redraw(self, staged: bool = False) -> bool:
        """Show the current capture; False when it is already on screen (nothing done).

        ``staged`` (during a run): the histograms follow in later turns of the event loop
        (``CaptureView``), so the window never waits for the whole panel's paint.
        """
        act, grad, index, where = self.current()
        key = (
            self.node_id,
            self.run_number,
            id(act),
            act.step if act is not None else None,
            id(grad),
            self.sample.value(),
        )
        if key == self.drawn:
            return False
        self.drawn = key
        self.pictures.show_capture(act, grad, self._empty_text() if act is None else "", staged)
        if act is None:
            return True
        shape = "×".join(str(s) for s in act.shape[1:])
        run = self.session.runs.get(self.run_number) if self.run_number else None
        origin = run.name if run is not None else self.tr("opened model")
        self.info.setText(
            self.tr("{block}: output {shape} for sample {index} ({origin}, {where})").format(
                block=self.node_id, shape=shape, index=index, origin=origin, where=where
            )
        )
        self._show_sample_info(index)
        return True

    def _empty_text(self) -> str:
        if self.node_id is None:
            return self.tr("Click a block on the canvas to look inside it.")
        if self.run_number is None:
            if self.session.state_dict is not None:
                return self.tr("Press Capture Now to see what this block computes.")
            return self.tr(
                "Train the network (its blocks are captured every few steps) or open a "
                "trained model, then click a block to see its output."
            )
        if self.workspace.is_running():
            return self.tr("Waiting for the first capture of this block …")
        return self.tr("Nothing captured for this block in this run.")

    def _show_sample_info(self, index: int | None = None) -> None:
        if self.data is None:
            self.sample_info.setText("")
            return
        index = self.sample.value() if index is None else index
        if not 0 <= index < validation_count(self.data):
            self.sample_info.setText("")
            return
        text = self.tr("Validation sample {i}: label {label}").format(
            i=index, label=validation_label(self.data, index)
        )
        feeder = output_feeder(self.diagram)
        _a, _g, shown, _w = self.current() if feeder else (None, None, None, "")
        if feeder is not None and shown == index:
            out = self._capture_of(feeder)
            if out is not None:
                text += self.tr(", predicted {p}").format(p=classify(out.sample, self.data))
        self.sample_info.setText(text)

    def _capture_of(self, nid: str) -> Capture | None:
        number = self.run_number
        if number is None:
            return None
        done = self.after.get(number)
        if done is not None and not self.workspace.is_running():
            return done.captures.get(nid)
        hook = self.live.get(number)
        series = hook.captures.get(nid) if hook is not None else None
        return series[-1] if series else None
