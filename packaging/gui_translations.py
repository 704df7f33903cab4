"""The GUI's Qt translations: ``netbuilder/gui`` → ``.ts`` (lupdate) → ``.qm`` (lrelease).

Run through ``python packaging/update_translations.py`` (all catalogues) or alone with
``python packaging/gui_translations.py``. Each run:

1. extracts every ``tr()`` / ``QCoreApplication.translate()`` / ``QT_TRANSLATE_NOOP`` string
   of ``netbuilder/gui`` into ``resources/translations/netbuilder_<lang>.ts`` with PySide6's
   ``lupdate``, keeping existing translations (new strings arrive "unfinished": the test
   ``tests/gui/test_i18n_catalogue.py`` names them until a translator fills them in, e.g.
   with ``pyside6-linguist``). Strings gone from the source stay in the .ts marked
   "vanished" (Qt's translation memory): when the same string in the same context comes
   back, or arrives with a branch merged later whose strings were translated ahead,
   lupdate revives it translated;
2. writes English plural forms ("%n block(s)" → "1 block" / "2 blocks") into
   ``netbuilder_en.ts``, which holds plural messages only;
3. compiles every ``.ts`` to the ``.qm`` the app loads (committed, shipped in the wheel),
   ``pyqtgraph_<lang>.ts`` included: the plots' right-click menus and their option panels,
   which pyqtgraph marks with Qt's translate() under its own contexts. That file is edited by
   hand (lupdate cannot read pyqtgraph's Designer-generated aliases).

The tools come with PySide6-Essentials (``PySide6/lupdate``, ``PySide6/lrelease``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUI = ROOT / "netbuilder" / "gui"
TRANSLATIONS = ROOT / "resources" / "translations"
#: translated languages; English gets only its plural forms
LANGUAGES = ("zh_CN",)


def qt_tool(name: str) -> str:
    """Path of ``lupdate`` / ``lrelease`` from the installed PySide6 (or the PATH)."""
    import PySide6

    bundled = Path(PySide6.__file__).parent / name
    if bundled.is_file():
        return str(bundled)
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if found is None:
        raise SystemExit(f"error: {name} not found: install PySide6-Essentials")
    return found


def sources() -> list[str]:
    """The GUI's Python files, relative to the repository (stable .ts locations)."""
    files = sorted(p for p in GUI.rglob("*.py") if "__pycache__" not in p.parts)
    return [str(p.relative_to(ROOT)) for p in files]


def ts_path(language: str, domain: str = "netbuilder") -> Path:
    return TRANSLATIONS / f"{domain}_{language}.ts"


def lupdate(ts: Path, *options: str) -> str:
    """Merge the current GUI strings into ``ts`` (created if missing); lupdate's summary."""
    ts.parent.mkdir(parents=True, exist_ok=True)
    command = [qt_tool("lupdate"), "-locations", "relative", *options]
    command += [*sources(), "-ts", str(ts.relative_to(ROOT))]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def english_forms(source: str) -> tuple[str, str]:
    """Singular and plural of an English counted message: "%n block(s)" → "%n block",
    "%n blocks"; "%n process(es)" → "%n process", "%n processes"."""
    ending = re.compile(r"\((s|es)\)")
    return ending.sub("", source), ending.sub(r"\1", source)


def fill_english_plurals(ts: Path) -> int:
    """Give each plural message of the English catalogue its two forms; how many changed."""
    tree = ET.parse(ts)
    changed = 0
    for message in tree.iter("message"):
        if message.get("numerus") != "yes":
            continue
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        forms = english_forms(source)
        current = [f.text for f in translation.findall("numerusform")]
        if current == list(forms) and translation.get("type") is None:
            continue
        for old in list(translation):
            translation.remove(old)
        for form in forms:
            ET.SubElement(translation, "numerusform").text = form
        translation.attrib.pop("type", None)
        changed += 1
    if changed:
        write_ts(tree, ts)
    return changed


def write_ts(tree: ET.ElementTree, ts: Path) -> None:
    """Write a .ts the way Qt's tools do (UTF-8, DOCTYPE), so diffs stay small."""
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )


def lrelease(ts: Path) -> str:
    """Compile ``ts`` to the ``.qm`` beside it; lrelease's summary."""
    qm = ts.with_suffix(".qm")
    command = [qt_tool("lrelease"), str(ts), "-qm", str(qm)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def update_gui() -> None:
    for language in LANGUAGES:
        print(f"gui {language}: {lupdate(ts_path(language))}")
    english = ts_path("en")
    print(f"gui en: {lupdate(english, '-pluralonly', '-no-obsolete', '-source-language', 'en')}")
    if fill_english_plurals(english):
        # back in lupdate's layout
        lupdate(english, "-pluralonly", "-no-obsolete", "-source-language", "en")
    compiled = [ts_path(language) for language in (*LANGUAGES, "en")]
    compiled += [ts_path(language, "pyqtgraph") for language in LANGUAGES]
    for ts in compiled:
        for line in lrelease(ts).splitlines():
            print(f"gui {ts.stem}: {line.strip()}")


if __name__ == "__main__":
    update_gui()
    sys.exit(0)
