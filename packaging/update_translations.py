"""Regenerate every translation catalogue: ``python packaging/update_translations.py``.

One command for the lead after merging: it runs each step below, each of which keeps the
existing translations, adds new messages untranslated (the catalogue tests then name them)
and compiles what ships.

- core and command line (gettext, ``resources/translations/netbuilder_core_*.po`` → ``.mo``):
  ``python -m netbuilder.i18n_tools update``;
- the GUI (Qt, ``resources/translations/netbuilder_*.ts`` → ``.qm``): PySide6's lupdate and
  lrelease, ``packaging/gui_translations.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def update_core() -> None:
    from netbuilder import i18n_tools

    for line in i18n_tools.update(ROOT / "resources" / "translations"):
        print(f"core: {line}")


def update_gui() -> None:
    sys.path.insert(0, str(ROOT / "packaging"))
    from gui_translations import update_gui as update

    update()


def main() -> int:
    update_core()
    update_gui()
    return 0


if __name__ == "__main__":
    sys.exit(main())
