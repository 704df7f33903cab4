"""The inspector: a form generated from the selected block's spec (DESIGN rule 4).

Whole numbers get spin boxes with the parameter's range, choices a combo box, switches a
check box; sizes that are inferred from the wire (``in_channels``...) a spin box whose lowest
position reads "auto (3)" with the inferred value (None in the model); real numbers a spin
box that reads and shows scientific notation (``eps`` 1e-5). Lists and ``padding`` (a number
or "same") stay text fields. Values are validated by the spec itself before they reach the
undo stack; a refused value shows the reason and the field goes back to the model's value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.blocks.spec import Param
from netbuilder.core.tensor import format_shape
from netbuilder.gui.canvas.node_item import format_value
from netbuilder.gui.cost import CostSection
from netbuilder.gui.editor import Editor
from netbuilder.gui.i18n import core_text
from netbuilder.gui.theme import format_count
from netbuilder.gui.widgets.param_editors import editor_for, show_value


def exposed_here(diagram: Any, node_id: str) -> dict[str, str]:
    """Settings of block ``node_id`` of a definition's body that each use of the sub-block
    sets (parameter → the name it has on the use); {} outside a definition."""
    name = diagram.definition_name
    definition = diagram.root.definitions.get(name) if name else None
    if definition is None:
        return {}
    return {
        p: e.name for e in definition.exposed.values() for nid, p in e.targets if nid == node_id
    }


def parse_text(param: Param, text: str) -> Any:
    """Turn a text field into a parameter value (validation happens afterwards)."""
    text = text.strip()
    if param.kind == "str":
        return text
    if text == "":
        return None
    if param.kind == "ints":
        parts = [p for p in text.replace("×", ",").replace(" ", ",").split(",") if p]
        return [_number(p) for p in parts]
    if param.kind == "padding" and text in ("same", "valid"):
        return text
    return _number(text)


def _field_text(value: Any) -> str:
    """A value as the inspector writes it: "auto" for None, lists as "3, 3"."""
    return format_value(value).replace("×", ", ")


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text  # validation names the problem


class Inspector(QWidget):
    """Edits one block at a time; rebuilt on selection, refreshed after each check.

    A sub-block shows the settings its definition exposes (the same editors as any block)
    and buttons to open its definition or expand it into plain blocks.
    """

    #: the sub-block's buttons (node id): the window opens or expands it
    open_definition_requested = Signal(str)
    expand_requested = Signal(str)

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.node_id: str | None = None
        self.fields: dict[str, QWidget] = {}
        self._updating = False
        #: focus-ins counted: the count when each field last took the focus (see _focus)
        self._focus_count = 0
        self._focus_of: dict[str, int] = {}
        self._active: str | None = None  # the field the last count went to
        #: inside a definition: the shown block's settings each use sets (param → its name)
        self._exposed: dict[str, str] = {}
        self.title = QLabel(self.tr("Select a block to edit it."), self)
        self.title.setWordWrap(True)
        self.doc = QLabel(self)
        self.doc.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d22;")
        self.shapes = QLabel(self)
        self.shapes.setWordWrap(True)
        self.shapes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cost = CostSection(editor.session, self)  # read-only FLOPs and memory
        self.subblock_row = QWidget(self)
        row = QHBoxLayout(self.subblock_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.edit_definition = QPushButton(self.tr("Edit Definition"), self.subblock_row)
        self.edit_definition.setToolTip(
            self.tr("Open this sub-block's definition on the canvas; every use follows it")
        )
        self.expand = QPushButton(self.tr("Expand"), self.subblock_row)
        self.expand.setToolTip(self.tr("Replace this use by the blocks it is made of"))
        row.addWidget(self.edit_definition)
        row.addWidget(self.expand)
        self.subblock_row.hide()
        self.edit_definition.clicked.connect(lambda: self._subblock_button(True))
        self.expand.clicked.connect(lambda: self._subblock_button(False))
        self.form_host = QWidget(self)
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget()
        col = QVBoxLayout(inner)
        widgets = (self.title, self.doc, self.subblock_row, self.form_host, self.error)
        for w in (*widgets, self.shapes, self.cost):
            col.addWidget(w)
        col.addStretch(1)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        editor.session.analysed.connect(self._analysed)

    # ------------------------------------------------------------------ building
    def show_node(self, node_id: str | None) -> None:
        diagram = self.editor.diagram
        if node_id is not None and node_id not in diagram.nodes:
            node_id = None
        self.node_id = node_id
        self.error.clear()
        # costs are profiled for the network's own blocks, not inside a sub-block's body
        self.cost.show_node(node_id if self.editor.session.scope.at_top else None)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        self._focus_of.clear()
        self._active = None
        self.subblock_row.hide()
        if node_id is None:
            self.title.setText(self.tr("Select a block to edit it."))
            self.doc.clear()
            self.shapes.clear()
            return
        node = diagram.nodes[node_id]
        spec = diagram.block(node.type)
        self.subblock_row.setVisible(node.type in diagram.root.definitions)
        self.title.setText(f"<b>{spec.type}</b> &nbsp; <i>{core_text(spec.category)}</i>")
        self.doc.setText(core_text(spec.doc))
        label = QLineEdit(node.label, self.form_host)
        label.setPlaceholderText(node_id)
        label.editingFinished.connect(lambda: self._set_label(label.text()))
        self.form.addRow(self.tr("Name"), label)
        self.fields["label"] = label
        label.installEventFilter(self)
        self._exposed = exposed_here(diagram, node_id)
        for param in spec.params:
            widget = self._make_field(param)
            widget.setToolTip(core_text(param.doc))
            widget.installEventFilter(self)
            self.fields[param.name] = widget
            text = param.name
            if param.name in self._exposed:  # each use sets it: editing it here does nothing
                widget.setEnabled(False)
                widget.setToolTip(
                    self.tr("Each use of {block} sets this (as “{name}”): change it there.").format(
                        block=diagram.definition_name, name=self._exposed[param.name]
                    )
                )
                text = self.tr("{name} (per use)").format(name=param.name)
            self.form.addRow(text, widget)
        self.refresh()

    def _subblock_button(self, open_it: bool) -> None:
        if self.node_id is not None:
            signal = self.open_definition_requested if open_it else self.expand_requested
            signal.emit(self.node_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Count each time a field takes the keyboard focus (undo merging follows it).

        Input reaching a field other than the one last counted also starts a new count
        (keys sent to a field of a window that is not active arrive without a focus-in).
        """
        kind = event.type()
        typed = kind in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress)
        if kind == QEvent.Type.FocusIn or typed:
            name = next((n for n, w in self.fields.items() if w is watched), None)
            if name is not None and (kind == QEvent.Type.FocusIn or name != self._active):
                self._focus_count += 1
                self._focus_of[name] = self._focus_count
                self._active = name
        return False

    def _focus(self, name: str) -> int | None:
        """The focus stretch an edit of ``name`` belongs to; None if it never had the focus.

        Edits that carry the same number merge into one undo step, so a value typed in
        several commits is one step, and a field left and come back to starts a new one.
        """
        return self._focus_of.get(name)

    def _make_field(self, p: Param) -> QWidget:
        """The parameter's editor from the app's one factory (``editor_for``)."""
        return editor_for(
            p,
            lambda value, n=p.name: self._commit(n, value),
            refused=self.error.setText,
            display=_field_text,
            parse=lambda text, q=p: parse_text(q, text),
        )

    # ------------------------------------------------------------------ model → form
    def _analysed(self, _analysis: object) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Show the model's values and the latest check for the current block."""
        nid = self.node_id
        diagram = self.editor.diagram
        if nid is None:
            return
        if nid not in diagram.nodes:
            self.show_node(None)
            return
        node = diagram.nodes[nid]
        spec = diagram.block(node.type)
        analysis = self.editor.session.scope.analysis()
        result = analysis.nodes.get(nid)
        inferred = self._inferred(spec, result)
        self._updating = True
        try:
            label = self.fields.get("label")
            if isinstance(label, QLineEdit) and not label.hasFocus():
                label.setText(node.label)
            for p in spec.params:
                value = node.params.get(p.name)
                if p.name in self._exposed and result is not None:
                    value = result.params.get(p.name, value)  # what the opened use sets
                self._show_value(p, self.fields[p.name], value, inferred)
        finally:
            self._updating = False
        lines = []
        if result is not None:
            for port, x in result.inputs.items():
                shape = format_shape(x) if x else "—"
                lines.append(self.tr("input <b>{port}</b>: {shape}").format(port=port, shape=shape))
            for port, x in result.outputs.items():
                lines.append(
                    self.tr("output <b>{port}</b>: {shape}").format(
                        port=port, shape=format_shape(x) if x else "—"
                    )
                )
            lines.append(
                self.tr("parameters: <b>{count}</b>").format(count=format_count(result.param_count))
            )
        problems = [d for d in analysis.diagnostics if d.node_id == nid]
        for d in problems:
            lines.append(f"<span style='color:#d22'>⚠ {d.message}</span> {d.hint}")
        self.shapes.setText("<br>".join(lines))

    def _show_value(self, p: Param, widget: QWidget, value: Any, inferred: dict[str, Any]) -> None:
        guess = inferred.get(p.name)
        show_value(widget, value, display=_field_text, inferred=guess)
        if isinstance(widget, QLineEdit) and p.optional and not widget.hasFocus():
            widget.setPlaceholderText(
                self.tr("inferred: {value}").format(value=format_value(guess))
                if guess is not None
                else self.tr("inferred")
            )

    @staticmethod
    def _inferred(spec: Any, result: Any) -> dict[str, Any]:
        """The values the compiler will use for parameters left empty (from the wire)."""
        if result is None or spec.module is None or not result.outputs:
            return {}
        ins = [result.inputs[p] for p in spec.input_ports(result.params)]
        try:
            _cls, kwargs = spec.module(result.params, ins)
        except Exception:
            return {}
        return kwargs

    # ------------------------------------------------------------------ form → model
    def _commit(self, name: str, value: Any) -> None:
        if self._updating or self.node_id is None:
            return
        problem = self.editor.set_param(self.node_id, name, value, self._focus(name))
        self.error.setText(problem or "")
        if problem:
            field = self.fields.get(name)
            if isinstance(field, QLineEdit):  # the refused text goes back to the model's
                field.clearFocus()
            self.refresh()

    def _set_label(self, text: str) -> None:
        if self.node_id is not None and not self._updating:
            self.editor.set_label(self.node_id, text.strip(), self._focus("label"))
