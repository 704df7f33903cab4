"""The "Make Sub-block" dialog: a name for the new block type and the settings it exposes.

Exposed settings become the new block's own parameters (set per use in the inspector); the
rest stay fixed inside the definition. The list is every setting of every selected block,
grouped by block, with each block's size (its first key setting, such as a convolution's
``out_channels``) ticked by default: that is what a user changes between uses of a ResNet
BasicBlock, while ``kernel_size``, ``bias`` or ``eps`` rarely are. Ticked settings given
one name are one setting of the new block that sets all of them: each starts with its
parameter's name, so a ResNet block's two ``out_channels`` are shared until one is renamed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.core.blocks import BlockSpec

#: one exposable setting: (node id, parameter name)
Setting = tuple[str, str]
PARAM_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Inner:
    """One selected block as the dialog lists it."""

    node_id: str
    spec: BlockSpec
    title: str  # what the card says (label or id)


def default_exposed(blocks: list[Inner]) -> list[Setting]:
    """Ticked at first: each block's first key setting, its size (``out_channels``,
    ``out_features``, ``hidden_size``), unless it is inferred from the wire."""
    chosen = []
    for b in blocks:
        name = b.spec.key_params[0] if b.spec.key_params else None
        param = b.spec.param_map.get(name) if name else None
        if param is not None and not param.optional:
            chosen.append((b.node_id, param.name))
    return chosen


class _ReadOnly(QStyledItemDelegate):
    """Column 0 (the inner setting) is not renamed; only its name on the block is."""

    def createEditor(self, *_args: object) -> None:  # type: ignore[override]
        return None


class MakeSubBlockDialog(QDialog):
    """Asks the name (checked by ``validate``, which returns why a name is refused) and the
    exposed settings with their names on the new block; settings given one name are set
    together (both convolutions' ``out_channels`` in a ResNet block)."""

    def __init__(
        self,
        blocks: list[Inner],
        suggested: str,
        validate: Callable[[str], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Make Sub-block"))
        self._validate = validate
        self.name = QLineEdit(suggested, self)
        self.name.selectAll()
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #d22;")
        self.problem.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Expose"), self.tr("Name on the new block")])
        self.tree.setItemDelegateForColumn(0, _ReadOnly(self.tree))
        self.tree.setMinimumHeight(220)
        ticked = set(default_exposed(blocks))
        self.items: dict[Setting, QTreeWidgetItem] = {}
        self.kinds: dict[Setting, str] = {}
        for b in blocks:
            if not b.spec.params:
                continue
            head = QTreeWidgetItem(self.tree, [f"{b.title} ({b.spec.type})"])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setFirstColumnSpanned(True)
            for p in b.spec.params:
                item = QTreeWidgetItem(head, [p.name, p.name])
                item.setToolTip(0, p.doc)
                item.setToolTip(1, self.tr("Double-click to rename; one name sets them together"))
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemIsEditable
                )
                on = (b.node_id, p.name) in ticked
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                item.setData(0, PARAM_ROLE, (b.node_id, p.name))
                self.items[(b.node_id, p.name)] = item
                self.kinds[(b.node_id, p.name)] = p.kind
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        hint = QLabel(
            self.tr(
                "The selected blocks become one block type, listed under “My blocks” in the "
                "palette. Its inputs and outputs are the wires that cross the selection. "
                "Ticked settings can differ between uses; the others are the same everywhere. "
                "Ticked settings with the same name are set together."
            ),
            self,
        )
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(460, 520)
        self.name.textChanged.connect(self._check)
        self.tree.itemChanged.connect(lambda *_: self._check(self.name.text()))
        self._check(self.name.text())

    def _check(self, text: str) -> None:
        problem = self._validate(text.strip()) or self._exposed_problem()
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(problem is None)

    def _exposed_problem(self) -> str | None:
        for name, settings in self.exposed().items():
            if not name.isidentifier() or not name.isascii():
                return self.tr(
                    "The setting name “{name}” must be one word (letters, digits, _)."
                ).format(name=name)
            if len({self.kinds[s] for s in settings}) > 1:
                return self.tr("The settings named “{name}” are of different kinds.").format(
                    name=name
                )
        return None

    def chosen_name(self) -> str:
        return self.name.text().strip()

    def exposed(self) -> dict[str, list[Setting]]:
        """Ticked settings by their name on the new block (several under one name are set
        together), in the order the blocks and their parameters are listed."""
        out: dict[str, list[Setting]] = {}
        for s, item in self.items.items():
            if item.checkState(0) == Qt.CheckState.Checked:
                out.setdefault(item.text(1).strip(), []).append(s)
        return out

    def set_exposed(self, settings: dict[str, list[Setting]] | list[Setting]) -> None:
        """Tick exactly ``settings`` (a list keeps their names; a dict names them)."""
        named = settings if isinstance(settings, dict) else {s[1]: [s] for s in settings}
        names = {s: n for n, group in named.items() for s in group}
        for s, item in self.items.items():
            item.setCheckState(0, Qt.CheckState.Checked if s in names else Qt.CheckState.Unchecked)
            if s in names:
                item.setText(1, names[s])
