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

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.blocks import get_block
from netbuilder.core.blocks.spec import Param
from netbuilder.core.tensor import format_shape
from netbuilder.gui.canvas.node_item import format_value
from netbuilder.gui.cost import CostSection
from netbuilder.gui.editor import Editor
from netbuilder.gui.i18n import core_text
from netbuilder.gui.theme import format_count
from netbuilder.gui.widgets.param_editors import (
    OptionalIntSpinBox,
    SciDoubleSpinBox,
    int_range,
)
from netbuilder.gui.widgets.scroll_safe import ComboBox, SpinBox


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
    """Edits one block at a time; rebuilt on selection, refreshed after each check."""

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
        self.form_host = QWidget(self)
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        inner = QWidget()
        col = QVBoxLayout(inner)
        for w in (self.title, self.doc, self.form_host, self.error, self.shapes, self.cost):
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
        self.cost.show_node(node_id)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields.clear()
        self._focus_of.clear()
        self._active = None
        if node_id is None:
            self.title.setText(self.tr("Select a block to edit it."))
            self.doc.clear()
            self.shapes.clear()
            return
        node = diagram.nodes[node_id]
        spec = get_block(node.type)
        self.title.setText(f"<b>{spec.type}</b> &nbsp; <i>{core_text(spec.category)}</i>")
        self.doc.setText(core_text(spec.doc))
        label = QLineEdit(node.label, self.form_host)
        label.setPlaceholderText(node_id)
        label.editingFinished.connect(lambda: self._set_label(label.text()))
        self.form.addRow(self.tr("Name"), label)
        self.fields["label"] = label
        label.installEventFilter(self)
        for param in spec.params:
            widget = self._make_field(param)
            widget.setToolTip(core_text(param.doc))
            widget.installEventFilter(self)
            self.fields[param.name] = widget
            self.form.addRow(param.name, widget)
        self.refresh()

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
        host = self.form_host
        if p.kind == "bool":
            box = QCheckBox(host)
            box.toggled.connect(lambda v, n=p.name: self._commit(n, bool(v)))
            return box
        if p.kind == "choice":
            combo = ComboBox(host)
            for c in p.choices:
                combo.addItem(format_value(c), c)
            combo.currentIndexChanged.connect(
                lambda i, n=p.name, c=combo: self._commit(n, c.itemData(i))
            )
            return combo
        if p.kind == "int" and p.optional:
            auto = OptionalIntSpinBox(p, host)
            auto.valueChanged.connect(
                lambda _v, n=p.name, w=auto: self._commit(n, w.value_or_none())
            )
            auto.refused.connect(self.error.setText)
            return auto
        if p.kind == "int":
            spin = SpinBox(host)
            spin.setRange(*int_range(p))
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, n=p.name: self._commit(n, int(v)))
            return spin
        if p.kind == "float" and not p.optional:
            real = SciDoubleSpinBox(p, host)
            real.valueChanged.connect(lambda v, n=p.name: self._commit(n, float(v)))
            real.refused.connect(self.error.setText)
            return real
        edit = QLineEdit(host)
        edit.editingFinished.connect(lambda n=p.name, e=edit: self._commit_text(n, e))
        return edit

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
        spec = get_block(node.type)
        analysis = self.editor.session.analysis
        result = analysis.nodes.get(nid)
        inferred = self._inferred(spec, result)
        self._updating = True
        try:
            label = self.fields.get("label")
            if isinstance(label, QLineEdit) and not label.hasFocus():
                label.setText(node.label)
            for p in spec.params:
                self._show_value(p, self.fields[p.name], node.params.get(p.name), inferred)
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
                        port=port, shape=format_shape(x)
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
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            i = widget.findData(value)
            widget.setCurrentIndex(i if i >= 0 else 0)
        elif isinstance(widget, OptionalIntSpinBox):
            guess = inferred.get(p.name)
            widget.set_inferred(guess if isinstance(guess, int) else None)
            if value is None or (isinstance(value, int) and not isinstance(value, bool)):
                widget.set_value_or_none(value)
        elif isinstance(widget, QSpinBox):
            if isinstance(value, int) and not isinstance(value, bool):
                widget.setValue(value)
        elif isinstance(widget, SciDoubleSpinBox):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and value != widget.value():
                widget.setValue(float(value))
        elif isinstance(widget, QLineEdit) and not widget.hasFocus():
            widget.setText("" if value is None else format_value(value).replace("×", ", "))
            if p.optional:
                guess = inferred.get(p.name)
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
            self.refresh()

    def _commit_text(self, name: str, edit: QLineEdit) -> None:
        if self._updating or self.node_id is None:
            return
        spec = get_block(self.editor.diagram.nodes[self.node_id].type)
        self._commit_value_or_refuse(name, parse_text(spec.param_map[name], edit.text()), edit)

    def _commit_value_or_refuse(self, name: str, value: Any, edit: QLineEdit) -> None:
        problem = self.editor.set_param(
            self.node_id,  # type: ignore[arg-type]
            name,
            value,
            self._focus(name),
        )
        self.error.setText(problem or "")
        if problem:
            edit.clearFocus()
            self.refresh()

    def _set_label(self, text: str) -> None:
        if self.node_id is not None and not self._updating:
            self.editor.set_label(self.node_id, text.strip(), self._focus("label"))
