"""Start the desktop app: ``netbuilder`` opens an empty window, ``netbuilder FILE`` a file."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from netbuilder import __version__

ORGANISATION = "NetBuilder"
APPLICATION = "NetBuilder"


def ensure_app(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication (created once, with the names QSettings needs)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    return app  # type: ignore[return-value]


def run(files: list[str]) -> int:
    """Open the main window (with the first of ``files`` if given) and run the event loop."""
    from netbuilder.gui.main_window import MainWindow

    app = ensure_app()
    app.setDesktopFileName("netbuilder")
    window = MainWindow()
    window.show()
    if files:
        path = Path(files[0])
        window.files.open(path, ask=False)
    else:
        window.view.fit()
    return app.exec()
