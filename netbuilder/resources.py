"""Where the bundled examples, icons, sample data and desktop files live.

They are edited in the repository's top-level ``resources/`` folder, which every install
carries as the package ``netbuilder.assets`` (see ``setup.py``): a wheel copies it into
site-packages, an editable install maps it in place, and a frozen app (PyInstaller) bundles
it. ``importlib.resources`` finds it in each case. Running from a checkout that was never
installed, or from an editable install made before the mapping existed, falls back to the
folder beside the package.

``python -m netbuilder.resources`` prints the folder, e.g. to install the desktop files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ASSETS_PACKAGE = "netbuilder.assets"


def _resources_dir() -> Path:
    try:
        root = resources.files(ASSETS_PACKAGE)
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path) and (root / "examples").is_dir():
        return root
    return Path(__file__).resolve().parent.parent / "resources"


RESOURCES_DIR = _resources_dir()
EXAMPLES_DIR = RESOURCES_DIR / "examples"
SAMPLES_DIR = RESOURCES_DIR / "samples"
ICONS_DIR = RESOURCES_DIR / "icons"
DESKTOP_DIR = RESOURCES_DIR / "desktop"


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


if __name__ == "__main__":
    print(RESOURCES_DIR)
