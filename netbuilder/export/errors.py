"""Why an export or a file could not be used, as exceptions the CLI maps to exit codes."""

from __future__ import annotations

from netbuilder.core.safe_load import UnsafeFileError

__all__ = ["ExportError", "MissingDependencyError", "UnsafeFileError", "VerificationError"]


class ExportError(Exception):
    """The export could not be written (exit code 2 in the CLI: bad input or environment)."""


class MissingDependencyError(ExportError):
    """An optional package (onnx, onnxruntime...) is needed; the message says how to get it."""


class VerificationError(ExportError):
    """The written file reloads but does not reproduce the in-app model (exit code 1)."""

    def __init__(self, message: str, max_abs_diff: float | None = None) -> None:
        super().__init__(message)
        self.max_abs_diff = max_abs_diff
