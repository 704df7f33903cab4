"""docs/blocks.md is the block declarations, rendered; it fails when they change without it."""

from __future__ import annotations

import subprocess
import sys

from netbuilder.core.blocks import BLOCKS
from netbuilder.core.blocks.reference import block_section, render
from tests.docs.markdown_blocks import DOCS

REFERENCE = DOCS / "blocks.md"
REGENERATE = "python -m netbuilder.core.blocks.reference > docs/blocks.md"


def test_docs_blocks_md_is_current():
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        f"docs/blocks.md is out of date with the block declarations; run: {REGENERATE}"
    )


def test_every_block_port_and_parameter_is_documented():
    text = render()
    for spec in BLOCKS.values():
        section = "\n".join(block_section(spec))
        assert f"### {spec.type}\n" in text
        assert spec.doc in section
        for port in spec.input_ports(spec.defaults()) + spec.output_ports(spec.defaults()):
            assert f"`{port}`" in section, (spec.type, port)
        for param in spec.params:
            row = next(
                line for line in section.splitlines() if line.startswith(f"| `{param.name}`")
            )
            assert param.doc.replace("|", "\\|") in row


def test_a_parameter_row_shows_default_range_and_inference():
    conv = "\n".join(block_section(BLOCKS["Conv2d"]))
    assert "| `out_channels` | whole number | `16` | 1 … 65,536 |" in conv
    assert "| `in_channels` | whole number, or empty (inferred) | empty |" in conv
    assert "| `padding` | whole number, `same` or `valid` | `0` |" in conv
    lstm = "\n".join(block_section(BLOCKS["LSTM"]))
    assert '`"sequence"`, `"last"`' in lstm
    assert "- Output ports: `out`, `h`, `c`" in lstm
    add = "\n".join(block_section(BLOCKS["Add"]))
    assert "`in1`, `in2` with the default parameters" in add


def test_the_module_prints_the_reference():
    done = subprocess.run(
        [sys.executable, "-m", "netbuilder.core.blocks.reference"],
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode("utf-8").replace("\r\n", "\n") == render()
