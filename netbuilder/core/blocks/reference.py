"""The block reference (``docs/blocks.md``), written from the block declarations themselves.

Every block's ports, parameters, defaults, ranges and docs come from its ``BlockSpec``, so the
reference cannot drift from what the palette, inspector and checker use;
``tests/core/test_block_reference.py`` fails when the committed file is not current.

Regenerate with ``python -m netbuilder.core.blocks.reference > docs/blocks.md``.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from netbuilder.core.blocks import (
    BLOCKS,
    BODY_ONLY_CATEGORIES,
    CATEGORIES,
    IMPORT_ONLY_CATEGORIES,
    BlockSpec,
    Param,
)

_KIND_WORDS = {
    "int": "whole number",
    "float": "number",
    "bool": "true/false",
    "choice": "one of",
    "ints": "list of whole numbers",
    "padding": "whole number, `same` or `valid`",
    "str": "text",
}


def _cell(text: str) -> str:
    """Markdown table cells cannot hold a bare ``|`` or a line break."""
    return text.replace("|", "\\|").replace("\n", " ")


def _value(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, list | tuple):
        return "`[" + ", ".join(str(v) for v in value) + "]`"
    return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def _number(value: float) -> str:
    """Bounds as people read them: ``1,000,000`` rather than ``1e+06``, ``1e-12`` kept."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def _range(param: Param) -> str:
    if param.choices:
        return ", ".join(_value(c) for c in param.choices)
    if param.min is None and param.max is None:
        return ""
    low = "" if param.min is None else _number(param.min)
    high = "" if param.max is None else _number(param.max)
    text = f"{low} … {high}".strip()
    if param.kind == "ints" and param.min == -1:
        text += " (−1: inferred)"
    return text


def _kind(param: Param) -> str:
    words = _KIND_WORDS[param.kind]
    return f"{words}, or empty (inferred)" if param.optional else words


def _ports(spec: BlockSpec, which: str) -> str:
    ports = getattr(spec, which)
    if callable(ports):
        at_default = ports(spec.defaults())
        doc = inspect.getdoc(ports) or ""
        rule = doc.splitlines()[0].replace("``", "`") if doc else ""
        shown = ", ".join(f"`{p}`" for p in at_default)
        return f"{shown} with the default parameters. {rule}" if rule else shown
    return ", ".join(f"`{p}`" for p in ports) if ports else "none"


def block_section(spec: BlockSpec) -> list[str]:
    """One block's heading, doc, ports and parameter table."""
    lines = [f"### {spec.type}", "", spec.doc, ""]
    if spec.aliases:
        names = ", ".join(f"`{a}`" for a in spec.aliases)
        lines += [f"Also accepted as: {names}.", ""]
    lines += [
        f"- Input ports: {_ports(spec, 'inputs')}",
        f"- Output ports: {_ports(spec, 'outputs')}",
    ]
    if spec.merge is not None:
        lines.append(f"- Computes: `{spec.merge.op}` of its inputs, in port order")
    lines.append("")
    if not spec.params:
        return [*lines, "No parameters.", ""]
    lines += [
        "| parameter | type | default | range / choices | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for p in spec.params:
        lines.append(
            f"| `{p.name}` | {_kind(p)} | {_value(p.default)} | {_cell(_range(p))} "
            f"| {_cell(p.doc)} |"
        )
    return [*lines, ""]


def render() -> str:
    """The whole reference as Markdown, blocks in palette order."""
    lines = [
        "# Block reference",
        "",
        "<!-- Generated from the block declarations by "
        "`python -m netbuilder.core.blocks.reference > docs/blocks.md`; do not edit by hand. -->",
        "",
        f"NetBuilder has {len(BLOCKS)} block types. Each one is declared once "
        "(`netbuilder/core/blocks/`), and the palette, the inspector, the shape checker, the "
        "compiler and this page all read that declaration. In Python, pass the type name to "
        "`Diagram.add_node` or `chain()`, the parameters as a dict, and wire the ports named "
        "here with `Diagram.connect`; see [the API guide](api.md).",
        "",
        "A parameter that may be *empty* (`None` in Python, `null` in a `.nbd` file) is "
        "inferred from the incoming wire; a value given explicitly is checked against it.",
        "",
    ]
    # palette categories, then those only importers create (they appear in imported diagrams),
    # then the ports of a sub-block definition (only inside one)
    categories = CATEGORIES + IMPORT_ONLY_CATEGORIES + BODY_ONLY_CATEGORIES
    families = [(c, [s for s in BLOCKS.values() if s.category == c]) for c in categories]
    families = [(c, members) for c, members in families if members]
    for category, members in families:
        links = ", ".join(f"[{s.type}](#{s.type.lower()})" for s in members)
        lines.append(f"- **{category}**: {links}")
    lines.append("")
    for category, members in families:
        lines += [f"## {category}", ""]
        for spec in members:
            lines += block_section(spec)
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> int:
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
