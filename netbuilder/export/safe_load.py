"""Opening ``.pt`` and ``.pt2`` files without ever running code from them.

``torch.load(weights_only=True)`` is safe for ``.pt`` files: its unpickler only builds
tensors and plain containers. ``torch.export.load`` is *not* safe in torch 2.13, although
nothing in its signature says so. Reading its source (``torch/export/pt2_archive/_package.py``
and ``torch/_export/serde/serialize.py``) shows five ways a crafted ``.pt2`` runs code:

1. sample inputs fall back to ``torch.load(weights_only=False)`` when the safe load fails;
2. weights or constants flagged ``use_pickle`` are read with ``weights_only=False``;
3. "opaque" and "custom object" constants go through ``pickle.loads``/TorchScript;
4. every symbolic-shape string (``expr_str``) is passed to ``sympy.sympify``, which ``eval``s;
5. ``guards_code`` strings are compiled into a Python function by ``.module()``;
plus AOTInductor entries, which load a compiled shared library.

So :func:`safe_load_pt2` validates the archive against a narrow allowlist of what
``torch.export.save`` writes for NetBuilder models *before* handing the very same bytes
(held in memory, so the file cannot change in between) to ``torch.export.load``.
"""

from __future__ import annotations

import _compat_pickle
import ast
import io
import json
import os
import pickle
import pickletools
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import torch

from netbuilder.export.errors import UnsafeFileError

PT2_MAX_BYTES = 2 * 1024**3

# Names a torch.export symbolic-shape string may call or mention; anything else is refused.
# No Pow: sympy evaluates Pow(10, 10**9) eagerly, which would hang the app (a cheap DoS).
_SYM_CALLS = {
    "Symbol", "Integer", "Float", "Rational", "Add", "Mul", "Min", "Max", "Abs",
    "Mod", "FloorDiv", "PythonMod", "CleanDiv", "CeilToInt", "FloorToInt", "ModularIndexing",
    "Where", "IntTrueDiv", "FloatTrueDiv", "TruncToInt", "Eq", "Ne", "Lt", "Le", "Gt", "Ge",
    "And", "Or", "Not", "StrictLessThan", "LessThan", "GreaterThan", "StrictGreaterThan",
    "Equality", "Unequality", "BooleanTrue", "BooleanFalse",
}  # fmt: skip
_SYM_NAMES = {"oo", "zoo", "nan", "true", "false", "True", "False", "S"}
_SYMBOL_NAME = re.compile(r"^[a-z]{1,4}\d{1,9}$")
_ALLOWED_TARGET_PREFIXES = (
    "torch.ops.aten.",
    "torch.ops.prims.",
    "torch.ops.higher_order.",
    "_operator.",
)
# Symbolic-size helpers torch.export emits for dynamic shapes (pure arithmetic).
_ALLOWED_TARGETS = {
    "torch.sym_float", "torch.sym_int", "torch.sym_max", "torch.sym_min", "torch.sym_not",
    "torch.sym_ite", "torch.sym_sum", "torch._sym_sqrt", "math.ceil", "math.floor",
    "math.trunc", "math.sqrt",
}  # fmt: skip
_ALLOWED_TOP_DIRS = {
    "models",
    "data",
    "extra",
    ".data",
    "archive_format",
    "archive_version",
    "byteorder",
}
_ALLOWED_DATA_DIRS = {"weights", "constants", "sample_inputs"}


def pickle_globals(data: bytes, limit: int = 5) -> list[str]:
    """The ``module.name`` references a pickle would import, found without running it.

    Used only to make a refusal message concrete ("it would import and call os.system").
    Names are given as a Python 3 user knows them: a protocol 0-2 pickle spells them the
    Python 2 way (``subprocess.call`` is written ``commands call``), so they are mapped back
    exactly as the unpickler would map them, and ``posix``/``nt`` read as ``os``.
    """
    found: list[str] = []
    strings: list[str] = []
    protocol = 0
    try:
        for op, arg, _pos in pickletools.genops(data):
            if op.name == "PROTO" and isinstance(arg, int):
                protocol = arg
            elif op.name in ("GLOBAL", "INST") and isinstance(arg, str):
                module, _, name = arg.partition(" ")
                found.append(_python3_name(module, name, protocol))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.append(_python3_name(strings[-2], strings[-1], protocol))
            elif isinstance(arg, str):
                strings.append(arg)
            if len(found) >= limit:
                break
    except Exception:  # a damaged pickle: report what was found before the damage
        pass
    return found


