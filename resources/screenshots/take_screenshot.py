"""Regenerate the README screenshots: ``python resources/screenshots/take_screenshot.py [DIR]``.

Both pictures are the real main window drawn offscreen at 1600×1000 with default settings:

* ``main_window.png`` — the CNN example from its input end, a Conv2d selected so the
  inspector shows its form, shapes and parameter count;
* ``training.png`` — the same network after a short real training run on builtin:shapes
  (a couple of epochs on the CPU), the Training tab raised with curves and accuracy;
* ``evaluation.png`` — the same run's evaluation view (per-class scores, confusion matrix,
  misclassified samples).

The run takes well under a minute on two CPU cores.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
SIZE = (1600, 1000)
EPOCHS = 3


def settle(app, seconds: float = 0.3) -> None:
    """Run the event loop a moment: layouts settle, background previews arrive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(out_dir: Path = HERE) -> int:
    from PySide6.QtCore import QSettings, Qt

    from netbuilder.gui.app import ensure_app
    from netbuilder.gui.main_window import MainWindow
    from netbuilder.resources import EXAMPLES_DIR

    app = ensure_app()
    # a fresh settings folder: the pictures show the default layout, not the last session's
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    settle(app)
    window.files.open(EXAMPLES_DIR / "cnn_image_classifier.nbd", ask=False, as_template=True)
    vertical = Qt.Orientation.Vertical
    window.resizeDocks([window.problems_dock], [130], vertical)
    sides = [window.palette_dock, window.inspector_dock]
    window.resizeDocks(sides, [190, 290], Qt.Orientation.Horizontal)
    settle(app)
    # the first picture shows what the canvas is for: readable blocks and shapes on wires,
    # so it starts at the input end at a comfortable zoom rather than fitting all 12 blocks
    view = window.view
    view.resetTransform()
    view.zoom_by(0.9)
    rect = window.scene.content_rect()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    view.centerOn(rect.left() - 40 + visible.width() / 2, rect.center().y() + 60)
    window.scene.select_nodes(["conv2"])
    settle(app)
    written = [save(window, out_dir / "main_window.png")]

    # a short real run: the Training tab raised, tall enough for the curves
    panel = window.training_panel
    diagram = window.session.diagram
    diagram.set_training({**diagram.training, "epochs": EPOCHS, "device": "cpu"})
    window.training_dock.raise_()
    window.resizeDocks([window.training_dock], [600], vertical)
    window.scene.clearSelection()
    settle(app, 2.0)  # the dataset preview loads in the background
    finished: list[object] = []
    panel.run_finished.connect(finished.append)
    panel.start()
    deadline = time.monotonic() + 600
    while not finished and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    if not finished:
        print("error: training did not finish in 10 minutes")
        return 1
    window.view.fit()
    panel.tabs.setCurrentWidget(panel.curves)
    settle(app, 0.5)
    written.append(save(window, out_dir / "training.png"))
    panel.tabs.setCurrentWidget(panel.evaluation)
    # the evaluation needs more height (table, heatmap, misclassified samples); the
    # one-row network still fits above it
    window.resizeDocks([window.training_dock], [680], vertical)
    settle(app, 0.5)
    window.view.fit()
    settle(app, 0.3)
    written.append(save(window, out_dir / "evaluation.png"))

    window.session.undo_stack.setClean()
    window.close()
    return 0 if all(written) else 1


def save(window, path: Path) -> bool:
    ok = window.grab().save(str(path))
    print(f"wrote {path}" if ok else f"error: cannot write {path}")
    return bool(ok)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
