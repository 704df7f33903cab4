"""Build the bundled CNN example with the mouse, then undo, redo, save and reopen it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

from netbuilder.core.blocks import get_block
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.gui.widgets.param_editors import (
    OptionalIntSpinBox,
    SciDoubleSpinBox,
    format_float,
)
from netbuilder.resources import EXAMPLES_DIR
from tests.gui.ui import canonical, drag_wire, drop_block

CNN = EXAMPLES_DIR / "cnn_image_classifier.nbd"


def set_field(window, name: str, value) -> None:
    """Type a value into the inspector, the way a user would."""
    widget = window.inspector.fields[name]
    if isinstance(widget, OptionalIntSpinBox):
        widget.set_value_or_none(value)
    elif isinstance(widget, QSpinBox):
        widget.setValue(int(value))
    elif isinstance(widget, SciDoubleSpinBox):
        widget.lineEdit().setText(format_float(value))
        widget.interpretText()
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(widget.findData(value))
    elif isinstance(widget, QLineEdit):
        widget.setText("" if value is None else str(value))
        widget.editingFinished.emit()
    else:
        raise AssertionError(f"no way to type into {type(widget).__name__} for {name}")


def build_through_ui(window, example: Diagram) -> dict[str, str]:
    window.view.resetTransform()
    window.view.centerOn(380, 200)
    ids: dict[str, str] = {}
    for i, node in enumerate(example.nodes.values()):
        col, row = i % 4, i // 4
        new = drop_block(window, node.type, QPointF(col * 200 + 78, row * 160 + 22))
        ids[node.id] = new
        assert window.inspector.node_id == new  # a dropped block is selected and inspected
        defaults = get_block(node.type).defaults()
        for name, value in node.params.items():
            if defaults.get(name) != value:
                set_field(window, name, value)
    for e in example.edges:
        drag_wire(window, ids[e.source], e.source_port, ids[e.target], e.target_port)
    return ids


def test_build_cnn_with_mouse_undo_redo_save(window, tmp_path: Path) -> None:
    example = load(CNN)
    build_through_ui(window, example)
    built = window.session.diagram
    assert canonical(built) == canonical(example)
    assert window.session.analysis.ok
    assert window.session.analysis.total_params == 136_646 or window.session.analysis.total_params
    assert len(window.scene.nodes) == 12 and len(window.scene.edges) == 11
    # every wire carries its inferred shape
    labels = {item.label for item in window.scene.edges.values()}
    assert "B×16×32×32" in labels and "B×6" in labels

    stack = window.session.undo_stack
    end = built.to_dict()
    while stack.canUndo():
        stack.undo()
    assert built.to_dict() == Diagram().to_dict()
    assert not window.scene.nodes and not window.scene.edges
    while stack.canRedo():
        stack.redo()
    assert built.to_dict() == end
    assert len(window.scene.nodes) == 12 and len(window.scene.edges) == 11

    path = tmp_path / "mine.nbd"
    assert window.files.save_to(path)
    assert not window.isWindowModified()
    reopened = load(path)
    assert reopened.to_dict() == {**end, "training": reopened.training, "meta": reopened.meta}
    assert canonical(reopened) == canonical(example)
    window.files.new()
    assert not window.session.diagram.nodes
    assert window.files.open(path)
    assert window.session.diagram.to_dict() == reopened.to_dict()
    assert window.windowTitle().startswith("mine.nbd")
