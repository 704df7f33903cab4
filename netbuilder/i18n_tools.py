"""Keeping the core's message catalogue in step with the source: extract, merge, compile.

``python -m netbuilder.i18n_tools update`` (run by ``packaging/update_translations.py``)
collects every message the core and the CLI can show, merges it into each
``resources/translations/netbuilder_core_<lang>.po`` (keeping existing translations, adding
new messages untranslated, keeping dropped ones as ``#~`` so a reworded message can reuse its
old translation) and compiles each ``.po`` to the ``.mo`` that ships. ``compile`` only
compiles; ``check`` exits 1 when a catalogue has untranslated or fuzzy messages, lost
placeholders or a stale ``.mo``, naming each.

Messages come from two places:

- literal first arguments of ``_()``, ``N_()`` and ``ngettext()`` in ``netbuilder/`` outside
  ``netbuilder/gui`` (the GUI's own strings go through Qt's ``tr()`` and ``.ts`` files);
- the block library itself: every category name, ``BlockSpec.doc`` and ``Param.doc``, read
  from ``BLOCKS`` so a new block needs no marking and cannot be missed; likewise the docs of
  the training settings and dataset options (``netbuilder.train.config``) and the titles and
  descriptions of the bundled examples (the GUI shows ``_(info.title)``).

It sits at the top of the package, outside the layers, because it reads both the core and
``train``; nothing imports it at run time.

Pure standard library (no Babel, no GNU gettext): the ``.mo`` writer is deterministic, so a
test can compile the ``.po`` in memory and compare it byte for byte with the committed file.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from netbuilder.core.i18n import DOMAIN, LANGUAGES, SOURCE_LANGUAGE, translations_dir

PACKAGE_DIR = Path(__file__).resolve().parent
#: Folders whose strings belong to Qt's catalogue, not this one.
EXCLUDED = ("gui",)
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@dataclass
class Message:
    """One catalogue entry: ``msgid`` (and ``plural``), its translation(s), where it is from."""

    msgid: str
    plural: str | None = None
    msgstr: list[str] = field(default_factory=lambda: [""])
    references: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return all(self.msgstr) and "fuzzy" not in self.flags


PERCENT = re.compile(r"%(?:\([A-Za-z_]+\))?[rsdfg]")


def percent_fields(text: str) -> list[str]:
    """``%``-style fields (argparse's messages): ``"%(prog)s: %s"`` → ``["%(prog)s", "%s"]``."""
    return sorted(PERCENT.findall(text))


def placeholders(text: str) -> set[str]:
    """Named ``str.format`` fields in ``text``: ``"{name} got {n:d}"`` → ``{"name", "n"}``."""
    return set(PLACEHOLDER.findall(text))


# --- extraction ---------------------------------------------------------------------------


def source_files(root: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*.py")
        if p.relative_to(root).parts[0] not in EXCLUDED and "__pycache__" not in p.parts
    )


class ExtractionError(ValueError):
    """A marker called with something other than a literal (an f-string, a variable)."""


def extract_file(path: Path, root: Path = PACKAGE_DIR) -> Iterator[Message]:
    """The marked messages of one module, in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = f"{root.name}/{path.relative_to(root).as_posix()}"
    calls = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in calls:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        count = MARKERS.get(node.func.id)
        if count is None or not node.args:
            continue
        args = node.args[:count]
        if len(args) < count:
            continue
        if any(_assembled(a) for a in args):
            raise ExtractionError(
                f"{rel}:{node.lineno}: {node.func.id}() needs literal text; format after "
                "translating: _('{name} …').format(name=...)"
            )
        if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
            continue  # translating a value marked elsewhere: _(spec.doc), _(what)
        texts = [a.value for a in args]  # type: ignore[attr-defined]
        yield Message(
            texts[0],
            plural=texts[1] if count == 2 else None,
            msgstr=["", ""] if count == 2 else [""],
            references=[rel],  # no line numbers: edits elsewhere must not churn the .po
        )


def _assembled(node: ast.expr) -> bool:
    """Text built before translation (f-string, ``+``/``%``, ``"…".format()``): untranslatable."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
    )


def library_messages() -> Iterator[Message]:
    """Category names, block descriptions, parameter and training-setting docs."""
    from netbuilder.core.blocks import BLOCKS, CATEGORIES, IMPORT_ONLY_CATEGORIES
    from netbuilder.resources import example_info, example_paths
    from netbuilder.train.config import DATASET_OPTION_FIELDS, FIELDS

    categories = [*CATEGORIES, *IMPORT_ONLY_CATEGORIES, *(s.category for s in BLOCKS.values())]
    for category in dict.fromkeys(categories):  # also categories added after this was written
        yield Message(category, comments=["block category (palette section)"])
    for spec in BLOCKS.values():
        module = spec.infer.__module__.replace(".", "/") + ".py"
        yield Message(spec.doc, references=[module], comments=[f"description of {spec.type}"])
        for param in spec.params:
            if param.doc:
                yield Message(
                    param.doc,
                    references=[module],
                    comments=[f"parameter {spec.type}.{param.name}"],
                )
    for name, (_setup, fn) in command_table().items():
        doc = (fn.__doc__ or "").strip().splitlines()
        if doc:
            yield Message(
                doc[0],
                references=[fn.__module__.replace(".", "/") + ".py"],
                comments=[f"help of the command `netbuilder {name}`"],
            )
    for path in example_paths():
        info = example_info(path)
        where = f"resources/examples/{path.name}"
        yield Message(info.title, references=[where], comments=["example title (File > Examples)"])
        if info.description:
            yield Message(info.description, references=[where], comments=["example description"])
    for what, params in (("training setting", FIELDS), ("dataset option", DATASET_OPTION_FIELDS)):
        for param in params:
            yield Message(
                param.doc,
                references=["netbuilder/train/config.py"],
                comments=[f"{what} {param.name}"],
            )


