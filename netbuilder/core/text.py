"""Echoing what the user typed or a file held, at a readable length.

Ids, names, paths and strings from files end up in error lines and Diagnostics; a mutated
file with a 5,000-character id must not produce a 5,000-character message. Values are cut
in the middle so both the start and the end (a file name, a suffix) stay visible.
"""

from __future__ import annotations

ELLIPSIS = "…"
LIMIT = 60


def shorten(text: object, limit: int = LIMIT) -> str:
    """``str(text)``, cut in the middle with an ellipsis when longer than ``limit``."""
    s = str(text)
    if len(s) <= limit:
        return s
    keep = max(limit - 1, 2)
    head = (keep * 2 + 2) // 3
    return f"{s[:head]}{ELLIPSIS}{s[len(s) - (keep - head) :]}"


def quoted(value: object, limit: int = LIMIT) -> str:
    """``repr(value)`` shortened the same way: ``'conv1'``, ``'aaaa…aaa'``, ``[1, 2]``."""
    return shorten(repr(value), limit)


def shorten_words(message: str, limit: int = 120) -> str:
    """``message`` with every run of non-space characters longer than ``limit`` shortened.

    The last guard before a line reaches the terminal: a value that no message shortened
    itself (a path, a name read from a file) cannot flood it.
    """
    return " ".join(shorten(w, limit) if len(w) > limit else w for w in message.split(" "))
