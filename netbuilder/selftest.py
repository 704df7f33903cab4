"""``netbuilder --self-test``: does this installation work, end to end, without a display?

Runs what a user does first, on the files installed with the program: open a bundled
example, check its shapes, train it for a few steps on a built-in dataset, export it as
``.pt2``, reload the export and run it, then open the example in the main window on Qt's
offscreen platform. Meant for the bundled desktop build (``packaging/build.sh`` runs it on
the frozen app, where a missing Qt plugin, data file or torch source shows up) and for
anyone asked "does it work on your machine?". Prints one line per step; exit code 0 when
every step passed, 1 at the first failure, naming it. Writes only to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXAMPLE = "cnn_image_classifier.nbd"
STEPS = 8  # optimizer steps: enough to show the loss moves, short enough for a smoke test


def run_self_test(out: Any = None) -> int:
    """Run every step; 0 if all passed, 1 at the first failure."""
    out = out or sys.stdout
    state: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="netbuilder-self-test-") as tmp:
        state["tmp"] = Path(tmp)
        steps: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
            ("open example", _open_example),
            ("check shapes", _check),
            ("train", _train),
            ("export .pt2", _export),
            ("reload .pt2", _reload),
            ("open in window", _window),
        ]
        for name, step in steps:
            start = time.perf_counter()
            try:
                detail = step(state)
            except Exception as exc:  # every failure becomes one line naming the step
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                print(f"self-test: {name}: FAILED: {first}", file=out)
                return 1
            seconds = time.perf_counter() - start
            print(f"self-test: {name}: ok ({detail}, {seconds:.1f} s)", file=out)
    print("self-test: passed", file=out)
    return 0


def _open_example(state: dict[str, Any]) -> str:
    from netbuilder.core.io import load
    from netbuilder.resources import EXAMPLES_DIR

    path = EXAMPLES_DIR / EXAMPLE
    state["path"] = path
    state["diagram"] = load(path)
    return f"{path.name}, {len(state['diagram'].nodes)} blocks"


def _check(state: dict[str, Any]) -> str:
    from netbuilder.core.shapes import check

    analysis = check(state["diagram"])
    if not analysis.ok:
        raise RuntimeError(str(analysis.errors[0]))
    state["analysis"] = analysis
    return f"{analysis.total_params:,} parameters"


def _train(state: dict[str, Any]) -> str:
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.trainer import Trainer

    diagram = state["diagram"]
    batch = 16
    config = TrainConfig.from_dict(diagram.training).replace(
        epochs=1,
        batch_size=batch,
        device="cpu",
        dataset_options={"size": STEPS * batch * 5 // 4, "val_split": 0.2},
    )
    result = Trainer(diagram, config).run()
    if not result.ok or result.model is None:
        raise RuntimeError(result.error or f"training ended {result.status}")
    loss = result.metrics["val_loss"][-1]
    if loss != loss:
        raise RuntimeError("the validation loss is NaN")
    state["model"] = result.model
    state["classes"] = result.classes
    return f"{config.dataset}, val loss {loss:.3f}"


def _export(state: dict[str, Any]) -> str:
    from netbuilder.export import export_model

    path = state["tmp"] / "self_test.pt2"
    result = export_model(
        state["diagram"],
        state["model"],
        "pt2",
        path,
        analysis=state["analysis"],
        classes=state["classes"],
    )
    state["pt2"] = path
    return f"{path.stat().st_size // 1024} KiB, max difference {result.max_abs_diff:.1e}"


def _reload(state: dict[str, Any]) -> str:
    import torch

    from netbuilder.core.safe_load import safe_load_pt2

    module = safe_load_pt2(state["pt2"]).module()
    spec = state["analysis"].nodes[state["analysis"].input_nodes()[0]].outputs["out"]
    batch = spec.example(batch=3)
    with torch.no_grad():
        got = module(batch)
        want = state["model"].eval()(batch)
    if got.shape != want.shape or not torch.allclose(got, want, atol=1e-4, rtol=1e-4):
        raise RuntimeError("the reloaded .pt2 does not reproduce the model")
    return f"output {tuple(got.shape)}"


def _window(state: dict[str, Any]) -> str:
    """The main window on Qt's offscreen platform, with settings kept in the temp folder."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

    from netbuilder.gui.app import ensure_app

    app = ensure_app()
    QStandardPaths.setTestModeEnabled(True)  # no autosave into the user's data folder
    QCoreApplication.setApplicationName("NetBuilderSelfTest")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(state["tmp"]))

    from netbuilder.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    try:
        if not window.files.open(state["path"], ask=False, as_template=True):
            raise RuntimeError(f"the window could not open {state['path'].name}")
        app.processEvents()
        shown = len(window.session.diagram.nodes)
        menu = len(window.examples_menu.actions())
    finally:
        window.session.undo_stack.setClean()
        window.session.weights_unsaved = False
        window.close()
        window.deleteLater()
        app.processEvents()
    expected = len(state["diagram"].nodes)
    if shown != expected:
        raise RuntimeError(f"the window shows {shown} blocks instead of {expected}")
    return f"{shown} blocks, {menu} examples in the menu, platform {app.platformName()}"
