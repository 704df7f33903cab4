"""The Inside panel's choices: which block, which validation sample, how often to capture.

Only the widgets; what a choice does is the panel's (``gui.docks.inside``). Their texts
keep the panel's translation context, where they were made first.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSpinBox, QWidget

from netbuilder.train.capture import DEFAULT_INTERVAL


class InsideControls(QWidget):
    """Block, sample and capture interval pickers, and the Capture Now button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.block = QComboBox()
        self.block.setObjectName("inside_block")
        self.block.setToolTip(
            QCoreApplication.translate(
                "InsidePanel", "The block to look inside (or click it on the canvas)"
            )
        )
        self.sample = QSpinBox()
        self.sample.setObjectName("inside_sample")
        self.sample.setToolTip(
            QCoreApplication.translate("InsidePanel", "Index of the validation sample to look at")
        )
        self.sample.setRange(0, 0)
        self.interval = QSpinBox()
        self.interval.setObjectName("inside_interval")
        self.interval.setRange(1, 100000)
        self.interval.setValue(DEFAULT_INTERVAL)
        self.interval.setToolTip(
            QCoreApplication.translate(
                "InsidePanel",
                "During training, capture the chosen sample every this many steps "
                "(at most four times a second)",
            )
        )
        self.capture_button = QPushButton(QCoreApplication.translate("InsidePanel", "Capture Now"))
        self.capture_button.setObjectName("inside_capture")
        self.capture_button.setToolTip(
            QCoreApplication.translate(
                "InsidePanel",
                "Run the trained model on the chosen sample and show every block's output",
            )
        )
        form = QGridLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addWidget(QLabel(QCoreApplication.translate("InsidePanel", "Block:")), 0, 0)
        form.addWidget(self.block, 0, 1, 1, 3)
        form.addWidget(QLabel(QCoreApplication.translate("InsidePanel", "Sample:")), 1, 0)
        form.addWidget(self.sample, 1, 1)
        form.addWidget(self.capture_button, 1, 2, 1, 2)
        form.addWidget(QLabel(QCoreApplication.translate("InsidePanel", "Every:")), 2, 0)
        form.addWidget(self.interval, 2, 1)
        form.addWidget(QLabel(QCoreApplication.translate("InsidePanel", "steps")), 2, 2, 1, 2)
        form.setColumnStretch(3, 1)