def command_table() -> dict:
    """``netbuilder.commands.COMMANDS`` with every command module imported."""
    import importlib

    from netbuilder.commands import COMMAND_MODULES, COMMANDS

    for module in COMMAND_MODULES:
        importlib.import_module(f"netbuilder.commands.{module}")
    return COMMANDS


def extract(root: Path = PACKAGE_DIR) -> list[Message]:
    """Every message, each once, in order of first appearance (source files, then library)."""
    found: dict[tuple[str, str | None], Message] = {}

    def add(messages: Iterable[Message]) -> None:
        for m in messages:
            key = (m.msgid, m.plural)
            if key in found:
                seen = found[key]
                seen.references.extend(r for r in m.references if r not in seen.references)
                seen.comments.extend(c for c in m.comments if c not in seen.comments)
            else:
                found[key] = m

    for path in source_files(root):
        add(extract_file(path, root))
    add(library_messages())
    for m in found.values():
        if placeholders(m.msgid) or (m.plural and placeholders(m.plural)):
            m.flags.add("python-brace-format")
        if percent_fields(m.msgid):
            m.flags.add("python-format")
    return list(found.values())


# --- .po files ----------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a quoted string: {text[:40]}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parse_po(text: str) -> tuple[str, list[Message], list[Message]]:
    """``(header msgstr, messages, obsolete messages)`` of a ``.po`` file's text."""
    header = ""
    messages: list[Message] = []
    obsolete: list[Message] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        is_obsolete = bool(lines) and all(ln.startswith("#~") for ln in lines)
        if is_obsolete:
            lines = [ln[2:].lstrip() for ln in lines]
        m = Message("")
        m.msgstr = []
        current: tuple[str, int] | None = None
        values: dict[tuple[str, int], str] = {}
        for line in lines:
            if line.startswith("#:"):
                m.references.extend(line[2:].split())
            elif line.startswith("#."):
                m.comments.append(line[2:].strip())
            elif line.startswith("#,"):
                m.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if current is None:
                    raise ValueError(f"continuation line without a keyword: {line[:40]}")
                values[current] += _unquote(line)
            else:
                keyword, _sep, rest = line.partition(" ")
                index = 0
                if keyword.startswith("msgstr["):
                    index = int(keyword[7:-1])
                    keyword = "msgstr"
                current = (keyword, index)
                values[current] = _unquote(rest)
        if ("msgid", 0) not in values:
            continue
        m.msgid = values[("msgid", 0)]
        m.plural = values.get(("msgid_plural", 0))
        count = 1 + max((i for k, i in values if k == "msgstr"), default=0)
        m.msgstr = [values.get(("msgstr", i), "") for i in range(count)]
        if m.msgid == "" and not is_obsolete:
            header = m.msgstr[0]
        else:
            (obsolete if is_obsolete else messages).append(m)
    return header, messages, obsolete


def _entry(m: Message, prefix: str = "") -> list[str]:
    lines = [f"#. {c}" for c in m.comments] if not prefix else []
    if m.references and not prefix:
        lines.append("#: " + " ".join(m.references))
    if m.flags:
        lines.append("#, " + ", ".join(sorted(m.flags)))

    def field_lines(keyword: str, value: str) -> list[str]:
        if "\n" in value.rstrip("\n"):
            parts = value.splitlines(keepends=True)
            return [f'{keyword} ""', *(_quote(p) for p in parts)]
        return [f"{keyword} {_quote(value)}"]

    body = field_lines("msgid", m.msgid)
    if m.plural is not None:
        body += field_lines("msgid_plural", m.plural)
        for i, s in enumerate(m.msgstr):
            body += field_lines(f"msgstr[{i}]", s)
    else:
        body += field_lines("msgstr", m.msgstr[0] if m.msgstr else "")
    return lines + [prefix + b for b in body]


def header_for(language: str) -> str:
    return (
        "Project-Id-Version: netbuilder\n"
        f"Language: {language}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "Plural-Forms: nplurals=1; plural=0;\n"
    )


def write_po(header: str, messages: list[Message], obsolete: list[Message] = ()) -> str:  # type: ignore[assignment]
    out = [
        f"# NetBuilder core and command-line messages ({DOMAIN}).",
        "# Regenerate with: python packaging/update_translations.py",
        'msgid ""',
        'msgstr ""',
        *(_quote(line) for line in header.splitlines(keepends=True)),
        "",
    ]
    for m in messages:
        out += [*_entry(m), ""]
    for m in obsolete:
        out += [*_entry(m, prefix="#~ "), ""]
    return "\n".join(out)


