"""Entry point of the bundled (PyInstaller) app: the same ``netbuilder`` command as pip's.

Before Qt starts on an X11 desktop it checks for ``libxcb-cursor.so.0``, which Qt 6's xcb
platform plugin needs and minimal Linux installs lack; ``build.sh`` bundles the build
machine's copy, and without either the user gets one line naming the package to install
instead of Qt's long plugin error.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from pathlib import Path


def xcb_cursor_missing() -> bool:
    """True on an X11 session where neither the bundle nor the system has libxcb-cursor."""
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return False
    if os.environ.get("QT_QPA_PLATFORM", "xcb") not in ("", "xcb"):
        return False
    bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).parent))
    if any(bundle.glob("libxcb-cursor.so*")):
        return False
    return ctypes.util.find_library("xcb-cursor") is None


def main() -> int:
    if xcb_cursor_missing():
        print(
            "NetBuilder: the window needs the system library libxcb-cursor "
            "(Debian/Ubuntu: sudo apt install libxcb-cursor0; Fedora: xcb-util-cursor)",
            file=sys.stderr,
        )
    from netbuilder.cli import entry  # what pip's `netbuilder` script runs

    return entry()


if __name__ == "__main__":
    sys.exit(main())
