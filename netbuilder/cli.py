"""The ``netbuilder`` command line: the same engine as the app, without a display.

Exit codes: 0 success, 1 the diagram or the training has a problem, 2 the input cannot be
read (bad file, bad arguments). Errors are one clear line, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence

from netbuilder import __version__
from netbuilder.commands import COMMAND_MODULES, COMMANDS, EXIT_INTERRUPTED, fail
from netbuilder.core.i18n import ENV_VAR, LANGUAGES, N_, _, normalize_language, set_language
from netbuilder.core.text import quoted

#: argparse's own words that users see (usage, section titles, errors). argparse looks each
#: up through its module-level gettext alias ``argparse._``; ``main`` points that at the
#: core's catalogue, so ``--help`` and argument errors come in one language.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netbuilder",
        description=_("Draw neural networks, check their shapes, train and export them."),
    )
    for module in COMMAND_MODULES:
        importlib.import_module(f"netbuilder.commands.{module}")
    parser.add_argument("--version", action="version", version=f"netbuilder {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=_("check this installation without a display (example, train, export) and exit"),
    )
    parser.add_argument(  # taken out of argv before parsing (see take_language)
        "--lang",
        metavar="LANG",
        help=_(
            "language of messages and the app: {languages} (default: ${env}, else the "
            "system locale)"
        ).format(languages=", ".join(LANGUAGES), env=ENV_VAR),
    )
    # the whole parser travels with the arguments: `completion` describes it without
    # importing this module (commands sit below the cli layer)
    parser.set_defaults(parser=parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (setup, fn) in COMMANDS.items():
        doc = (fn.__doc__ or "").strip().splitlines()
        p = sub.add_parser(name, help=_(doc[0]) if doc else None)
        setup(p)
        p.set_defaults(func=fn)
    return parser


def take_language(argv: list[str]) -> tuple[list[str], str | None]:
    """``argv`` without ``--lang CODE`` / ``--lang=CODE`` (anywhere before ``--``), and CODE.

    Taken out before parsing because the language must be set before the parser (its help
    texts) is built, and so that ``netbuilder --lang zh_CN net.nbd`` still opens the app.
    """
    rest: list[str] = []
    code: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg == "--lang":
            if i + 1 >= len(argv):
                raise ValueError(_("--lang needs a language: {languages}").format(
                    languages=", ".join(LANGUAGES)
                ))  # fmt: skip
            code = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--lang="):
            code = arg.partition("=")[2]
        else:
            rest.append(arg)
        i += 1
    return rest, code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        argv, code = take_language(argv)
    except ValueError as exc:
        return fail(exc)
    if code is not None:
        language = normalize_language(code)
        if language is None:
            return fail(
                _("unknown language {code}; choose one of: {languages}").format(
                    code=quoted(code), languages=", ".join(LANGUAGES)
                )
            )
        set_language(language)
        os.environ[ENV_VAR] = language  # the app and training subprocesses follow it
    argparse._ = _  # type: ignore[attr-defined]  # see ARGPARSE_MESSAGES
    parser = build_parser()
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return _launch_gui(argv)  # files for the app, or a mistyped command
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments, 0 on --help/--version
        return int(exc.code or 0)
    if args.self_test:
        from netbuilder.selftest import run_self_test

        return run_self_test()
    if args.command is None:
        return _launch_gui([])
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return EXIT_INTERRUPTED


def entry() -> int:
    """The ``netbuilder`` executable: ``main`` plus a clean exit on a late Ctrl-C.

    Once the command has finished (its files written atomically), Python and torch can
    take seconds to shut down; a Ctrl-C then would kill the process by signal (status -2,
    no message). It ends the process with 130 instead. Not done in ``main`` itself, which
    tests and other programs call in-process.
    """
    code = main()
    if threading.current_thread() is threading.main_thread():

        def exit_now(signum: int, frame: object) -> None:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)

        signal.signal(signal.SIGINT, exit_now)
    return code


def _launch_gui(args: list[str]) -> int:
    """Open the editor (the only place the CLI touches Qt), or refuse with exit 2 at once:
    unknown command, missing file, no display (see ``netbuilder.launch``)."""
    from netbuilder.launch import launch_app

    return launch_app(args, COMMANDS)
