"""The core and the trainer must run on servers without Qt (DESIGN: arrows point down only)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "package",
    [
        "netbuilder.core",
        "netbuilder.train",
        "netbuilder.export",
        "netbuilder.importers",
        "netbuilder.cli",
    ],
)
def test_package_imports_without_qt(package: str) -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        f"pkg = importlib.import_module({package!r})\n"
        "if hasattr(pkg, '__path__'):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken'))]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importers_stay_below_train_and_gui() -> None:
    """importers may use core and export's safe loading, never train or gui."""
    code = (
        "import sys, importlib, pkgutil\n"
        "import netbuilder.importers as pkg\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('netbuilder.train', 'netbuilder.gui'))]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
