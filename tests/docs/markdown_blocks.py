"""Reading the fenced code blocks of the docs, so tests can run exactly what readers see."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int  # 1-based line of the opening fence, for failure messages


def fenced_blocks(path: Path, languages: tuple[str, ...]) -> list[Block]:
    """The fenced blocks of ``path`` whose info string is one of ``languages``, in order."""
    text = path.read_text(encoding="utf-8")
    return [
        Block(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
        for m in _FENCE.finditer(text)
        if m.group(1) in languages
    ]


def expected_prints(code: str) -> list[str]:
    """Outputs promised by comments: ``print(x)  # out`` and the ``# out`` lines right after it.

    The guide shows what a ``print`` gives in a comment on its line (continued on the comment
    lines that follow); ``…`` stands for any text.
    """
    lines = code.splitlines()
    comments = {
        tok.start[0]: tok.string
        for tok in tokenize.generate_tokens(io.StringIO(code).readline)
        if tok.type == tokenize.COMMENT
    }
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.lstrip().startswith("print("):
            continue
        if number in comments:
            out.append(comments[number][1:].strip())
        follow = number + 1
        while follow <= len(lines) and lines[follow - 1].lstrip().startswith("#"):
            out.append(lines[follow - 1].lstrip()[1:].strip())
            follow += 1
    return out


def matches(expected: str, printed: str) -> bool:
    """Whether a printed line is the promised one (``…`` matching any text)."""
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    return any(re.fullmatch(pattern, line.strip()) for line in printed.splitlines())
