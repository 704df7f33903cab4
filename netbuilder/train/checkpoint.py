"""The trained-model ``.pt`` file: tensors and plain values only (DESIGN "file formats").

It loads with ``torch.load(path, weights_only=True)`` in plain PyTorch, so opening one can
never run code from the file; NetBuilder reads it the same way.
"""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder import __version__
from netbuilder.core import io as diagram_io
from netbuilder.core.diagram import Diagram

CHECKPOINT_FORMAT = "netbuilder-checkpoint"
CHECKPOINT_VERSION = 1


class CheckpointError(Exception):
    """A ``.pt`` file that cannot be used; the message names the file and the reason."""

    def __init__(self, path: str | os.PathLike[str] | None, problem: str) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)


@dataclass
class Checkpoint:
    """What a NetBuilder ``.pt`` holds, in Python form."""

    diagram: Diagram
    state_dict: dict[str, torch.Tensor]
    training: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    netbuilder_version: str = __version__
    torch_version: str = str(torch.__version__)


def checkpoint_payload(
    diagram: Diagram,
    model: nn.Module,
    training: dict[str, Any] | None = None,
    metrics: dict[str, list[float]] | None = None,
    classes: list[str] | None = None,
) -> dict[str, Any]:
    """The dict written to disk: weights on the CPU, the diagram as ``.nbd`` JSON text."""
    state = {k: v.detach().to("cpu").clone() for k, v in model.state_dict().items()}
    return {
        "format": CHECKPOINT_FORMAT,
        "format_version": CHECKPOINT_VERSION,
        "state_dict": state,
        "diagram": diagram_io.dumps(diagram),
        "training": dict(training if training is not None else diagram.training),
        "metrics": {k: [float(x) for x in v] for k, v in (metrics or {}).items()},
        "classes": [str(c) for c in (classes or [])],
        "netbuilder_version": __version__,
        "torch_version": str(torch.__version__),
    }


def save_checkpoint(
    path: str | os.PathLike[str],
    diagram: Diagram,
    model: nn.Module,
    training: dict[str, Any] | None = None,
    metrics: dict[str, list[float]] | None = None,
    classes: list[str] | None = None,
) -> None:
    """Write atomically, so an interrupted save never destroys an earlier checkpoint."""
    buffer = io.BytesIO()
    torch.save(checkpoint_payload(diagram, model, training, metrics, classes), buffer)
    try:
        diagram_io.write_bytes_atomic(Path(path), buffer.getvalue())
    except diagram_io.DiagramFileError as exc:
        raise CheckpointError(path, exc.problem) from None


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a NetBuilder ``.pt`` safely; raises ``CheckpointError`` with the reason."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            path, "the file does not exist" if not path.exists() else "this is not a file"
        )
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            path,
            "refused: the file contains objects other than tensors "
            "and plain values, which could run code when loaded "
            f"({_first_line(exc)})",
        ) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CheckpointError(
            path,
            f"not a readable PyTorch file; it may be truncated or damaged ({_first_line(exc)})",
        ) from None
    return _parse(raw, path)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _parse(raw: Any, path: Path) -> Checkpoint:
    if not isinstance(raw, dict) or raw.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            path,
            "this .pt file was not written by NetBuilder (it has no "
            "diagram); open a NetBuilder checkpoint or its .nbd diagram",
        )
    version = raw.get("format_version")
    if not isinstance(version, int) or version > CHECKPOINT_VERSION:
        raise CheckpointError(
            path,
            f"checkpoint format version {version!r} is newer than this "
            "NetBuilder can read; update NetBuilder",
        )
    state = raw.get("state_dict")
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise CheckpointError(path, "the weights (state_dict) are missing or damaged")
    text = raw.get("diagram")
    if not isinstance(text, str):
        raise CheckpointError(path, "the diagram is missing")
    try:
        diagram = diagram_io.loads(text, f"{path} (embedded diagram)")
    except diagram_io.DiagramFileError as exc:
        raise CheckpointError(path, f"the embedded diagram is damaged: {exc.problem}") from None
    metrics = raw.get("metrics", {})
    classes = raw.get("classes", [])
    training = raw.get("training", {})
    if (
        not isinstance(metrics, dict)
        or not isinstance(classes, list)
        or not isinstance(training, dict)
    ):
        raise CheckpointError(path, "the training record (metrics, classes, settings) is damaged")
    return Checkpoint(
        diagram,
        state,
        training,
        metrics,
        [str(c) for c in classes],
        str(raw.get("netbuilder_version", "?")),
        str(raw.get("torch_version", "?")),
    )
