"""A small, strict reader for the flowchart part of the Mermaid language.

It returns nodes (id, label, line) and links (source, target, link text, line) and knows
nothing of blocks. Each line is scanned left to right with anchored regular expressions
(no backtracking over the whole line), so any input is read in linear time, and whatever
it does not understand is refused with the line number and the text it stopped at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LINES = 20_000
MAX_NODES = 5_000


class ChartError(ValueError):
    """A line the reader refuses; ``where`` is ``line N``."""

    def __init__(self, line: int, reason: str) -> None:
        self.where = f"line {line}"
        self.reason = reason
        super().__init__(f"{self.where}: {reason}")


@dataclass
class ChartNode:
    id: str
    label: str
    line: int


@dataclass
class Link:
    source: str
    target: str
    text: str
    line: int

    def port(self, outputs: tuple[str, ...]) -> str | None:
        """The source port this link leaves from: named first in its text (``h: Bx64``
        or just ``h``) when the source has such a port, else ``out``; None if unknown."""
        head, sep, _rest = self.text.partition(":")
        for word in (head.strip() if sep else "", self.text.strip()):
            if word and word in outputs:
                return word
        if sep and len(outputs) > 1 and re.fullmatch(r"[A-Za-z]\w*", head.strip()):
            return None
        return "out" if "out" in outputs else None


@dataclass
class Chart:
    direction: str = "TD"
    nodes: dict[str, ChartNode] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)


_HEADER = re.compile(r"^(graph|flowchart)(?:\s+(TB|TD|BT|RL|LR))?\s*;?\s*$", re.IGNORECASE)
_ID = re.compile(r"[A-Za-z_][\w\-]*")
# node shapes, longest openers first: ((a)), ([a]), [[a]], [(a)], {{a}}, [a], (a), {a}, >a]
_SHAPES = (
    ("(((", ")))"),
    ("((", "))"),
    ("([", "])"),
    ("[[", "]]"),
    ("[(", ")]"),
    ("{{", "}}"),
    ("[/", "/]"),
    ("[\\", "\\]"),
    ("[", "]"),
    ("(", ")"),
    ("{", "}"),
    (">", "]"),
)
# links: ---> -.-> ==> --- with optional |text| after; "-- text -->" is handled separately
_ARROW = re.compile(r"(<?)(-{2,}>|-{3,}|={2,}>|={3,}|-\.+->|-\.+-)(\|([^|]*)\|)?")
_TEXT_ARROW = re.compile(r"(--|==|-\.)\s+([^-=.>|][^>|]*?)\s+(-{2,}>|={2,}>|\.->|-{3,}|={3,})")
_SKIPPED = ("style ", "classdef ", "class ", "linkstyle ", "direction ")


def _strip_comment(line: str) -> str:
    if line.lstrip().startswith("%%"):
        return ""
    # a trailing %% outside quotes starts a comment
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif not quoted and line.startswith("%%", i):
            return line[:i]
    return line


def _label(raw: str) -> str:
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    elif '"' in text:
        raise ValueError("a label with a quote inside must be quoted as a whole")
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"#(\w+);", " ", text)  # Mermaid entity codes such as #quot;
    return " ".join(text.split())


class _LineScanner:
    def __init__(self, text: str, line: int, chart: Chart) -> None:
        self.text = text
        self.pos = 0
        self.line = line
        self.chart = chart

    def fail(self, reason: str) -> ChartError:
        rest = self.text[self.pos : self.pos + 40]
        return ChartError(self.line, f"{reason} at '{rest}'" if rest else reason)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def node(self) -> str:
        """One node reference, with an optional shape and label; returns its id."""
        self.skip_space()
        m = _ID.match(self.text, self.pos)
        if not m:
            raise self.fail("expected a node id")
        node_id = m.group(0)
        while node_id.endswith("-") and self.text.startswith("->", m.end() - 1):
            node_id = node_id[:-1]  # "A-->B": the id stops before the arrow
        self.pos = m.start() + len(node_id)
        label = None
        for opener, closer in _SHAPES:
            if self.text.startswith(opener, self.pos):
                start = self.pos + len(opener)
                if self.text.startswith('"', start):
                    end_quote = self.text.find('"', start + 1)
                    if end_quote < 0:
                        raise self.fail("a quoted label is not closed")
                    end = end_quote + 1
                    if not self.text.startswith(closer, end):
                        raise self.fail(f"expected '{closer}' after the quoted label")
                else:
                    end = self.text.find(closer, start)
                    if end < 0:
                        raise self.fail(f"the label is not closed with '{closer}'")
                try:
                    label = _label(self.text[start:end])
                except ValueError as exc:
                    raise self.fail(str(exc)) from None
                self.pos = end + len(closer)
                break
        if len(self.chart.nodes) >= MAX_NODES and node_id not in self.chart.nodes:
            raise self.fail(f"more than {MAX_NODES} nodes")
        known = self.chart.nodes.get(node_id)
        if known is None:
            self.chart.nodes[node_id] = ChartNode(node_id, label or node_id, self.line)
        elif label is not None:
            if known.label != known.id and known.label != label:
                raise self.fail(f"node {node_id} is given a second, different label")
            known.label, known.line = label, self.line
        return node_id

    def group(self) -> list[str]:
        ids = [self.node()]
        while True:
            self.skip_space()
            if self.text.startswith("&", self.pos):
                self.pos += 1
                ids.append(self.node())
            else:
                return ids

    def arrow(self) -> str | None:
        """Link text of the arrow at the cursor ('' without text), or None at the end."""
        self.skip_space()
        if self.pos >= len(self.text) or self.text[self.pos] == ";":
            return None
        if self.text.startswith("<", self.pos):
            raise self.fail("links pointing backwards (<--, <-->) are not read")
        m = _TEXT_ARROW.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            return self.link_text(m.group(2))
        m = _ARROW.match(self.text, self.pos)
        if not m:
            raise self.fail("expected a link such as --> or ---")
        if m.group(1):
            raise self.fail("links pointing backwards (<--) are not read")
        self.pos = m.end()
        return self.link_text(m.group(4)) if m.group(3) else ""

    def link_text(self, raw: str) -> str:
        try:
            return _label(raw)
        except ValueError as exc:
            raise self.fail(str(exc)) from None

    def statement(self) -> None:
        sources = self.group()
        while True:
            text = self.arrow()
            if text is None:
                break
            targets = self.group()
            for s in sources:
                for t in targets:
                    self.chart.links.append(Link(s, t, text, self.line))
            sources = targets
        self.skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == ";":
            self.pos += 1
            self.skip_space()
        if self.pos != len(self.text):
            raise self.fail("unexpected text")


def parse_chart(text: str, line_offset: int = 0) -> Chart:
    """Read a flowchart; raise ChartError with the line number of the first refusal."""
    chart = Chart()
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ChartError(line_offset + MAX_LINES, f"more than {MAX_LINES} lines")
    header_seen = False
    depth = 0
    for i, raw in enumerate(lines, start=1 + line_offset):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if not header_seen:
            m = _HEADER.match(line)
            if not m:
                raise ChartError(
                    i,
                    "a Mermaid flowchart starts with 'graph LR' or 'flowchart TD', "
                    f"not '{line[:40]}'",
                )
            chart.direction = (m.group(2) or "TD").upper()
            header_seen = True
            continue
        low = line.lower()
        if low.startswith("subgraph"):
            depth += 1
            continue
        if low in ("end", "end;"):
            if depth == 0:
                raise ChartError(i, "'end' without a subgraph")
            depth -= 1
            continue
        if low.startswith(_SKIPPED):
            continue
        if low.startswith("click "):
            raise ChartError(i, "click actions are not read")
        for part in _split_statements(line):
            _LineScanner(part, i, chart).statement()
    if not header_seen:
        raise ChartError(line_offset + 1, "the text holds no Mermaid flowchart")
    if depth:
        raise ChartError(line_offset + len(lines), "a subgraph is not closed with 'end'")
    return chart


def _split_statements(line: str) -> list[str]:
    """Split ``A --> B; B --> C`` on semicolons outside quotes and brackets."""
    parts, quoted, start = [], False, 0
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            parts.append(line[start:i])
            start = i + 1
    parts.append(line[start:])
    return [p for p in (p.strip() for p in parts) if p]
