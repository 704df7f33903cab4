"""Work around reference-count bugs of PySide6/shiboken6 6.12 on CPython 3.11.

shiboken6 6.12 releases references to ``None`` and ``True`` that it never took, as if they
were immortal (which they are only from CPython 3.12 on): every Python-side
``Signal.emit()`` drops one reference to ``True`` and every Python slot called from a C++
signal (``QTimer.timeout``, ``QThread.finished``…) drops one to ``None``. On 3.11 their
counts reach zero after a few hundred to a few thousand calls and the process aborts with
"Fatal Python error: bool_dealloc" or "none_dealloc" — a GUI that trains for a minute with
a 30 Hz timer dies. Giving the singletons an enormous reference count makes them immortal
in practice, exactly what 3.12 does; it is a no-op on 3.12+.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # ~10^12 stray releases before anything could go wrong
_done = False


def make_singletons_immortal() -> None:
    """Raise the reference counts of None, True and False once (idempotent)."""
    global _done
    if _done or sys.version_info >= (3, 12):
        return
    for obj in (None, True, False):
        # ob_refcnt is the first field of every PyObject in release builds of CPython
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    _done = True
