"""The ``.nbd`` diagram file: versioned, migrated one step at a time, saved atomically.

Every way a file can be wrong ends in one exception type, ``DiagramFileError``, whose
message names the file and the problem (DESIGN "file formats", rule 7).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netbuilder.core.blocks import BLOCKS, get_block, unknown_block_message
from netbuilder.core.diagram import Diagram, DiagramError
from netbuilder.core.i18n import _
from netbuilder.core.subblocks import name_problem
from netbuilder.core.text import quoted, shorten

FORMAT = "netbuilder-diagram"
FORMAT_VERSION = 3
MAX_FILE_BYTES = 64 * 1024 * 1024


class DiagramFileError(Exception):
    """A diagram file that cannot be read or written; the message says which and why."""

    def __init__(self, path: str | os.PathLike[str] | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        where = f"{shorten(self.path, 120)}: " if self.path else ""
        super().__init__(f"{where}{problem}")


# Each migration takes a version-N document and returns a version-N+1 document.


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2 drops Output's own ``name`` parameter: the block's name (label) is the one.

    Version 1 showed both a "Name" and a "name" field for an Output; a named output keeps
    its name as the block's label (unless the block already had a label).
    """
    doc = dict(doc)
    nodes = []
    for n in doc.get("nodes") or []:
        if isinstance(n, dict) and n.get("type") == "Output" and isinstance(n.get("params"), dict):
            n = dict(n)
            params = dict(n["params"])
            name = params.pop("name", "")
            if isinstance(name, str) and name.strip() and not n.get("label"):
                n["label"] = name.strip()
            n["params"] = params
        nodes.append(n)
    if isinstance(doc.get("nodes"), list):
        doc["nodes"] = nodes
    doc["format_version"] = 2
    return doc


def _v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 3 adds reusable sub-blocks: an optional top-level ``definitions`` list, each
    a named body of nodes and edges with its exposed parameters. A version-2 file has none,
    so its content carries over unchanged."""
    doc = dict(doc)
    doc["format_version"] = 3
    return doc


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def to_document(diagram: Diagram) -> dict[str, Any]:
    """The file's JSON object, envelope included."""
    body = diagram.to_dict()
    return {"format": FORMAT, "format_version": FORMAT_VERSION, **body}