def merge(extracted: list[Message], old: list[Message], old_obsolete: list[Message]) -> tuple:
    """New entries with old translations carried over; old messages no longer used → obsolete."""
    known = {(m.msgid, m.plural): m for m in [*old_obsolete, *old]}
    merged: list[Message] = []
    for m in extracted:
        previous = known.pop((m.msgid, m.plural), None)
        if previous is not None and any(previous.msgstr):
            m.msgstr = previous.msgstr
            if "fuzzy" in previous.flags:
                m.flags.add("fuzzy")
        merged.append(m)
    obsolete = [m for m in known.values() if any(m.msgstr)]
    for m in obsolete:
        m.references, m.comments = [], []
    return merged, obsolete


# --- .mo files ----------------------------------------------------------------------------


def compile_mo(header: str, messages: list[Message]) -> bytes:
    """The GNU ``.mo`` bytes of the translated, non-fuzzy messages (as ``msgfmt`` writes)."""
    pairs: dict[bytes, bytes] = {b"": header.encode()}
    for m in messages:
        if not m.translated:
            continue
        key = m.msgid if m.plural is None else f"{m.msgid}\0{m.plural}"
        pairs[key.encode()] = "\0".join(m.msgstr).encode()
    keys = sorted(pairs)
    ids = strs = b""
    offsets: list[tuple[int, int, int, int]] = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(pairs[k])))
        ids += k + b"\0"
        strs += pairs[k] + b"\0"
    n = len(keys)
    start = 7 * 4 + 16 * n
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, start + o1]
        voffsets += [l2, start + len(ids) + o2]
    return (
        struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
        + struct.pack(f"{len(koffsets)}i", *koffsets)
        + struct.pack(f"{len(voffsets)}i", *voffsets)
        + ids
        + strs
    )


# --- commands -----------------------------------------------------------------------------


def po_languages(folder: Path | None = None) -> list[str]:
    folder = folder or translations_dir()
    return sorted(p.stem[len(DOMAIN) + 1 :] for p in folder.glob(f"{DOMAIN}_*.po"))


def update(folder: Path | None = None) -> list[str]:
    """Extract, merge into every offered language's ``.po`` and compile; returns a summary."""
    folder = folder or translations_dir()
    folder.mkdir(parents=True, exist_ok=True)
    extracted = extract()
    lines = []
    for language in (lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE):
        po = folder / f"{DOMAIN}_{language}.po"
        header, old, old_obsolete = (
            parse_po(po.read_text(encoding="utf-8")) if po.exists() else ("", [], [])
        )
        messages, obsolete = merge(
            [Message(m.msgid, m.plural, list(m.msgstr), list(m.references), list(m.comments),
                     set(m.flags)) for m in extracted],
            old,
            old_obsolete,
        )  # fmt: skip
        po.write_text(write_po(header or header_for(language), messages, obsolete), "utf-8")
        missing = sum(not m.translated for m in messages)
        lines.append(f"{po.name}: {len(messages)} messages, {missing} to translate")
    lines += compile_all(folder)
    return lines


def compile_all(folder: Path | None = None) -> list[str]:
    folder = folder or translations_dir()
    lines = []
    for language in po_languages(folder):
        po = folder / f"{DOMAIN}_{language}.po"
        header, messages, _obsolete = parse_po(po.read_text(encoding="utf-8"))
        po.with_suffix(".mo").write_bytes(compile_mo(header, messages))
        lines.append(f"{po.with_suffix('.mo').name}: compiled")
    return lines


def problems(folder: Path | None = None) -> list[str]:
    """Everything wrong with the catalogues: untranslated, fuzzy, lost placeholders, stale."""
    folder = folder or translations_dir()
    out: list[str] = []
    for language in po_languages(folder):
        po = folder / f"{DOMAIN}_{language}.po"
        header, messages, _obsolete = parse_po(po.read_text(encoding="utf-8"))
        for m in messages:
            where = f"{po.name}: {m.msgid[:60]!r}"
            if "fuzzy" in m.flags:
                out.append(f"{where} is fuzzy")
            elif not all(m.msgstr):
                out.append(f"{where} is untranslated")
            want = placeholders(m.msgid) | placeholders(m.plural or "")
            for s in m.msgstr:
                if s and placeholders(s) != want:
                    out.append(f"{where}: placeholders {sorted(placeholders(s))} != {sorted(want)}")
                if s and percent_fields(s) != percent_fields(m.msgid):
                    out.append(
                        f"{where}: % fields {percent_fields(s)} != {percent_fields(m.msgid)}"
                    )
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compile_mo(header, messages):
            out.append(f"{mo.name} is stale: run python packaging/update_translations.py")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "update"
    if command == "update":
        print("\n".join(update()))
        return 0
    if command == "compile":
        print("\n".join(compile_all()))
        return 0
    if command == "check":
        found = problems()
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    print("usage: python -m netbuilder.i18n_tools [update|compile|check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
