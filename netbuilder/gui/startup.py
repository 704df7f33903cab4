"""What the app does when it cannot start: a clean exit instead of Qt's abort, or a dialog.

Qt reports a platform plugin that cannot open the display (``could not connect to display``)
as a fatal message and aborts the process: a core dump, exit code 134, and a hint about
reinstalling. While the QApplication is created, that fatal message is turned into the
command line's own error line and exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QtMsgType,
    qInstallMessageHandler,
)


@contextmanager
def exit_on_platform_failure(advice: str, code: int) -> Iterator[None]:
    """Inside the block, a fatal Qt message prints why and ``advice``, then exits ``code``."""
    seen: list[str] = []

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind != QtMsgType.QtFatalMsg:
            seen.append(message.strip())
            print(message, file=sys.stderr)
            return
        cause = next((m for m in seen if "display" in m), "no Qt platform plugin could start")
        print(f"error: the desktop app cannot start: {cause}", file=sys.stderr)
        print(advice, file=sys.stderr)
        sys.stderr.flush()
        os._exit(code)  # Qt aborts once a fatal handler returns

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def show_startup_error(message: str) -> None:
    """A modal error box for a launch refused before the window opened."""
    from PySide6.QtWidgets import QMessageBox

    from netbuilder.gui.app import ensure_app
    from netbuilder.gui.i18n import install_language

    ensure_app()
    install_language()  # the box's title and Qt's OK button in the user's language
    title = QCoreApplication.translate("Startup", "NetBuilder cannot open this")
    QMessageBox.critical(None, title, message)
