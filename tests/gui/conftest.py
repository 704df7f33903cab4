"""Qt fixtures: a fresh main window per test, isolated settings, and leak checks.

Every test gets its own window, its own settings folder and its own crash-recovery folder
(so recent files, window state and autosaves never leak into the user's real folders or
between tests). After each test the window is closed without prompting and deleted; the
test fails if a QThread is still running or a canvas scene outlived its window.
"""

from __future__ import annotations

import gc
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QThread
from PySide6.QtWidgets import QApplication


@pytest.fixture(autouse=True, scope="session")
def gui_thread_garbage_collection(qapp: QApplication):
    """As the app does: cyclic GC only on the GUI thread (see collect_garbage_on_gui_thread)."""
    from netbuilder.gui.app import collect_garbage_on_gui_thread

    collect_garbage_on_gui_thread()
    yield


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication):
    """QSettings go to a temporary folder (recent files, window layout)."""
    folder = tmp_path_factory.mktemp("settings")
    QCoreApplication.setOrganizationName("NetBuilderTests")
    QCoreApplication.setApplicationName("NetBuilderTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def background_jobs_end():
    """Background jobs a test started (cost profiles after each check, previews) end with
    it: none runs into the next test, nor into the interpreter's shutdown at the end of the
    session, where a daemon thread inside torch can crash the process after the summary."""
    yield
    from netbuilder.gui.worker import BackgroundJobs

    assert BackgroundJobs.shared().wait_all(60.0), "a background job did not end in 60 s"


@pytest.fixture(autouse=True)
def clipboard_emptied(qapp: QApplication):
    """A test that copies blocks leaves nothing on the clipboard: the next test pastes only
    what it copied itself, and no Python-made QMimeData outlives the interpreter. (The
    offscreen platform's clipboard deletes the data it holds in an exit handler, after
    Python has finalized: that was the SIGSEGV after the summary of a full run.)"""
    yield
    qapp.clipboard().clear()


@pytest.fixture(autouse=True)
def no_translators_left():
    """A test that installs the app's translators (a launch, a language test) takes them
    out again: later tests read the untranslated source texts."""
    yield
    from netbuilder.gui.i18n import remove_translators

    remove_translators()


@pytest.fixture(autouse=True)
def isolated_recovery(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Autosaved recovery copies go to a temporary folder, never the user's real one; an
    unexpected recovery question fails the test instead of waiting for a click."""
    from netbuilder.gui import recovery

    folder = tmp_path_factory.mktemp("recovery")
    monkeypatch.setattr(recovery, "recovery_dir", lambda: folder)

    def unexpected(parent, orphans):
        raise AssertionError(f"unexpected recovery question: {[o.name for o in orphans]}")

    monkeypatch.setattr(recovery, "ask_to_recover", unexpected)
    yield folder


def _live_scenes() -> list:
    from netbuilder.gui.canvas.scene import DiagramScene

    return [obj for obj in gc.get_objects() if issubclass(type(obj), DiagramScene)]


@pytest.fixture(autouse=True)
def no_unexpected_questions(monkeypatch: pytest.MonkeyPatch):
    """A modal question nobody answers would hang the run: fail the test instead.

    Tests that expect a question patch ``QMessageBox.question`` themselves, later.
    """
    from PySide6.QtWidgets import QMessageBox

    def unexpected(parent, title, text, *args, **kwargs):
        raise AssertionError(f"unexpected question {title!r}: {text}")

    monkeypatch.setattr(QMessageBox, "question", staticmethod(unexpected))


@pytest.fixture
def make_window(qtbot, qapp: QApplication):
    """Factory of main windows; all are closed (without asking) and checked for leaks."""
    from netbuilder.gui.main_window import MainWindow

    windows: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow()
        w.resize(1400, 860)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.training_panel.shutdown()  # a run still going would ask whether to stop it
        w.session.undo_stack.setClean()  # no "save changes?" prompt at teardown
        w.session.weights_unsaved = False  # nor "save the trained model?"
        w.close()
        w.scene.detach()
        w.deleteLater()
    windows.clear()
    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        qapp.processEvents()
    gc.collect()
    # type() rather than isinstance(): some lazy torch objects warn when asked for __class__
    running = [t for t in gc.get_objects() if issubclass(type(t), QThread) and _running(t)]
    assert not running, f"QThreads left running: {running}"
    leaked = [s for s in _live_scenes() if _alive(s)]
    assert not leaked, f"canvas scenes outlived their window: {leaked}"


def _running(thread: QThread) -> bool:
    try:
        return thread.isRunning() and thread is not QThread.currentThread()
    except RuntimeError:  # the C++ object is gone: not running
        return False


def _alive(obj) -> bool:
    from shiboken6 import isValid

    return isValid(obj)


@pytest.fixture
def window(make_window):
    return make_window()
