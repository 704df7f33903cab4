"""Run inside a venv where NetBuilder is installed from a wheel: what does the app find?

Prints one JSON object for ``test_wheel_install``: where the package and its resources
come from, the bundled files, and what the GUI's File > Examples menu does offscreen.
Kept as a script (not imported by the tests) because it must run under the other venv.
"""

from __future__ import annotations

import json
import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"


def main() -> int:
    import netbuilder
    from netbuilder.resources import (
        DESKTOP_DIR,
        ICONS_DIR,
        RESOURCES_DIR,
        SAMPLES_DIR,
        example_info,
        example_paths,
    )

    report: dict = {
        "package": netbuilder.__file__,
        "resources": str(RESOURCES_DIR),
        "examples": [str(p) for p in example_paths()],
        "titles": [example_info(p).title for p in example_paths()],
        "samples": sorted(p.name for p in SAMPLES_DIR.glob("*.nbd")),
        "icons": sorted(p.name for p in ICONS_DIR.iterdir()),
        "desktop": sorted(p.name for p in DESKTOP_DIR.iterdir()),
    }
    from netbuilder.gui.app import ensure_app
    from netbuilder.gui.icons import app_icon
    from netbuilder.gui.main_window import MainWindow

    app = ensure_app()
    window = MainWindow()
    window.show()
    app.processEvents()
    report["icon_ok"] = not app_icon().isNull()
    report["menu"] = [a.text() for a in window.examples_menu.actions()]
    opened = {}
    for action in window.examples_menu.actions():
        action.trigger()
        app.processEvents()
        opened[action.text()] = len(window.session.diagram.nodes)
    report["opened"] = opened
    # the GUI's compiled Chinese catalogue came with the wheel and is found there
    from PySide6.QtCore import QCoreApplication, QTranslator

    from netbuilder.gui.i18n import qm_path

    translator = QTranslator()
    report["qm"] = str(qm_path("zh_CN"))
    report["qm_loaded"] = translator.load(report["qm"])
    app.installTranslator(translator)
    report["zh_file_menu"] = QCoreApplication.translate("MainWindow", "&File")
    print(json.dumps(report))
    sys.stdout.flush()
    os._exit(0)  # no close questions about the opened templates, no settings written back


if __name__ == "__main__":
    raise SystemExit(main())
