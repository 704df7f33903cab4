"""Regenerate the README screenshot: ``python resources/screenshots/take_screenshot.py``.

Draws the main window offscreen with the CNN example loaded and one block selected, so the
inspector shows its form, shapes and parameter count.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent


def main(out: Path = HERE / "main_window.png") -> int:
    import tempfile

    from PySide6.QtCore import QSettings, Qt

    from netbuilder.gui.app import ensure_app
    from netbuilder.gui.main_window import MainWindow
    from netbuilder.resources import EXAMPLES_DIR

    app = ensure_app()
    # a fresh settings folder: the picture shows the default layout, not the last session's
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    window = MainWindow()
    window.resize(1800, 1000)
    window.show()
    window.files.open(EXAMPLES_DIR / "cnn_image_classifier.nbd", ask=False, as_template=True)
    window.view.resetTransform()
    window.view.scale(1.0, 1.0)
    window.view.centerOn(600, 60)
    window.scene.select_nodes(["conv2"])
    window.resizeDocks([window.problems_dock], [170], Qt.Orientation.Vertical)
    training = getattr(window, "training_dock", None)
    if training is not None:  # the bottom area is tall enough to show the training panel
        training.raise_()
    import time

    end = time.monotonic() + 4.0  # let panels that load in the background (previews) finish
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    ok = window.grab().save(str(out))
    window.session.undo_stack.setClean()
    window.close()
    print(f"wrote {out}" if ok else f"error: cannot write {out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "main_window.png"))
