"""Bring networks in: PyTorch modules, ``.pt2`` programs, ONNX files and Mermaid charts.

Qt-free. May import ``netbuilder.core`` and, for the ``.pt2`` safety checks only,
``netbuilder.core.safe_load``; never ``train`` or ``gui``. Every importer returns a
complete ``ImportResult`` (diagram checked, weights verified against the source) or raises
``ModelImportError`` listing every problem with its node or line: never a half-made diagram.

``import_path`` picks the importer from the file name: ``.pt2``, ``.onnx``, ``.mmd`` /
``.mermaid`` / ``.md`` (a Mermaid flowchart, also inside a Markdown fence) or
``model.py:ClassName`` (runs the user's code!).
"""

from __future__ import annotations

from pathlib import Path

from netbuilder.importers.errors import ModelImportError, Problem, UnmappedError
from netbuilder.importers.graph import ImportResult

SUFFIXES = {
    ".pt2": "torch.export program",
    ".onnx": "ONNX model",
    ".mmd": "Mermaid flowchart",
    ".mermaid": "Mermaid flowchart",
    ".md": "Markdown with a Mermaid flowchart",
    ".txt": "text with a Mermaid flowchart",
    ".py": "PyTorch module (model.py:ClassName)",
}

__all__ = [
    "SUFFIXES",
    "ImportResult",
    "ModelImportError",
    "Problem",
    "UnmappedError",
    "import_path",
    "split_module_spec",
]


def split_module_spec(spec: str) -> tuple[Path, str] | None:
    """``model.py:Net`` → (Path("model.py"), "Net"); None when ``spec`` is not of that form."""
    head, sep, tail = spec.rpartition(":")
    if sep and head.lower().endswith(".py") and tail.isidentifier():
        return Path(head), tail
    return None


def import_path(
    spec: str,
    *,
    args_json: str | None = None,
    input_shape: str | None = None,
    allow_opaque: bool = False,
    subblocks: bool = True,
) -> ImportResult:
    """Import ``spec`` (a file, or ``model.py:ClassName``) by its kind.

    ``args_json``, ``input_shape`` and ``allow_opaque`` (keep operations without a block as
    Python ops that run the original code) apply to PyTorch modules. ``subblocks``: make
    sub-blocks of repeated module calls (PyTorch, ``.pt2``, ONNX; Mermaid stays flat).
    """
    module = split_module_spec(spec)
    if module is not None:
        from netbuilder.importers.pytorch import import_python_file
        from netbuilder.importers.user_code import parse_input_shapes

        shapes = parse_input_shapes(input_shape) if input_shape else None
        return import_python_file(module[0], module[1], args_json, shapes, allow_opaque, subblocks)
    path = Path(spec)
    suffix = path.suffix.lower()
    if suffix == ".py":
        raise ModelImportError(
            f"{spec}: name the class to import, as {spec}:ClassName (this runs the file's code)"
        )
    if not path.is_file():
        raise ModelImportError(
            f"{spec}: {'this is not a file' if path.exists() else 'the file does not exist'}"
        )
    if suffix == ".pt2":
        from netbuilder.importers.pt2 import import_pt2

        return import_pt2(path, subblocks)
    if suffix == ".onnx":
        from netbuilder.importers.onnx_model import import_onnx

        return import_onnx(path, subblocks)
    if suffix in (".mmd", ".mermaid", ".md", ".txt", ".markdown"):
        from netbuilder.importers.mermaid import import_mermaid_file

        return import_mermaid_file(path)
    known = ", ".join(SUFFIXES)
    raise ModelImportError(f"{spec}: NetBuilder imports {known} files, not {suffix or 'this'}")
