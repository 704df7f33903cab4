"""The imported operations that PythonOp blocks run, for this process only.

Kept apart from the block declaration (``opaque``) and its torch module (``opaque_module``)
so both can read it without importing each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import nn

__all__ = ["OPAQUE_OPS", "register_op"]

OPAQUE_OPS: dict[str, nn.Module] = {}
_META: dict[str, nn.Module] = {}


def register_op(key: str, module: nn.Module) -> None:
    """Make the original operation ``key`` available to PythonOp blocks in this process."""
    OPAQUE_OPS[key] = module
    _META.pop(key, None)
