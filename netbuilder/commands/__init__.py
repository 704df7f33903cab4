"""Subcommands of the ``netbuilder`` command line, one module each.

Each module registers itself with ``@command``; ``netbuilder.cli`` imports the modules
listed in ``COMMAND_MODULES``. Exit codes: 0 success, 1 the diagram, training or
verification has a problem, 2 the input cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

EXIT_OK, EXIT_PROBLEM, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a SIGINT (128 + 2)

COMMAND_MODULES = (
    "check",
    "export_code",
    "export",
    "train",
    "predict",
    "render",
    "import_model",
    "export_mermaid",
    "completion",
)

Command = Callable[[argparse.Namespace], int]
Setup = Callable[[argparse.ArgumentParser], None]
COMMANDS: dict[str, tuple[Setup, Command]] = {}


def fail(message: object, code: int = EXIT_BAD_INPUT) -> int:
    """Print ``error: message`` on stderr and return ``code``.

    Overlong words (a path, an id or a name read from a file) are shortened with an
    ellipsis, so no value can turn the error into a wall of text.
    """
    from netbuilder.core.i18n import _
    from netbuilder.core.text import shorten_words

    print(_("error: {message}").format(message=shorten_words(str(message))), file=sys.stderr)
    return code


def command(name: str, setup: Setup) -> Callable[[Command], Command]:
    """Register ``fn`` as subcommand ``name``; its docstring's first line is the help."""

    def wrap(fn: Command) -> Command:
        COMMANDS[name] = (setup, fn)
        return fn

    return wrap
