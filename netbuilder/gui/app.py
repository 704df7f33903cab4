"""Start the desktop app: ``netbuilder`` opens an empty window, ``netbuilder FILE`` a file."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from netbuilder import __version__

ORGANISATION = "NetBuilder"
APPLICATION = "NetBuilder"


_collector: object | None = None  # pyqtgraph's GarbageCollector, kept alive here


def collect_garbage_on_gui_thread() -> None:
    """Run Python's cyclic garbage collector only on the GUI thread, from a timer.

    Left automatic, a collection can start on the training thread and free a Qt object
    there: its destructor takes a Qt lock and waits for the GIL while the GUI thread holds
    the GIL and waits for that lock — a deadlock seen in our own tests. pyqtgraph ships
    this collector for exactly that reason.
    """
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=1.0)


def settle_heap() -> None:
    """Collect once, then freeze every object alive now (modules, classes, widgets) out of
    the cyclic collector's reach (``gc.freeze``).

    The GUI thread runs the collector (above); a full collection over the start-up heap
    (some 240,000 objects: torch, Qt wrappers, pyqtgraph) took 170 ms on the test machine,
    a frozen window every couple of minutes of training. Frozen objects are still freed by
    reference counting; only the collector stops walking them.
    """
    import gc

    gc.collect()
    gc.freeze()


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (created once, with the names QSettings needs)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    collect_garbage_on_gui_thread()
    return app  # type: ignore[return-value]


def run(files: list[str]) -> int:
    """Open the main window (with the first of ``files`` if given) and run the event loop."""
    from netbuilder.gui.i18n import install_language
    from netbuilder.gui.main_window import MainWindow

    app = ensure_app()
    app.setDesktopFileName("netbuilder")
    install_language()  # --lang, else Preferences, else the system locale; before any widget
    window = MainWindow()
    window.show()
    if files and Path(files[0]).is_dir():  # a folder of diagrams: choose one there
        folder = str(Path(files[0]).resolve())
        QTimer.singleShot(0, window, lambda: window.files.open_dialog(folder))
    elif files:
        path = Path(files[0])
        window.files.open(path, ask=False)
    else:
        window.view.fit()
    from netbuilder.gui.recovery import offer_recovery

    # once the window is up: the start-up heap out of the collector's way, then diagrams
    # left by a NetBuilder that crashed or was killed
    QTimer.singleShot(0, window, settle_heap)
    QTimer.singleShot(0, window, lambda: offer_recovery(window))
    from netbuilder.gui.worker import BackgroundJobs

    # a profile or preview still running in the background ends before the interpreter does
    app.aboutToQuit.connect(lambda: BackgroundJobs.shared().wait_all(10.0))
    return app.exec()
