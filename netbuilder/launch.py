"""Deciding whether ``netbuilder ARG...`` opens the desktop app, and refusing fast when not.

Anything that is not a subcommand used to be taken as files for the app, so a typo
(``netbuilder chekc net.nbd``) or a server without a display started a window nobody could
see and waited forever: a hang in a script or CI job. Here the arguments and the display
are checked before Qt is even imported; every refusal is one clear message and exit 2.
"""

from __future__ import annotations

import difflib
import os
import socket
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from netbuilder.core.i18n import _
from netbuilder.core.text import quoted, shorten

EXIT_BAD_INPUT = 2
#: What the app opens: diagrams and NetBuilder trained models.
APP_SUFFIXES = (".nbd", ".pt")
#: Set to 1 to start the app on an offscreen/minimal Qt platform (tests, benchmarks).
OFFSCREEN_OPT_IN = "NETBUILDER_ALLOW_OFFSCREEN"
#: Qt platforms that draw into memory only: a window there can never be seen or closed.
INVISIBLE_PLATFORMS = ("offscreen", "minimal", "minimalegl")


def unknown_command(word: str, commands: Iterable[str]) -> str:
    """``unknown command 'chekc'; did you mean 'check'?`` and the list of commands."""
    names = sorted(commands)
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if close:
        first = _("unknown command {word}; did you mean '{guess}'?").format(
            word=quoted(word), guess=close[0]
        )
    else:
        first = _("unknown command {word}").format(word=quoted(word))
    return "\n".join(
        (
            first,
            _("commands: {names} (netbuilder COMMAND --help)").format(names=", ".join(names)),
            _("to open the app with a file, give an existing {suffixes} file").format(
                suffixes=_(" or ").join(APP_SUFFIXES)
            ),
        )
    )


def app_argument_problem(args: list[str], commands: Iterable[str]) -> str | None:
    """Why ``args`` (not a subcommand) cannot be opened in the app, or None if they can.

    A word that looks like neither a path nor a file name is a mistyped command.
    """
    for arg in args:
        path = Path(arg)
        looks_like_path = any(c in arg for c in "./\\") or path.exists()
        if not looks_like_path:
            return unknown_command(arg, commands)
        if path.is_dir():
            if not any(path.glob("*.nbd")):
                return _("{path}: this folder holds no .nbd diagrams").format(path=shorten(arg))
            continue
        if path.suffix.lower() not in APP_SUFFIXES:
            return _("{path}: the app opens {suffixes} files, not {given}").format(
                path=shorten(arg),
                suffixes=_(" and ").join(APP_SUFFIXES),
                given=quoted(path.suffix or path.name),
            )
        if not path.exists():
            return _("{path}: no such file").format(path=shorten(arg))
    return None


def display_problem(
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    reachable: Callable[[str, Mapping[str, str]], bool] | None = None,
) -> str | None:
    """Why no window could be seen here, or None when a display is usable.

    Linux and the BSDs need an X11 (``DISPLAY``) or Wayland (``WAYLAND_DISPLAY``) server
    that answers; Windows and macOS always have a screen. ``QT_QPA_PLATFORM=offscreen``
    (what test suites set) draws nowhere, so it counts as no display unless
    ``NETBUILDER_ALLOW_OFFSCREEN=1`` asks for exactly that.
    """
    env = os.environ if env is None else env
    reachable = reachable or _server_answers
    if env.get(OFFSCREEN_OPT_IN, "") not in ("", "0"):
        return None
    wanted = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip().lower()
    if wanted in INVISIBLE_PLATFORMS:
        return f"QT_QPA_PLATFORM={shorten(wanted)} draws no window anyone can see"
    if wanted not in ("", "xcb", "wayland", "wayland-egl") or platform in ("win32", "darwin"):
        return None  # eglfs, linuxfb, vnc...: a screen of their own; Qt reports failures
    kinds = {"xcb": ("DISPLAY",), "wayland": ("WAYLAND_DISPLAY",)}.get(
        wanted.removesuffix("-egl"), ("WAYLAND_DISPLAY", "DISPLAY")
    )
    named = [k for k in kinds if env.get(k)]
    if not named:
        return f"no display: {' and '.join(kinds)} {'is' if len(kinds) == 1 else 'are'} not set"
    if any(reachable(k, env) for k in named):
        return None
    shown = ", ".join(f"{k}={shorten(env[k])}" for k in named)
    return f"the display cannot be reached ({shown})"


def _server_answers(kind: str, env: Mapping[str, str]) -> bool:
    """Whether the X11 or Wayland server named in ``env`` accepts a connection."""
    value = env[kind]
    if kind == "WAYLAND_DISPLAY":
        path = Path(value) if value.startswith("/") else Path(env.get("XDG_RUNTIME_DIR", "/"))
        return _connects(socket.AF_UNIX, str(path if value.startswith("/") else path / value))
    host, _, rest = value.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return True  # a form we do not parse (e.g. XQuartz's launchd path): let Qt try
    if host in ("", "unix") or host.startswith("/"):
        sock = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, sock) or _connects(socket.AF_UNIX, "\0" + sock)
    return _connects(socket.AF_INET, (host, 6000 + int(number)))


def _connects(family: int, address: str | tuple[str, int]) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(address)
        return True
    except (OSError, ValueError):
        return False


def headless_help(commands: Iterable[str]) -> str:
    """What to do instead: the commands that need no display, and how to get the app."""
    return (
        f"without a display, use the commands: {', '.join(sorted(commands))} "
        "(netbuilder COMMAND --help)\n"
        "for the app, run it in a desktop session, over ssh -X, or under xvfb-run; "
        f"{OFFSCREEN_OPT_IN}=1 starts it offscreen anyway (tests)"
    )


def launch_app(args: list[str], commands: Iterable[str]) -> int:
    """Open the editor with ``args`` (files or a folder), or refuse at once with exit 2."""
    commands = list(commands)
    problem = app_argument_problem(args, commands)
    no_display = display_problem()
    if problem is not None:
        print(_("error: {message}").format(message=problem), file=sys.stderr)
        if no_display is None and not sys.stderr.isatty():
            _show_dialog(problem)  # started from a desktop launcher: nobody reads stderr
        return EXIT_BAD_INPUT
    if no_display is not None:
        print(
            _("error: the desktop app cannot start: {reason}").format(reason=no_display),
            file=sys.stderr,
        )
        print(headless_help(commands), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        from netbuilder.gui.app import ensure_app, run
        from netbuilder.gui.startup import exit_on_platform_failure
    except ImportError as exc:
        print(
            _("error: the desktop app cannot start: {reason}").format(reason=exc), file=sys.stderr
        )
        return EXIT_BAD_INPUT
    with exit_on_platform_failure(headless_help(commands), EXIT_BAD_INPUT):
        ensure_app()  # where Qt opens the display: a failure there exits 2, never aborts
    return run(args)


def _show_dialog(message: str) -> None:
    try:
        from netbuilder.gui.startup import show_startup_error
    except ImportError:
        return
    show_startup_error(message)
