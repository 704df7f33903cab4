"""The torch module behind the PythonOp block (``core.blocks.opaque``), kept apart so that
declaring the block imports no torch."""

from __future__ import annotations

import copy

import torch
from torch import nn

from netbuilder.core.blocks.opaque_registry import OPAQUE_OPS


class PythonOp(nn.Module):
    """Runs a copy of the imported original operation (its weights included)."""

    def __init__(self, key: str, description: str = "") -> None:
        super().__init__()
        original = OPAQUE_OPS.get(key)
        if original is None:
            raise RuntimeError(f"the Python op {description or key} needs its original module")
        self.op = copy.deepcopy(original)

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return self.op(*xs)
