"""Starting the app from the command line: the offscreen opt-in and the missing-file dialog."""

from __future__ import annotations

import pytest

from netbuilder.launch import OFFSCREEN_OPT_IN, launch_app
from netbuilder.resources import EXAMPLES_DIR

CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"


def test_the_opt_in_starts_the_app_offscreen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests and benchmarks that mean to run the app offscreen say so explicitly."""
    import netbuilder.gui.app as app

    opened: list[list[str]] = []
    monkeypatch.setattr(app, "run", lambda files: opened.append(files) or 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv(OFFSCREEN_OPT_IN, "1")
    assert launch_app([str(CNN)], ["check"]) == 0
    assert opened == [[str(CNN)]]
    monkeypatch.delenv(OFFSCREEN_OPT_IN)
    assert launch_app([str(CNN)], ["check"]) == 2
    assert len(opened) == 1


def test_a_missing_file_from_a_launcher_also_gets_a_dialog(
    qapp, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Started from a desktop launcher nobody reads stderr, so the refusal is shown too."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setenv(OFFSCREEN_OPT_IN, "1")  # a usable display, as far as launch knows
    assert launch_app(["gone.nbd"], ["check"]) == 2
    assert shown == ["gone.nbd: no such file"]
    assert capsys.readouterr().err == "error: gone.nbd: no such file\n"
    monkeypatch.delenv(OFFSCREEN_OPT_IN)  # offscreen, no opt-in: no window, no dialog
    assert launch_app(["gone.nbd"], ["check"]) == 2
    assert len(shown) == 1


def test_the_app_puts_its_start_up_heap_out_of_the_collectors_way(
    qapp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the window is up the start-up objects are frozen (gc.freeze): a full cyclic
    collection over them took 170 ms on the GUI thread, every couple of minutes."""
    import gc

    from PySide6.QtWidgets import QApplication

    import netbuilder.gui.app as app

    before = set(QApplication.topLevelWidgets())

    def event_loop() -> int:  # a few turns of the loop instead of running until quit
        for _ in range(5):
            qapp.processEvents()
        return 0

    monkeypatch.setattr(qapp, "exec", event_loop)
    gc.unfreeze()
    try:
        assert app.run([str(CNN)]) == 0
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        from PySide6.QtCore import QCoreApplication, QEvent

        from netbuilder.gui.main_window import MainWindow

        for w in set(QApplication.topLevelWidgets()) - before:  # as the window fixture does
            if isinstance(w, MainWindow):  # the rest (menus, popups) are its children
                w.training_panel.shutdown()
                w.session.undo_stack.setClean()
                w.session.weights_unsaved = False
                w.close()
                w.scene.detach()
                w.deleteLater()
        for _ in range(3):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
            qapp.processEvents()
        gc.collect()
    from shiboken6 import isValid

    from netbuilder.gui.canvas.scene import DiagramScene

    left = [o for o in gc.get_objects() if issubclass(type(o), DiagramScene) and isValid(o)]
    assert not left, f"the window's canvas outlived it: {left}"