_OS_MODULES = {"posix": "os", "nt": "os"}  # os.system is pickled as posix.system or nt.system


def _python3_name(module: str, name: str, protocol: int) -> str:
    """``module.name`` as ``pickle.Unpickler.find_class`` would resolve it, then as users say it."""
    if protocol < 3:  # the unpickler's fix_imports: Python 2 names to Python 3 ones
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
    return f"{_OS_MODULES.get(module, module)}.{name}"


def _zip_pickles(archive: zipfile.ZipFile) -> bytes:
    names = [n for n in archive.namelist() if n.endswith("data.pkl")]
    return archive.read(names[0]) if names else b""


def _foreign_globals(data: bytes) -> list[str]:
    """Non-torch ``module.name`` references in a pickle (zip-format or raw)."""
    raw = data
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                raw = _zip_pickles(archive)
        except zipfile.BadZipFile:
            raw = b""
    return sorted({r for r in pickle_globals(raw) if not r.startswith(("torch.", "collections."))})


def _describe_refusal(data: bytes) -> str:
    """Name the code references in a refused pickle."""
    refs = _foreign_globals(data)
    if refs:
        return f"it would import and call {', '.join(refs)}"
    return "it holds objects other than tensors and plain values"


def weights_only_load(path: str | os.PathLike[str], what: str = "PyTorch file") -> Any:
    """``torch.load(path, weights_only=True)`` with each failure turned into a clear reason.

    Raises ``UnsafeFileError`` for files that would run code, ``ValueError`` (with the
    reason) for files that are missing, damaged, truncated or of another kind.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError("the file does not exist")
    if not path.is_file():
        raise ValueError("this is not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror or exc}") from None
    if not data:
        raise ValueError(f"the file is empty; it is not a {what}")
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            raise ValueError(
                f"the {what} is truncated or damaged (its zip index is missing)"
            ) from None
        if any(n.endswith("/archive_format") for n in names) and not any(
            n.endswith("data.pkl") for n in names
        ):
            raise ValueError(
                "this is a .pt2 (torch.export) archive, not a .pt checkpoint; "
                "open the .pt checkpoint it was exported from"
            )
        if not any(n.endswith("data.pkl") for n in names):
            raise ValueError(f"this zip file is not a {what}")
    elif data[:1] != b"\x80":  # every pickle since protocol 2 starts with PROTO
        raise ValueError(f"not a {what}: it is neither a PyTorch archive nor a pickle")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "GLOBAL" in str(exc) or _foreign_globals(data):
            raise UnsafeFileError(
                f"refused: {_describe_refusal(data)}, which could run code when loaded; "
                "nothing from the file was run"
            ) from None
        raise ValueError(f"not a {what}: it is damaged or in another format") from None
    except (RuntimeError, EOFError, KeyError, IndexError, ValueError, TypeError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ValueError(
            f"not a readable {what}; it may be truncated or damaged ({first})"
        ) from None


# --------------------------------------------------------------------------- .pt2


def _check_sym_expr(text: str) -> None:
    """Refuse any shape expression that is not a plain sympy constructor call tree."""
    if len(text) > 4000:
        raise UnsafeFileError("a shape expression is unreasonably long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise UnsafeFileError(f"a shape expression is not valid: {text[:80]!r}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _SYM_CALLS):
                raise UnsafeFileError(
                    f"a shape expression calls something unexpected: {text[:80]!r}"
                )
        elif isinstance(node, ast.Name):
            if (
                node.id not in _SYM_CALLS
                and node.id not in _SYM_NAMES
                and not _SYMBOL_NAME.match(node.id)
            ):
                raise UnsafeFileError(f"a shape expression names {node.id!r}")
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str) and not _SYMBOL_NAME.match(value):
                raise UnsafeFileError(f"a shape expression holds the text {value[:40]!r}")
            if isinstance(value, int) and abs(value) > 2**63:
                raise UnsafeFileError("a shape expression holds an absurd number")
        elif not isinstance(
            node,
            ast.Expression
            | ast.keyword
            | ast.Load
            | ast.BinOp
            | ast.UnaryOp
            | ast.operator
            | ast.unaryop,
        ):
            raise UnsafeFileError(f"a shape expression contains {type(node).__name__}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            raise UnsafeFileError("a shape expression raises to a power")


def _walk_program(obj: Any) -> None:
    """Check every string in the serialized program that torch would evaluate or resolve."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key == "expr_str" and isinstance(value, str):
                    _check_sym_expr(value)
                elif key == "target" and isinstance(value, str):
                    if value not in _ALLOWED_TARGETS and not value.startswith(
                        _ALLOWED_TARGET_PREFIXES
                    ):
                        raise UnsafeFileError(f"the program calls {value[:80]!r}")
                elif key in ("custom_obj", "as_custom_obj") and value:
                    raise UnsafeFileError("the program holds custom (scripted) objects")
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _strict_weights_only(data: bytes, what: str) -> None:
    try:
        torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception:
        raise UnsafeFileError(f"{what} {_describe_refusal(data)}") from None


