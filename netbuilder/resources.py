"""Where the bundled examples, icons and sample data live.

The resources sit at the repository's top level (``resources/``) so that they can be
browsed and edited like any project file; an editable install finds them beside the package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
EXAMPLES_DIR = RESOURCES_DIR / "examples"


def example_paths() -> list[Path]:
    """All bundled example diagrams, sorted by file name so menus are stable."""
    return sorted(EXAMPLES_DIR.glob("*.nbd"))


@dataclass(frozen=True)
class ExampleInfo:
    """What menus and the empty canvas say about an example, read from the file itself."""

    path: Path
    title: str
    description: str
    dataset: str


def example_info(path: Path) -> ExampleInfo:
    """The example's ``meta.name`` / ``meta.description`` and training dataset.

    Falls back to the file name ("small_resnet" → "Small resnet") for a file without them,
    so a broken or hand-made example still gets a menu entry.
    """
    fallback = path.stem.replace("_", " ").capitalize()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        meta = raw.get("meta") or {}
        training = raw.get("training") or {}
        return ExampleInfo(
            path,
            str(meta.get("name") or fallback),
            str(meta.get("description") or ""),
            str(training.get("dataset") or ""),
        )
    except (OSError, ValueError, AttributeError):
        return ExampleInfo(path, fallback, "", "")
