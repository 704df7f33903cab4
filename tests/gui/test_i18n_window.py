"""The window in Chinese: every text a user can see is Chinese, apart from names that stay
as they are (block types, parameter names, PyTorch, ONNX, file names, numbers, shapes).

The window is built with the zh_CN catalogue (and Qt's own) loaded, an example opened, a
block selected, a short training run done and its evaluation shown; the test then walks
every widget, item, tab, header, menu and action of the window and of its dialogs and fails
on any English word left. ``test_i18n_marked.py`` checks the source statically as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QTabBar,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

from netbuilder.core.blocks import BLOCKS
from netbuilder.core.i18n import set_language
from netbuilder.core.io import load
from netbuilder.gui import i18n
from netbuilder.gui.recovery import ask_to_recover as real_ask_to_recover
from netbuilder.resources import EXAMPLES_DIR, example_paths
from netbuilder.train.config import DATASET_OPTION_FIELDS, FIELDS

WAIT_MS = 90_000

#: words that stay as they are in a Chinese interface
PROPER = {
    "NetBuilder",
    "PyTorch",
    "Python",
    "ONNX",
    "TensorBoard",
    "Mermaid",
    "JSON",
    "CSV",
    "PNG",
    "SVG",
    "FLOPs",
    "ETA",
    "MSE",
    "MAE",
    "ID",
    "Ctrl",
    "Shift",
    "Alt",
    "Tab",
    "Delete",
    "Enter",
    "graph",  # Mermaid syntax: graph LR
    "from",  # code shown as code: from model import load_model
    "import",
    "model",
    "torchrun",
    "onnxruntime",
    "nn",
    "Module",
    "Net",  # the example class name in the import dialog
    "English",  # a language's name in its own language, in the Preferences list
    # names of people, products and architectures in block and example descriptions
    "ResNet",
    "Transformer",
    "Swish",
    "Elman",
    "LeCun",
    "Apple",
    "max",  # max(0, x)
    "NaN",  # the value's own name, as torch prints it
    "Inf",
    "Esc",  # a key's name
    "one-cycle",  # a learning-rate schedule's name
    # units
    "KiB",
    "MiB",
    "GiB",
}
#: markup, placeholders, code in backticks or with parentheses, paths and file names
NOT_WORDS = re.compile(
    r"<[^>]*>|&\w+;|\S*\(\S*\)\S*|\S*\.(?:py|pt2?|onnx|nbd|mmd|md|png|svg|csv|tsv|txt|run)\b"
    r"|\S*/\S*|\S+=\S*|--\S+|'netbuilder [^']*'"  # a command quoted whole
)
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.:+-]*")


def code_words() -> set[str]:
    """Identifiers shown as they are: block types, parameter names and choice values."""
    words = set(BLOCKS)
    for spec in BLOCKS.values():
        for p in spec.params:
            words.add(p.name)
            words.update(str(c) for c in p.choices or ())
    for path in example_paths():  # sub-block types the examples define (BasicBlock)
        words.update(load(path).definitions)
    for p in (*FIELDS, *DATASET_OPTION_FIELDS):
        words.add(p.name)
        words.update(str(c) for c in p.choices or ())
    return words


def english(text: str, allowed: set[str]) -> list[str]:
    """The English words of ``text`` that a Chinese reader would need translated."""
    words = []
    for token in TOKEN.findall(NOT_WORDS.sub(" ", text)):
        token = token.rstrip(".:-")
        if len(token) < 2 or token in allowed or token in PROPER:
            continue
        if any(c.isdigit() or c in "_.:+" for c in token) or token.isupper():
            continue  # identifiers, versions, shapes, acronyms: conv1, 1x28x28, builtin:x, LSTM
        words.append(token)
    return words


# ---------------------------------------------------------------------- walking the UI
def widget_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text ``root`` and its children show or pop up."""
    for w in [root, *root.findChildren(QWidget)]:
        where = f"{type(w).__name__}({w.objectName()})"
        if _inside_plot(w):
            continue  # inside pyqtgraph's plots: their menus are walked on their own
        for kind in ("toolTip", "statusTip", "whatsThis"):
            yield f"{where}.{kind}", getattr(w, kind)()
        if w.isWindow() or isinstance(w, QDockWidget):
            yield f"{where}.windowTitle", w.windowTitle()
        if isinstance(w, QLabel) and w.objectName() != "preview_label":  # dataset labels
            yield where, w.text()
        if isinstance(w, QAbstractButton):
            yield where, w.text()
        if isinstance(w, QGroupBox):
            yield where, w.title()
        if isinstance(w, QLineEdit):
            yield f"{where}.placeholder", w.placeholderText()
        if isinstance(w, QProgressBar):
            yield f"{where}.format", w.format()
        if isinstance(w, QSpinBox):
            yield f"{where}.special", w.specialValueText()
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{where}[{i}]", w.itemText(i)
                yield f"{where}[{i}].tip", str(w.itemData(i, Qt.ItemDataRole.ToolTipRole) or "")
        if isinstance(w, QTabBar):
            for i in range(w.count()):
                yield f"{where}.tab{i}", w.tabText(i)
                yield f"{where}.tab{i}.tip", w.tabToolTip(i)
        if isinstance(w, QTableWidget):
            yield from _table_texts(w, where)
        if isinstance(w, QTreeWidget):
            for item in _tree_items(w):
                yield f"{where}:{item.text(0)}", item.text(0)
                yield f"{where}:{item.text(0)}.tip", item.toolTip(0)
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                yield f"{where}[{i}]", w.item(i).text()
                yield f"{where}[{i}].tip", w.item(i).toolTip()
        if isinstance(w, QPlainTextEdit):
            yield where, w.toPlainText()
        for action in w.actions():
            yield from action_texts(action, where)