def _check_payload_config(archive: zipfile.ZipFile, root: str, name: str, kind: str) -> None:
    try:
        config = json.loads(archive.read(name))["config"]
    except (KeyError, ValueError, TypeError):
        raise ValueError(f"its {kind} index is damaged") from None
    for fqn, meta in config.items():
        path_name = str(meta.get("path_name", ""))
        if kind == "constants" and not path_name.startswith("tensor_"):
            raise UnsafeFileError(f"constant {fqn!r} is a pickled object, not a tensor")
        if meta.get("use_pickle"):
            record = f"{root}data/{kind}/{path_name}"
            _strict_weights_only(archive.read(record), f"{kind[:-1]} {fqn!r}")


def validate_pt2(data: bytes) -> None:
    """Raise ``UnsafeFileError``/``ValueError`` unless ``data`` is a plain torch.export archive."""
    if data[:2] != b"PK":
        raise ValueError("not a .pt2 archive (it is not a zip file)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        raise ValueError("the .pt2 archive is truncated or damaged") from None
    with archive:
        fmt = [n for n in names if n.endswith("archive_format") and n.count("/") == 1]
        if not fmt:
            raise ValueError("not a torch.export .pt2 archive (no archive_format record)")
        root = fmt[0][: -len("archive_format")]
        if archive.read(fmt[0]).strip() != b"pt2":
            raise ValueError("not a torch.export .pt2 archive")
        for name in names:
            if not name.startswith(root):
                raise UnsafeFileError(f"unexpected record {name!r} outside the archive")
            parts = name[len(root) :].split("/")
            if parts[0] not in _ALLOWED_TOP_DIRS or (
                parts[0] == "data" and (len(parts) < 3 or parts[1] not in _ALLOWED_DATA_DIRS)
            ):
                raise UnsafeFileError(
                    f"it contains {name[len(root) :]!r}, which NetBuilder does not open "
                    "(compiled code or pickled objects)"
                )
            if parts[0] == "data" and parts[2].endswith(".pt") and parts[1] != "sample_inputs":
                raise UnsafeFileError("it uses the legacy pickled weight format")
        models = [n for n in names if n.startswith(f"{root}models/") and n.endswith(".json")]
        if not models:
            raise ValueError("the .pt2 archive holds no exported program")
        for model in models:
            model_name = model[len(f"{root}models/") : -len(".json")]
            try:
                program = json.loads(archive.read(model))
            except (ValueError, UnicodeDecodeError):
                raise ValueError("the exported program is damaged") from None
            if not isinstance(program, dict):
                raise ValueError("the exported program is damaged")
            if program.get("guards_code"):
                raise UnsafeFileError("it carries Python guard code, which would be run")
            _walk_program(program)
            for kind in ("weights", "constants"):
                config = f"{root}data/{kind}/{model_name}_{kind}_config.json"
                if config in names:
                    _check_payload_config(archive, root, config, kind)
            sample = f"{root}data/sample_inputs/{model_name}.pt"
            if sample in names:
                _strict_weights_only(archive.read(sample), "its sample inputs:")


def safe_load_pt2(
    path: str | os.PathLike[str], extra_files: dict[str, Any] | None = None
) -> torch.export.ExportedProgram:
    """``torch.export.load`` after :func:`validate_pt2`; raises ``UnsafeFileError``/``ValueError``.

    ``extra_files`` is filled like ``torch.export.load``'s argument of that name.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError("the file does not exist" if not path.exists() else "this is not a file")
    if path.stat().st_size > PT2_MAX_BYTES:
        raise ValueError("the .pt2 archive is larger than NetBuilder opens (2 GiB)")
    data = path.read_bytes()
    validate_pt2(data)
    try:
        return torch.export.load(io.BytesIO(data), extra_files=extra_files)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise ValueError(f"the .pt2 archive cannot be loaded ({first})") from None
