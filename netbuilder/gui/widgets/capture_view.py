"""One block's capture as pictures: the view that suits its output, and its histograms.

``CaptureView`` picks the picture for a ``train.capture.Capture`` (attention map, hidden
state traces, feature-map grid, or a heat strip) and shows the activation and weight-
gradient histograms under it. During a run it paints in parts (``staged``): the picture
at once, then each histogram ``STAGE_GAP_MS`` later, so no single turn of the event loop
waits for the whole panel's paint while training holds most of the GIL. It only shows
what it is given; which run, block and sample that is stays with the Inside panel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from netbuilder.gui.widgets.feature_grid import (
    AttentionMap,
    FeatureGrid,
    HistogramPair,
    TraceView,
    ValueStrip,
)
from netbuilder.train.capture import Capture

#: A staged paint's parts are this far apart (the picture, then each histogram).
STAGE_GAP_MS = 40


class CaptureView(QWidget):
    """See the module docstring."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid = FeatureGrid()
        self.attention = AttentionMap()
        self.traces = TraceView()
        self.values = ValueStrip()
        self.views = QStackedWidget()
        for w in (self.empty, self.grid, self.attention, self.traces, self.values):
            self.views.addWidget(w)
        self.histograms = HistogramPair()
        #: histograms still to paint after a staged paint: (key, capture) in order
        self._staged: list[tuple[str, Capture | None]] = []
        self._stage_timer = QTimer(self)
        self._stage_timer.setSingleShot(True)
        self._stage_timer.setInterval(STAGE_GAP_MS)
        self._stage_timer.timeout.connect(self._paint_next_stage)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.histograms)

    def show_capture(
        self, act: Capture | None, grad: Capture | None, empty_text: str = "", staged: bool = False
    ) -> None:
        """Show ``act`` (or ``empty_text`` when there is none) and both histograms."""
        self.cancel_staged()
        self._staged = [("activations", act), ("gradients", grad)]
        if act is None:
            self.views.setCurrentWidget(self.empty)
            self.empty.setText(empty_text)
        elif act.attention is not None:
            self.attention.show_weights(act.heads, act.attention)
            self.views.setCurrentWidget(self.attention)
        elif act.trace is not None:
            self.traces.show_trace(act.trace)
            self.views.setCurrentWidget(self.traces)
        elif act.sample.dim() == 3 and len(act.shape) == 4:
            self.grid.show_maps(act.sample, act.shape[1])
            self.views.setCurrentWidget(self.grid)
        else:
            self.values.show_values(act.sample)
            self.views.setCurrentWidget(self.values)
        if staged:
            self._stage_timer.start()
            return
        while self._staged:
            self._paint_next_stage()

    def cancel_staged(self) -> None:
        """Drop parts not painted yet (another document, another capture)."""
        self._stage_timer.stop()
        self._staged = []

    def _paint_next_stage(self) -> None:
        if not self._staged:
            return
        key, capture = self._staged.pop(0)
        self.histograms.show_one(key, capture)
        if self._staged and not self._stage_timer.isActive():
            self._stage_timer.start()
