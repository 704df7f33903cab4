"""Subcommands of the ``netbuilder`` command line, one module each.

Each module registers itself with ``@command``; ``netbuilder.cli`` imports the modules
listed in ``COMMAND_MODULES``. Exit codes: 0 success, 1 the diagram, training or
verification has a problem, 2 the input cannot be read.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

EXIT_OK, EXIT_PROBLEM, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a SIGINT (128 + 2)

COMMAND_MODULES = ("check", "export_code", "export", "train", "render")

Command = Callable[[argparse.Namespace], int]
Setup = Callable[[argparse.ArgumentParser], None]
COMMANDS: dict[str, tuple[Setup, Command]] = {}


def command(name: str, setup: Setup) -> Callable[[Command], Command]:
    """Register ``fn`` as subcommand ``name``; its docstring's first line is the help."""

    def wrap(fn: Command) -> Command:
        COMMANDS[name] = (setup, fn)
        return fn

    return wrap
