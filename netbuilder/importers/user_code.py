"""Running the user's model file: load the class, build it, read input sizes.

**This runs the user's code** (the file, the constructor). Every failure becomes a
``ModelImportError`` naming the line of the user's file it came from, never a traceback.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import traceback
import uuid
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder.importers.errors import ModelImportError

_TORCH_DIR = str(Path(torch.__file__).resolve().parent)
_TORCH_FRAME = re.compile(r"[/\\]site-packages[/\\]torch[/\\]|[/\\]torch[/\\](nn|_|export|fx)")
_SPEC_RE = re.compile(r"^\s*(\d+(?:\s*[x×]\s*\d+)*)\s*(?::\s*(float|long|int64))?\s*$")


def module_classes(path: str | Path) -> list[str]:
    """Names of the ``nn.Module`` subclasses a file defines, in source order, read with
    ``ast`` *without running it* (so a dialog can offer them before asking to run the file).

    A class counts when a base is spelt ``Module`` (``nn.Module``, ``torch.nn.Module``...),
    a common torch module class (``nn.Sequential``...), or another class counted here. An
    unreadable or invalid file gives an empty list: the import itself then says why.
    """
    import ast

    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return []
    torch_bases = {"Module", "Sequential", "ModuleList", "ModuleDict"}
    found: list[str] = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for base in node.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
            if name in torch_bases or name in found:
                found.append(node.name)
                break
    return found


def source_location(trace_text: str | None) -> str:
    """``model.py:12``: the innermost frame outside torch in a recorded stack trace.

    fx and torch.export record, on every node, the Python stack that created it (for a
    ``.pt2`` or ONNX file: on the machine that exported it, so torch's own frames are
    recognised by their path inside any ``torch`` package, not only this one's).
    """
    hits = re.findall(r'File "([^"]+)", line (\d+)', trace_text or "")
    user = [(f, n) for f, n in hits if not f.startswith(_TORCH_DIR) and not _TORCH_FRAME.search(f)]
    if not user:
        return ""
    f, n = user[-1]
    return f"{Path(f).name}:{n}"


def parse_input_shapes(text: str) -> list[tuple[tuple[int, ...], str]]:
    """``1x3x224x224`` or ``1x32:long,1x8`` → [(full shape, dtype)]; the first size is the batch."""
    out = []
    for part in text.split(","):
        m = _SPEC_RE.match(part)
        if not m:
            raise ModelImportError(
                f"--input-shape {part.strip()!r} is not like 1x3x224x224 (optionally :long)"
            )
        dims = tuple(int(d) for d in re.split(r"\s*[x×]\s*", m.group(1)))
        if len(dims) < 2 or min(dims) < 1 or max(dims) > 1_000_000:
            raise ModelImportError(
                f"--input-shape {part.strip()!r} needs a batch size and at least one more size, "
                "each between 1 and 1000000"
            )
        out.append((dims, "long" if m.group(2) in ("long", "int64") else "float"))
    return out


def load_class(path: str | Path, class_name: str) -> type[nn.Module]:
    """Execute ``path`` as a module and return its ``class_name`` (runs the file's code)."""
    path = Path(path)
    if not path.is_file():
        raise ModelImportError(f"{path}: the file does not exist")
    if not class_name.isidentifier():
        raise ModelImportError(f"{class_name!r} is not a Python class name")
    name = f"_netbuilder_import_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ModelImportError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)  # so the file's own sibling imports work
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # user code may raise anything, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ModelImportError(
            f"{path}: running the file failed: {_user_error(exc, path)}"
        ) from None
    finally:
        if sys.path and sys.path[0] == folder:
            sys.path.pop(0)
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        found = sorted(
            k for k, v in vars(module).items() if isinstance(v, type) and issubclass(v, nn.Module)
        )
        hint = f"; it defines {', '.join(found[:8])}" if found else ""
        raise ModelImportError(f"{path}: no nn.Module class named {class_name!r}{hint}")
    return cls


def instantiate(cls: type[nn.Module], args_json: str | None, where: str) -> nn.Module:
    """``cls(*args)`` / ``cls(**kwargs)`` from a JSON list or object (runs user code)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    if args_json:
        try:
            value = json.loads(args_json)
        except ValueError as exc:
            raise ModelImportError(f"--args is not valid JSON: {exc}") from None
        if isinstance(value, list):
            args = value
        elif isinstance(value, dict):
            kwargs = value
        else:
            raise ModelImportError("--args must be a JSON list (positional) or object (keywords)")
    try:
        return cls(*args, **kwargs)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise ModelImportError(f"{where}: creating the model failed: {_user_error(exc)}") from None


def _user_error(exc: BaseException, path: Path | None = None) -> str:
    """One line: the error and, when known, the line of the user's file it came from."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith(_TORCH_DIR) and "importlib" not in f.filename
    ]
    if path is not None:
        frames = [f for f in frames if Path(f.filename).name == path.name] or frames
    if frames and "netbuilder" not in frames[-1].filename:
        return f"{text} (at {Path(frames[-1].filename).name}:{frames[-1].lineno})"
    return text


def documented_shapes(model: nn.Module) -> list[tuple[tuple[int, ...], str]] | None:
    """Input sizes from the ``Inputs: x: B×3×32×32.`` line NetBuilder's generated code has."""
    doc = type(model).__doc__ or ""
    m = re.search(r"Inputs: (.+?)\.\s*$", doc, re.MULTILINE)
    if not m:
        return None
    found = re.findall(r"\w+: B((?:×\d+)+)", m.group(1))
    return [((1, *(int(d) for d in dims.split("×")[1:])), "float") for dims in found] or None