def dumps(diagram: Diagram) -> str:
    """Pretty, stable JSON so that diagrams diff well in version control."""
    return json.dumps(to_document(diagram), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def save(diagram: Diagram, path: str | os.PathLike[str]) -> None:
    """Write atomically: a crash mid-save leaves the previous file intact.

    Content that JSON cannot hold (NaN, objects in ``training``...) is refused before
    anything touches the disk, as a ``DiagramFileError`` naming the file.
    """
    try:
        text = dumps(diagram)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DiagramFileError(path, f"the diagram cannot be written as JSON: {exc}") from None
    write_text_atomic(Path(path), text)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise DiagramFileError(path, f"cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(path))  # mkstemp makes 0600; keep what a plain write gives
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DiagramFileError(path, f"cannot write: {exc.strerror or exc}") from None


def _file_mode(path: Path) -> int:
    """The existing file's permissions, or the usual ones for a new file under the umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load(path: str | os.PathLike[str]) -> Diagram:
    """Read a ``.nbd`` file; raises ``DiagramFileError`` for any problem."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DiagramFileError(
                path, _("the file is too large ({size} bytes) to be a diagram").format(size=size)
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DiagramFileError(path, _("the file does not exist")) from None
    except IsADirectoryError:
        raise DiagramFileError(path, _("this is a folder, not a diagram file")) from None
    except OSError as exc:
        raise DiagramFileError(
            path, _("cannot read the file: {error}").format(error=exc.strerror or exc)
        ) from None
    return loads(raw, path)


def loads(raw: str | bytes, path: str | os.PathLike[str] | None = None) -> Diagram:
    """Parse file content; ``path`` is only used in messages."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise DiagramFileError(
            path, _("the file is not UTF-8 text; is it really a diagram?")
        ) from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DiagramFileError(
            path,
            _(
                "the file is not valid JSON (line {line}, column {column}: {error}); it may be "
                "truncated or damaged"
            ).format(line=exc.lineno, column=exc.colno, error=exc.msg),
        ) from None
    except (ValueError, RecursionError) as exc:
        raise DiagramFileError(
            path, _("the file is not valid JSON: {error}").format(error=exc)
        ) from None
    return from_document(doc, path)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a diagram file")


def from_document(doc: Any, path: str | os.PathLike[str] | None = None) -> Diagram:
    """Validate, migrate and build a diagram from a parsed JSON document."""
    if not isinstance(doc, dict):
        raise DiagramFileError(path, _("the file does not hold a diagram (expected a JSON object)"))
    if doc.get("format") != FORMAT:
        raise DiagramFileError(
            path,
            _('not a NetBuilder diagram ("format" should be "{format}")').format(format=FORMAT),
        )
    version = doc.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DiagramFileError(path, _('"format_version" is missing or not a positive integer'))
    if version > FORMAT_VERSION:
        raise DiagramFileError(
            path,
            _(
                "the file was written by a newer NetBuilder (format version {version}; this one "
                "reads up to {supported}). Update NetBuilder to open it."
            ).format(version=version, supported=FORMAT_VERSION),
        )
    while version < FORMAT_VERSION:
        doc = MIGRATIONS[version](doc)
        version += 1
    problem = _plain_problem(doc)
    if problem:
        raise DiagramFileError(path, problem)
    _validate(doc, path)
    try:
        return Diagram.from_dict(doc)
    except DiagramError as exc:
        raise DiagramFileError(path, str(exc)) from None


def _validate(doc: dict[str, Any], path: Any) -> None:
    """Check the document's structure so Diagram.from_dict never sees a wrong type."""

    def fail(problem: str) -> None:
        raise DiagramFileError(path, problem)

    for key in ("training", "meta"):
        if not isinstance(doc.get(key, {}), dict):
            fail(f'"{key}" is not an object')
    definitions = doc.get("definitions", [])
    if not isinstance(definitions, list):
        fail('"definitions" is not a list')
    exposed: dict[str, set[str]] = {}
    for i, d in enumerate(definitions):
        if not isinstance(d, dict):
            fail(f"sub-block {i + 1} is not an object")
        problem = name_problem(d.get("name"), exposed)
        if problem:
            fail(problem)
        exposed[d["name"]] = _exposed_names(d, f"sub-block {quoted(d['name'])}", fail)
    for d in definitions:
        _validate_nodes(d, f"sub-block {quoted(d['name'])}: ", exposed, fail)
    _validate_nodes(doc, "", exposed, fail)


def _exposed_names(d: dict[str, Any], where: str, fail: Callable[[str], None]) -> set[str]:
    if not isinstance(d.get("description", ""), str):
        fail(f'{where}: "description" is not text')
    items = d.get("exposed", [])
    if not isinstance(items, list):
        fail(f'{where}: "exposed" is not a list')
    names: set[str] = set()
    for e in items:
        if not isinstance(e, dict) or not isinstance(e.get("name"), str):
            fail(f"{where}: an exposed parameter has no name")
        if not e["name"].isidentifier() or e["name"] in names:
            fail(f"{where}: the exposed parameter name {quoted(e['name'])} is unusable")
        targets = e.get("targets")
        if not isinstance(targets, list) or not all(
            isinstance(t, list) and len(t) == 2 and all(isinstance(x, str) for x in t)
            for t in targets
        ):
            fail(f"{where}: exposed parameter {quoted(e['name'])} needs [node, parameter] targets")
        if not _json_scalar_or_list(e.get("default")):
            fail(f"{where}: exposed parameter {quoted(e['name'])} has an unusable default")
        names.add(e["name"])
    return names


def _validate_nodes(
    doc: dict[str, Any], where_all: str, exposed: dict[str, set[str]], fail: Callable[[str], None]
) -> None:
    """The nodes and edges of the diagram or of one definition body."""
    nodes, edges = doc.get("nodes"), doc.get("edges", [])
    if not isinstance(nodes, list):
        fail(f'{where_all}"nodes" is missing or not a list')
    if not isinstance(edges, list):
        fail(f'{where_all}"edges" is not a list')
    for i, n in enumerate(nodes):
        where = f"{where_all}node {i + 1}"
        if not isinstance(n, dict):
            fail(f"{where} is not an object")
        nid = n.get("id")
        if not isinstance(nid, str) or not nid:
            fail(f'{where} has no text "id"')
        where = f"{where_all}node {quoted(nid)}"
        t = n.get("type")
        if not isinstance(t, str):
            fail(f'{where} has no text "type"')
        if t not in BLOCKS and t not in exposed:
            try:
                get_block(t)
            except KeyError:
                fail(f"{where} uses {unknown_block_message(t)} (perhaps from a newer NetBuilder)")
        params = n.get("params", {})
        if not isinstance(params, dict):
            fail(f'{where}: "params" is not an object')
        known = exposed[t] if t in exposed else get_block(t).param_map
        shown = t if t in exposed else get_block(t).type
        for name, value in params.items():
            if name not in known:
                fail(f"{where}: {shown} has no parameter {quoted(name)}")
            if not _json_scalar_or_list(value):
                fail(f"{where}: parameter {quoted(name)} has an unusable value")
        pos = n.get("position", [0.0, 0.0])
        if not isinstance(pos, list) or len(pos) != 2 or not all(_finite_number(v) for v in pos):
            fail(f'{where}: "position" must be two finite numbers')
        if not isinstance(n.get("label", ""), str):
            fail(f'{where}: "label" is not text')
    for i, e in enumerate(edges):
        if not isinstance(e, dict) or not all(
            isinstance(e.get(k), str) for k in ("source", "source_port", "target", "target_port")
        ):
            fail(
                f'{where_all}edge {i + 1} needs text "source", "source_port", "target" and '
                '"target_port"'
            )


MAX_DEPTH = 32


def _plain_problem(doc: Any) -> str | None:
    """Why ``doc`` could not be saved back exactly (infinite numbers, broken text), if it can't.

    ``json`` reads ``1e999`` as infinity and ``"\\ud800"`` as a lone surrogate; both load
    fine but make the next save fail, so they are refused here with the file's name.
    """
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"the data is nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, float) and not math.isfinite(value):
            return "the file holds a number too large to represent"
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "the file holds text that is not valid Unicode"
        elif isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return None


def _finite_number(v: Any) -> bool:
    return (
        isinstance(v, int | float)
        and not isinstance(v, bool)
        and math.isfinite(v)
        and abs(v) < 1e12
    )


def _json_scalar_or_list(v: Any) -> bool:
    if v is None or isinstance(v, bool | str):
        return True
    if isinstance(v, int | float):
        return math.isfinite(v)
    if isinstance(v, list):
        return len(v) <= 64 and all(isinstance(x, int | float | str | bool) for x in v)
    return False
