"""The static description of a tensor flowing on a wire.

The batch dimension is always first and always symbolic, so it is left out of ``shape``:
``TensorSpec((64, 14, 14))`` is the ``B×64×14×14`` a user sees on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is imported only by the methods that make tensors
    import torch


@dataclass(frozen=True, slots=True)
class TensorSpec:
    """Shape (without the batch dimension) and element kind of one tensor.

    ``dtype`` is ``"float"`` for activations and ``"long"`` for token ids; ``vocab`` travels
    with token ids so an Embedding can infer its table size from the input it is wired to.
    """

    shape: tuple[int, ...]
    dtype: str = "float"
    vocab: int | None = None

    @property
    def rank(self) -> int:
        """Number of dimensions without the batch dimension."""
        return len(self.shape)

    @property
    def numel(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def torch_dtype(self) -> torch.dtype:
        import torch

        return torch.long if self.dtype == "long" else torch.float32

    def example(self, batch: int = 2, device: str | torch.device = "cpu") -> torch.Tensor:
        """A random tensor of this spec, for tracing, export and verification."""
        import torch

        full = (batch, *self.shape)
        if self.dtype == "long":
            return torch.randint(0, self.vocab or 2, full, device=device)
        return torch.randn(full, device=device)


def format_shape(spec: TensorSpec | tuple[int, ...]) -> str:
    """``B×64×14×14`` — the label drawn on a wire."""
    shape = spec.shape if isinstance(spec, TensorSpec) else spec
    return "×".join(["B", *(str(d) for d in shape)])