def action_texts(action: QAction, where: str) -> Iterator[tuple[str, str]]:
    name = f"{where}>{action.text()}"
    yield name, action.text()
    yield f"{name}.statusTip", action.statusTip()
    menu = action.menu()
    if isinstance(menu, QMenu):
        yield f"{name}.title", menu.title()
        for sub in menu.actions():
            yield from action_texts(sub, name)


def _table_texts(table: QTableWidget, where: str) -> Iterator[tuple[str, str]]:
    for j in range(table.columnCount()):
        header = table.horizontalHeaderItem(j)
        if header is not None:
            yield f"{where}.header{j}", header.text()
            yield f"{where}.header{j}.tip", header.toolTip()
    for i in range(table.rowCount()):
        for j in range(table.columnCount()):
            item = table.item(i, j)
            if item is not None:
                yield f"{where}[{i},{j}]", item.text()
                yield f"{where}[{i},{j}].tip", item.toolTip()


def _tree_items(tree: QTreeWidget) -> Iterator:
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))


def _inside_plot(w: QWidget) -> bool:
    import pyqtgraph as pg

    parent: QWidget | None = w
    while parent is not None:
        if isinstance(parent, pg.GraphicsView) or type(parent).__module__.startswith("pyqtgraph"):
            return True
        parent = parent.parentWidget()
    return False


def offenders(texts: Iterator[tuple[str, str]], allowed: set[str]) -> list[str]:
    found = []
    for where, text in texts:
        words = english(text, allowed)
        if words:
            found.append(f"{where}: {text!r} ({', '.join(words)})")
    return found


# ---------------------------------------------------------------------- the language
@pytest.fixture
def chinese(qapp, monkeypatch):
    """The app's own language set-up for zh_CN (GUI, Qt's and pyqtgraph's catalogues and the
    core's), whatever fonts this machine has; taken out again afterwards."""
    monkeypatch.setattr(i18n, "has_cjk_font", lambda: True)
    assert i18n.install_language("zh_CN") == "zh_CN"
    yield
    i18n.remove_translators()
    set_language("en")


def test_the_english_detector() -> None:
    allowed = code_words()
    assert english("Select a block to edit it.", allowed) == ["Select", "block", "to", "edit", "it"]
    assert english("选择一个模块以编辑它。", allowed) == []
    assert english("Conv2d · kernel_size 3 · 1×28×28 · builtin:shapes · relu", allowed) == []
    assert english("<b>开始</b> model.pt · ONNX · torch.export.load(path).module()", allowed) == []
    assert english("第 1/2 轮 · 预计剩余 0:03 · stopped", allowed) == ["stopped"]


