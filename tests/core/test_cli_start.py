"""The command line starts fast and never waits for a window nobody can see (issue 15)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.launch import OFFSCREEN_OPT_IN, display_problem
from netbuilder.resources import EXAMPLES_DIR

REPO = Path(__file__).resolve().parents[2]
CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"


def imports_after(argv: list[str]) -> set[str]:
    """Top-level packages loaded by one ``netbuilder`` call, in a fresh interpreter."""
    code = (
        "import sys\n"
        "from netbuilder.cli import main\n"
        "try:\n"
        f"    code = main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print('MODULES', sorted({m.split('.')[0] for m in sys.modules}))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES"))
    return set(eval(line.removeprefix("MODULES ")))


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["check", str(CNN)],
        ["check", *map(str, EXAMPLES_DIR.glob("*.nbd"))],
    ],
    ids=["help", "version", "check-cnn", "check-all-examples"],
)
def test_help_and_check_never_import_torch_or_qt(argv: list[str]) -> None:
    """torch costs seconds of start-up; shapes and parameter counts need none of it."""
    loaded = imports_after(argv)
    assert not loaded & {"torch", "PySide6", "shiboken6", "pyqtgraph", "networkx", "numpy"}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``netbuilder ARGS`` in a fresh process; the timeout turns a hang into a failure."""
    return subprocess.run(
        [sys.executable, "-m", "netbuilder", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
    )


def test_a_mistyped_command_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "net.nbd").write_text(CNN.read_text("utf-8"), "utf-8")
    result = run_cli("chekc", str(tmp_path / "net.nbd"))
    assert result.returncode == 2
    first, *rest = result.stderr.strip().splitlines()
    assert first == "error: unknown command 'chekc'; did you mean 'check'?"
    names = rest[0].removeprefix("commands: ").split(" (")[0].split(", ")
    assert {"check", "export", "export-code", "render", "train"} <= set(names)
    result = run_cli("frobnicate")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown command 'frobnicate'\ncommands: ")


@pytest.mark.parametrize(
    ("arg", "message"),
    [
        ("missing.nbd", "missing.nbd: no such file"),
        ("sub/missing.pt", "missing.pt: no such file"),
        ("notes.txt", "the app opens .nbd and .pt files, not '.txt'"),
        (".", "this folder holds no .nbd diagrams"),
    ],
)
def test_files_the_app_cannot_open_exit_2_at_once(arg: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "netbuilder", arg],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [[], [str(CNN)], [str(EXAMPLES_DIR)]], ids=["app", "file", "dir"])
def test_no_display_exits_2_naming_the_headless_commands(args: list[str]) -> None:
    result = run_cli(*args, env={"QT_QPA_PLATFORM": "offscreen", OFFSCREEN_OPT_IN: ""})
    assert result.returncode == 2
    assert "error: the desktop app cannot start: QT_QPA_PLATFORM=offscreen" in result.stderr
    headless = next(x for x in result.stderr.splitlines() if "use the commands:" in x)
    names = headless.split("commands: ")[1].split(" (")[0].split(", ")
    assert {"check", "export", "export-code", "render", "train"} <= set(names)
    assert "xvfb-run" in result.stderr and OFFSCREEN_OPT_IN in result.stderr


def test_a_qt_platform_that_fails_exits_2_instead_of_aborting() -> None:
    """Qt aborts (core dump, exit 134) when no platform plugin starts; we exit 2."""
    result = run_cli(env={"QT_QPA_PLATFORM": "no-such-platform"})
    assert result.returncode == 2
    assert "error: the desktop app cannot start" in result.stderr
    assert "use the commands: check" in result.stderr


@pytest.mark.parametrize(
    ("env", "platform", "up", "expected"),
    [
        ({}, "linux", True, "no display: WAYLAND_DISPLAY and DISPLAY are not set"),
        ({"DISPLAY": ":0"}, "linux", True, None),
        ({"DISPLAY": ":7"}, "linux", False, "the display cannot be reached (DISPLAY=:7)"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True, None),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, "linux", True, "DISPLAY is not set"),
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux", True, "draws no window"),
        ({"QT_QPA_PLATFORM": "minimal"}, "win32", True, "draws no window"),
        ({"QT_QPA_PLATFORM": "offscreen", OFFSCREEN_OPT_IN: "1"}, "linux", False, None),
        ({}, "win32", False, None),
        ({}, "darwin", False, None),
        ({"QT_QPA_PLATFORM": "eglfs"}, "linux", False, None),
    ],
)
def test_display_problem(
    env: dict[str, str], platform: str, up: bool, expected: str | None
) -> None:
    problem = display_problem(env, platform, reachable=lambda kind, env: up)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


def test_an_x_display_that_answers_is_reachable(tmp_path: Path) -> None:
    """The probe itself: a listening socket counts, a dead display number does not."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        if port < 6000:
            pytest.skip("the OS gave a port below X11's range")
        number = port - 6000
        assert display_problem({"DISPLAY": f"127.0.0.1:{number}"}, "linux") is None
    assert display_problem({"DISPLAY": f"127.0.0.1:{number}"}, "linux") is not None
    assert display_problem({"DISPLAY": ":59999"}, "linux") is not None
