"""Every user-visible string in ``netbuilder/gui`` is marked for translation (issue 11).

A static check: string literals (and f-strings) handed to the calls that put text on screen
(``setText``, ``setToolTip``, ``QAction(...)``, ``addMenu``, ``QMessageBox.warning``...) must
come through ``tr()`` / ``QCoreApplication.translate()``. Literals with no words in them
(``"–"``, ``"{p:.1%}"``, markup around a translated part) and proper names (NetBuilder,
Mermaid) pass. ``test_i18n_window.py`` checks the running window in Chinese as well.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "netbuilder" / "gui"

#: methods whose string arguments end up on screen (every positional argument is checked)
SINK_METHODS = {
    "setText",
    "setPlainText",
    "setHtml",
    "setToolTip",
    "setStatusTip",
    "setWhatsThis",
    "setPlaceholderText",
    "setWindowTitle",
    "setAccessibleName",
    "setAccessibleDescription",
    "addMenu",
    "addAction",
    "addTab",
    "insertTab",
    "setTabText",
    "setTabToolTip",
    "addRow",
    "insertRow",
    "setTitle",
    "setLabel",
    "addItem",
    "addItems",
    "insertItem",
    "setItemText",
    "showMessage",
    "setFormat",
    "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels",
    "setHeaderLabels",
    "setSpecialValueText",
    "setSuffix",
    "setPrefix",
    "setInformativeText",
    "setDetailedText",
    "setEmptyLabel",
    "drawText",
    "addButton",
    "addPlot",
    "show_error",
    "show_note",
    "_log",
    "_error",
    "_fail",
    "macro",
}
#: constructors whose string arguments are labels
SINK_CLASSES = {
    "QAction",
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QGroupBox",
    "QToolButton",
    "QMenu",
    "QDockWidget",
    "QListWidgetItem",
    "QTreeWidgetItem",
    "QTableWidgetItem",
    "QUndoCommand",
    "PlotWidget",
    "FragmentError",
    "ImageExportError",
    "ExportError",
    "InputError",
    "DiagramError",
    "OpenError",
    "StatusEvent",
    "FailedEvent",
}
#: static functions of QMessageBox / QFileDialog / QInputDialog with title and text arguments
SINK_STATICS = {
    "warning",
    "information",
    "question",
    "critical",
    "about",
    "getOpenFileName",
    "getOpenFileNames",
    "getSaveFileName",
    "getExistingDirectory",
    "getText",
    "getItem",
}
#: keyword arguments that are labels
SINK_KEYWORDS = {"title", "text", "toolTip", "label"}
#: words that stay as they are in every language
PROPER = {
    "NetBuilder",
    "Mermaid",
    "PyTorch",
    "ONNX",
    "TensorBoard",
    "LR",
    "MB",
    "SVG",
    "PNG",
    "FLOPs",
    "Net",  # the example nn.Module class name in the import dialog
    "builtin",  # dataset ids: builtin:shapes
}
#: arguments that are not text, by method: pyqtgraph's setLabel(axis, text)
SKIP_FIRST = {"setLabel"}
MARKUP = re.compile(r"<[^>]*>|&\w+;|\{[^}]*\}|%\d|%n|\*\.\w+")
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    """The words of ``text`` a translator would have to translate."""
    return [w for w in WORD.findall(MARKUP.sub(" ", text)) if w not in PROPER]


def _literal_texts(node: ast.AST) -> list[str]:
    """The raw (unmarked) text an argument expression puts on screen."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value for v in node.values if isinstance(v, ast.Constant))]
    if isinstance(node, ast.BinOp):
        return _literal_texts(node.left) + _literal_texts(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_texts(node.body) + _literal_texts(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [t for v in node.values for t in _literal_texts(v)]
    # "<b>{}</b>".format(self.tr(...)) or ", ".join(...): the literal template counts
    method = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    if method and node.func.attr in ("format", "join"):  # type: ignore[union-attr]
        return _literal_texts(node.func.value)  # type: ignore[union-attr]
    if isinstance(node, ast.List | ast.Tuple):
        return [t for e in node.elts for t in _literal_texts(e)]
    return []


def _call_name(func: ast.AST) -> tuple[str, str]:
    """(kind, name): kind "method" for ``x.name(...)``, "plain" for ``name(...)``."""
    if isinstance(func, ast.Attribute):
        return "method", func.attr
    if isinstance(func, ast.Name):
        return "plain", func.id
    return "", ""


def unmarked_strings(path: Path) -> list[str]:
    """``file:line: text`` for each user-visible literal not passed through tr()."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        kind, name = _call_name(node.func)
        checked: list[ast.AST] = []
        if (kind and name in SINK_METHODS) or name in SINK_CLASSES:
            checked = list(node.args[1:] if name in SKIP_FIRST else node.args)
        elif kind == "method" and name in SINK_STATICS:
            base = node.func.value  # type: ignore[attr-defined]
            if isinstance(base, ast.Name) and base.id in ("QMessageBox", "QFileDialog"):
                checked = list(node.args)
        checked += [k.value for k in node.keywords if k.arg in SINK_KEYWORDS]
        for arg in checked:
            for text in _literal_texts(arg):
                if english_words(text):
                    found.append(f"{path.name}:{node.lineno}: {text!r}")
    return found


def gui_files() -> list[Path]:
    return sorted(p for p in GUI.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_scan_finds_unmarked_strings(tmp_path: Path) -> None:
    """The checker itself: it flags raw labels and passes marked or wordless ones."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from PySide6.QtWidgets import QLabel, QMessageBox\n"
        "def f(self, n):\n"
        "    QLabel('Select a block')\n"
        "    self.label.setText(f'{n} blocks selected')\n"
        "    QMessageBox.warning(self, 'Cannot open', 'x')\n"
        "    self.plot = pg.PlotWidget(title='Loss')\n"
        "    self.label.setText(self.tr('Select a block'))\n"
        "    self.label.setText('<b>{}</b>'.format(self.tr('Start')))\n"
        "    self.label.setText(f'{n:.1%} · {n}')\n"
        "    self.label.setText('NetBuilder')\n",
        encoding="utf-8",
    )
    found = unmarked_strings(sample)
    assert [f.split(": ", 1)[1] for f in found] == [
        "'Select a block'",
        "' blocks selected'",  # an f-string's own words
        "'Cannot open'",
        "'Loss'",
    ]


@pytest.mark.parametrize("path", gui_files(), ids=lambda p: str(p.relative_to(GUI)))
def test_visible_strings_are_marked_for_translation(path: Path) -> None:
    assert unmarked_strings(path) == []


def lupdate_blind_spots(path: Path) -> list[str]:
    """Calls lupdate cannot read: ``translate`` under another name, and counted messages
    through ``QCoreApplication.translate`` with a variable count (lupdate then extracts them
    without plural forms); use ``self.tr(text, "", n)`` or ``gui.i18n.Counted``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        value = node.value if isinstance(node, ast.Assign) else None
        if isinstance(value, ast.Attribute) and value.attr in ("translate", "tr"):
            found.append(f"{path.name}:{node.lineno}: translate under another name")
        counted = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "translate"
            and len(node.args) >= 4
            and not isinstance(node.args[3], ast.Constant)
        )
        if counted:
            found.append(f"{path.name}:{node.lineno}: counted translate()")
    return found


def test_the_blind_spot_scan(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "t = QCoreApplication.translate\n"
        "a = QCoreApplication.translate('C', '%n x(s)', None, n)\n"
        "b = QCoreApplication.translate('C', 'fine')\n"
        "c = self.tr('%n x(s)', '', n)\n",
        encoding="utf-8",
    )
    assert lupdate_blind_spots(sample) == [
        "sample.py:1: translate under another name",
        "sample.py:2: counted translate()",
    ]


@pytest.mark.parametrize("path", gui_files(), ids=lambda p: str(p.relative_to(GUI)))
def test_lupdate_can_read_every_marked_string(path: Path) -> None:
    assert lupdate_blind_spots(path) == []