def test_the_window_is_chinese(chinese, make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    assert window.menuBar().actions()[0].text() == "文件(&F)"
    example = EXAMPLES_DIR / "cnn_image_classifier.nbd"
    window.files.open(example, as_template=True)
    diagram = window.session.diagram
    diagram.set_training(
        {**diagram.training, "epochs": 1, "device": "cpu", "dataset_options": {"size": 120}}
    )
    window.scene.select_nodes([next(iter(diagram.nodes))])  # the inspector's form
    panel = window.training_panel
    window.show_workspace("training")
    qtbot.waitUntil(lambda: panel.picker.bundle is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(panel.run_finished, timeout=WAIT_MS):
        panel.start()
    qtbot.waitUntil(lambda: panel.evaluation.per_class.rowCount() > 0, timeout=WAIT_MS)
    # dataset class names and node ids are the user's data, shown as they are
    allowed = code_words() | set(panel.picker.bundle.classes) | set(diagram.nodes)

    texts = list(widget_texts(window))
    for action in window.menuBar().actions():
        texts += action_texts(action, "menu")
    for tab in range(panel.tabs.count()):  # every tab of the Training workspace, shown once
        panel.tabs.setCurrentIndex(tab)
        texts += widget_texts(panel.tabs.currentWidget())
    for plot in (panel.curves.loss_plot, panel.curves.acc_plot, panel.curves.lr_plot):
        texts += action_texts(plot.ctrlMenu.menuAction(), "plot")  # right-click menus
        texts += action_texts(plot.vb.menu.menuAction(), "plot")
    window.show_workspace("design")
    texts += widget_texts(window)
    found = offenders(iter(texts), allowed)
    assert found == [], "English left in the Chinese window:\n" + "\n".join(found)
    assert any("训练" in text for _where, text in texts)


def test_the_dialogs_are_chinese(chinese, make_window, qtbot, monkeypatch, tmp_path) -> None:
    from netbuilder.gui.export_dialog import ExportDialog
    from netbuilder.gui.import_dialog import ModuleImportDialog
    from netbuilder.gui.preferences import PreferencesDialog
    from netbuilder.gui.recovery import Orphan

    window = make_window()
    allowed = code_words()
    dialogs: list[QWidget] = [
        PreferencesDialog(window),
        ModuleImportDialog(tmp_path / "model.py", window),
        ExportDialog(window.session.diagram, lambda: None, tmp_path / "model.pt", parent=window),
    ]
    boxes: list[QMessageBox] = []

    def capture(box: QMessageBox) -> int:
        boxes.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", capture)
    orphan = Orphan.__new__(Orphan)
    orphan.meta = {"display_name": "mnist.nbd", "saved_at": "2026-01-01T10:00:00"}
    real_ask_to_recover(window, [orphan])
    texts = []
    for dialog in [*dialogs, *boxes]:
        texts += widget_texts(dialog)
    found = offenders(iter(texts), allowed)
    assert found == [], "English left in the Chinese dialogs:\n" + "\n".join(found)
    assert boxes and boxes[0].windowTitle() == "恢复未保存的工作"
    for dialog in dialogs:
        dialog.deleteLater()


def test_english_keeps_its_plurals(qapp) -> None:
    """The English catalogue gives counted messages their singular and plural."""
    translator = QTranslator()
    assert translator.load(str(i18n.qm_path("en")))
    qapp.installTranslator(translator)
    try:
        counted = i18n.counted()
        assert counted.delete_blocks(1) == "Delete 1 block"
        assert counted.delete_blocks(3) == "Delete 3 blocks"
        assert counted.on_processes(4) == " on 4 processes"
        translate = QCoreApplication.translate
        assert translate("MainWindow", "%n problem(s)", "", 1) == "1 problem"
    finally:
        qapp.removeTranslator(translator)
