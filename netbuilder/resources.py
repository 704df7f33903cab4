"""Where the bundled examples, icons and sample data live.

The resources sit at the repository's top level (``resources/``) so that they can be
browsed and edited like any project file; an editable install finds them beside the package.
"""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
EXAMPLES_DIR = RESOURCES_DIR / "examples"


def example_paths() -> list[Path]:
    """All bundled example diagrams, sorted by file name so menus are stable."""
    return sorted(EXAMPLES_DIR.glob("*.nbd"))
