"""The command line starts fast and never waits for a window nobody can see (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
