"""Regenerate the README screenshots: ``python resources/screenshots/take_screenshot.py [DIR]``.

The pictures are the real main window drawn offscreen with default settings, at 1600×1000
unless named otherwise:

* ``main_window.png`` — the CNN example from its input end, a Conv2d selected so the
  inspector shows its form, shapes and parameter count (Design workspace);
* ``subblock.png`` — the small ResNet's residual block made a sub-block and opened;
* ``training.png`` — the Training workspace after two short real runs on builtin:shapes
  (a few epochs each on the CPU, the second with a higher learning rate), both selected in
  the run list so their curves overlay;
* ``evaluation.png`` — the second run's evaluation (per-class scores, confusion matrix,
  misclassified samples);
* ``training_1280x720.png`` and ``evaluation_1024x700.png`` — the same at laptop sizes.

``--lang zh_CN`` draws the same window in Chinese and names the files ``*.zh_CN.png``
(``main_window.zh_CN.png``, ``training.zh_CN.png``... plus ``main_window_1024x700.zh_CN.png``):
Chinese labels have other widths, so these show that nothing is cut off in either language.

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
    from PySide6.QtCore import QCoreApplication, QEvent

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        # widgets replaced by a relayout are deleted here, as the real event loop would
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        time.sleep(0.01)


def main(out_dir: Path = HERE, language: str | None = None) -> int:
    from PySide6.QtCore import QSettings, Qt

    from netbuilder.gui.app import ensure_app
    from netbuilder.gui.main_window import MainWindow
    from netbuilder.resources import EXAMPLES_DIR

    app = ensure_app()
    suffix = ""
    if language:
        from netbuilder.gui.i18n import install_language

        if install_language(language) != language:
            print(f"error: the {language} interface is not available (see the log line above)")
            return 1
        suffix = f".{language}"
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
    written = [save(window, out_dir / f"main_window{suffix}.png")]
    if language:  # the Design workspace on a small screen as well
        window.resize(1024, 700)
        settle(app, 0.5)
        written.append(save(window, out_dir / f"main_window_1024x700{suffix}.png"))
        window.resize(*SIZE)
        settle(app, 0.5)
    if not language:
        written.append(subblock_picture(app, window, out_dir / "subblock.png"))

    # two short real runs in the Training workspace: the second with a higher learning
    # rate, both selected in the run list so their curves overlay
    panel = window.training_panel
    diagram = window.session.diagram
    diagram.set_training({**diagram.training, "epochs": EPOCHS, "device": "cpu"})
    window.scene.clearSelection()
    window.show_workspace("training")
    settle(app, 2.0)  # the dataset preview loads in the background
    for lr in (1e-3, 3e-3):
        diagram.set_training({**diagram.training, "lr": lr})
        panel.start_from.set_value("fresh")  # two independent runs to compare
        if not train(app, panel):
            print("error: training did not finish in 10 minutes")
            return 1
    panel.run_list.select_numbers([1, 2])
    panel.tabs.setCurrentWidget(panel.curves)
    settle(app, 0.5)
    written.append(save(window, out_dir / f"training{suffix}.png"))
    panel.run_list.select_numbers([2])
    panel.tabs.setCurrentWidget(panel.evaluation)
    settle(app, 0.5)
    written.append(save(window, out_dir / f"evaluation{suffix}.png"))
    # the same workspace on laptop screens: nothing cut off, nothing scrolls sideways
    for size, tab, name in (
        ((1280, 720), panel.curves, "training_1280x720.png"),
        ((1024, 700), panel.evaluation, "evaluation_1024x700.png"),
    ):
        window.resize(*size)
        panel.run_list.select_numbers([1, 2] if tab is panel.curves else [2])
        panel.tabs.setCurrentWidget(tab)
        settle(app, 0.8)
        written.append(save(window, out_dir / name.replace(".png", f"{suffix}.png")))

    window.session.undo_stack.setClean()
    window.session.mark_weights_saved()
    window.close()
    return 0 if all(written) else 1


def subblock_picture(app, window, path: Path) -> bool:
    """The small ResNet's first residual block made a ``BasicBlock`` sub-block (its two
    convolutions' out_channels one setting) and opened: breadcrumb, skip wire, per-use setting.
    Leaves the window on the CNN example as it found it."""
    from netbuilder.resources import EXAMPLES_DIR

    window.files.open(EXAMPLES_DIR / "small_resnet.nbd", ask=False, as_template=True)
    inner = ["conv1", "bn1", "relu1", "conv2", "bn2", "add", "relu2"]
    ids = [f"block1_{n}" for n in inner]
    channels = [("block1_conv1", "out_channels"), ("block1_conv2", "out_channels")]
    use = window.subblocks.make(ids, "BasicBlock", {"out_channels": channels})
    window.view.auto_layout()
    window.subblocks.open_node(use)
    window.view.auto_layout()
    window.scene.select_nodes(["block1_conv2"])
    settle(app, 0.5)
    ok = save(window, path)
    window.session.undo_stack.setClean()
    window.files.open(EXAMPLES_DIR / "cnn_image_classifier.nbd", ask=False, as_template=True)
    return ok


def train(app, panel) -> bool:
    finished: list[object] = []
    panel.run_finished.connect(finished.append)
    panel.start()
    deadline = time.monotonic() + 600
    while not finished and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    panel.run_finished.disconnect(finished.append)
    return bool(finished)


def save(window, path: Path) -> bool:
    ok = window.grab().save(str(path))
    print(f"wrote {path}" if ok else f"error: cannot write {path}")
    return bool(ok)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=HERE)
    parser.add_argument("--lang", help="draw the interface in this language (zh_CN)")
    args = parser.parse_args()
    sys.exit(main(args.out_dir, args.lang))
