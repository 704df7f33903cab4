"""The trained-model ``.pt`` file: tensors and plain values only (DESIGN "file formats").

It loads with ``torch.load(path, weights_only=True)`` in plain PyTorch, so opening one can
never run code from the file; NetBuilder reads it the same way.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from netbuilder import __version__
from netbuilder.core import io as diagram_io
from netbuilder.core.diagram import Diagram
from netbuilder.export.errors import UnsafeFileError
from netbuilder.export.safe_load import weights_only_load

CHECKPOINT_FORMAT = "netbuilder-checkpoint"
CHECKPOINT_VERSION = 1

#: How the trainer picks the weights it keeps; stored beside ``best_epoch`` so a reader of
#: the file needs no NetBuilder source to know what "best" meant.
BEST_EPOCH_RULE = (
    "highest validation accuracy, earliest epoch on ties (lowest validation loss for regression)"
)


class CheckpointError(Exception):
    """A ``.pt`` file that cannot be used; the message names the file and the reason."""

    def __init__(
        self, path: str | os.PathLike[str] | None, problem: str, *, unsafe: bool = False
    ) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.unsafe = unsafe  # refused because loading it could run code
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
    #: the optimizer's statistics when the weights were kept (``setup.optimizer_snapshot``);
    #: None in checkpoints written without them. Continuing training loads it.
    optimizer_state: dict[str, Any] | None = None
    #: the epoch (1-based, an index into ``metrics``) whose weights ``state_dict`` holds, by
    #: ``BEST_EPOCH_RULE``; None in checkpoints written before it was recorded
    best_epoch: int | None = None


def checkpoint_payload(
    diagram: Diagram,
    model: nn.Module | dict[str, torch.Tensor],
    training: dict[str, Any] | None = None,
    metrics: dict[str, list[float]] | None = None,
    classes: list[str] | None = None,
    optimizer_state: dict[str, Any] | None = None,
    best_epoch: int | None = None,
) -> dict[str, Any]:
    """The dict written to disk: weights on the CPU, the diagram as ``.nbd`` JSON text.

    ``optimizer_state`` is optional: plain PyTorch users load ``state_dict`` and ignore it.
    ``best_epoch`` says which epoch of ``metrics`` the weights are from (``BEST_EPOCH_RULE``).
    """
    weights = model.state_dict() if isinstance(model, nn.Module) else model
    state = {k: v.detach().to("cpu").clone() for k, v in weights.items()}
    payload = {
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
    if best_epoch is not None:
        payload["best_epoch"] = int(best_epoch)
        payload["best_epoch_rule"] = BEST_EPOCH_RULE
    if optimizer_state is not None:
        payload["optimizer_state"] = optimizer_state
    return payload


def save_checkpoint(
    path: str | os.PathLike[str],
    diagram: Diagram,
    model: nn.Module | dict[str, torch.Tensor],
    training: dict[str, Any] | None = None,
    metrics: dict[str, list[float]] | None = None,
    classes: list[str] | None = None,
    optimizer_state: dict[str, Any] | None = None,
    best_epoch: int | None = None,
) -> None:
    """Write atomically, so an interrupted save never destroys an earlier checkpoint."""
    buffer = io.BytesIO()
    payload = checkpoint_payload(
        diagram, model, training, metrics, classes, optimizer_state, best_epoch
    )
    torch.save(payload, buffer)
    try:
        diagram_io.write_bytes_atomic(Path(path), buffer.getvalue())
    except diagram_io.DiagramFileError as exc:
        raise CheckpointError(path, exc.problem) from None


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a NetBuilder ``.pt`` safely; raises ``CheckpointError`` with the reason.

    Only ``torch.load(weights_only=True)`` ever touches the bytes: a file holding anything
    other than tensors and plain values is refused (``CheckpointError.unsafe``) and nothing
    from it runs.
    """
    path = Path(path)
    try:
        raw = weights_only_load(path, "NetBuilder checkpoint (.pt)")
    except UnsafeFileError as exc:
        raise CheckpointError(path, str(exc), unsafe=True) from None
    except ValueError as exc:
        raise CheckpointError(path, str(exc)) from None
    return _parse(raw, path)


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
    optimizer_state = raw.get("optimizer_state")
    if optimizer_state is not None and not (
        isinstance(optimizer_state, dict)
        and isinstance(optimizer_state.get("optimizer"), str)
        and isinstance(optimizer_state.get("state"), dict)
    ):
        raise CheckpointError(path, "the saved optimizer state is damaged")
    best_epoch = raw.get("best_epoch")
    if best_epoch is not None and not (
        isinstance(best_epoch, int) and not isinstance(best_epoch, bool) and best_epoch >= 1
    ):
        raise CheckpointError(path, f"the recorded best epoch {best_epoch!r} is damaged")
    return Checkpoint(
        diagram,
        state,
        training,
        metrics,
        [str(c) for c in classes],
        str(raw.get("netbuilder_version", "?")),
        str(raw.get("torch_version", "?")),
        optimizer_state,
        best_epoch,
    )


def continued_metrics(
    earlier: dict[str, list[float]] | None, new: dict[str, list[float]]
) -> dict[str, list[float]]:
    """Per-epoch metrics of a continued run appended to those of the run it continued.

    A checkpoint's ``metrics`` then tell the whole history of its weights, however many
    times training was continued. Lists stay aligned by epoch: a metric the earlier runs did
    not record is padded with NaN for their epochs.
    """
    earlier = earlier or {}
    done = max((len(v) for v in earlier.values()), default=0)
    return {
        key: [float(x) for x in earlier.get(key, [float("nan")] * done)]
        + [float(x) for x in values]
        for key, values in new.items()
    }


def continued_best_epoch(
    earlier: dict[str, list[float]] | None, best_epoch: int | None
) -> int | None:
    """The kept epoch of a continued run, counted over the whole history in ``metrics``.

    Continuing keeps the best weights of the *new* run (the earlier run's best is no longer
    in the model), so its epoch number is shifted by the epochs recorded before it.
    """
    if best_epoch is None:
        return None
    done = max((len(v) for v in (earlier or {}).values()), default=0)
    return done + best_epoch


# ------------------------------------------------------------------ weights into a module


def apply_weights(module: nn.Module, state_dict: dict[str, torch.Tensor]) -> nn.Module:
    """Load ``state_dict`` with ``strict`` matching; a mismatch names the blocks involved.

    Used when reopening a checkpoint: the weights must fit the diagram saved beside them
    exactly, otherwise the file is inconsistent and guessing would hide it.
    """
    own = module.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    wrong = sorted(
        k for k in set(own) & set(state_dict) if tuple(own[k].shape) != tuple(state_dict[k].shape)
    )
    problems = []
    if missing:
        problems.append(f"no weights for {_blocks(missing)}")
    if unexpected:
        problems.append(f"weights for blocks the diagram lacks ({_blocks(unexpected)})")
    if wrong:
        detail = ", ".join(
            f"{k} {tuple(state_dict[k].shape)} vs {tuple(own[k].shape)}" for k in wrong[:3]
        )
        problems.append(f"weights of the wrong shape ({detail})")
    if problems:
        raise CheckpointError(None, "the weights do not fit the diagram: " + "; ".join(problems))
    module.load_state_dict(state_dict, strict=True)
    return module


def _blocks(keys: list[str]) -> str:
    names = sorted({k.split(".", 1)[0] for k in keys})
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def build_model(checkpoint: Checkpoint) -> nn.Module:
    """The checkpoint's diagram compiled, with its trained weights loaded (train mode)."""
    from netbuilder.core.compile import CompileError, compile_diagram

    try:
        module = compile_diagram(checkpoint.diagram)
    except CompileError as exc:
        raise CheckpointError(None, f"the embedded diagram does not compile: {exc}") from None
    return apply_weights(module, checkpoint.state_dict)


@dataclass
class WeightTransfer:
    """Which blocks kept their trained weights after the diagram was edited.

    ``kept`` and ``fresh`` are diagram node ids of blocks with parameters; ``fresh`` blocks
    start from torch's default initialisation because they are new or their tensors changed
    shape. ``dropped`` are module names of old weights nothing uses any more.
    """

    kept: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"kept trained weights for {len(self.kept)} block(s)"]
        if self.fresh:
            parts.append(f"fresh weights for {', '.join(self.fresh)}")
        if self.dropped:
            parts.append(f"unused old weights of {', '.join(self.dropped)}")
        return "; ".join(parts)


def module_node_ids(module: nn.Module, diagram: Diagram | None = None) -> dict[str, str]:
    """Module name (state_dict key prefix) → diagram node id.

    A compiled ``fx.GraphModule`` records the node id on each ``call_module`` node; for any
    other module the names come from ``python_names`` over ``diagram``'s node ids.
    """
    from torch import fx

    from netbuilder.core.naming import python_names

    if isinstance(module, fx.GraphModule):
        return {
            str(n.target): str(n.meta.get("node_id", n.target))
            for n in module.graph.nodes
            if n.op == "call_module"
        }
    if diagram is None:
        return {name: name for name, _ in module.named_children()}
    return {name: nid for nid, name in python_names(diagram.nodes).items()}


def transfer_weights(
    old_state: dict[str, torch.Tensor], new_module: nn.Module, diagram: Diagram | None = None
) -> WeightTransfer:
    """Copy into ``new_module`` every block whose tensors all exist in ``old_state`` unchanged.

    A block is kept whole or not at all: keeping a bias while its weight is re-initialised
    would give a layer no one asked for. Matching is by state_dict key and shape, so renaming
    a block's id, or changing a parameter that alters a tensor's shape, gives fresh weights.
    """
    names = module_node_ids(new_module, diagram)
    new_state = new_module.state_dict()
    by_block: dict[str, list[str]] = {}
    for key in new_state:
        by_block.setdefault(key.split(".", 1)[0], []).append(key)
    report = WeightTransfer()
    update: dict[str, torch.Tensor] = {}
    for block, keys in by_block.items():
        fits = all(
            k in old_state
            and tuple(old_state[k].shape) == tuple(new_state[k].shape)
            and old_state[k].dtype == new_state[k].dtype
            for k in keys
        )
        node_id = names.get(block, block)
        if fits:
            update.update({k: old_state[k] for k in keys})
            report.kept.append(node_id)
        else:
            report.fresh.append(node_id)
    used = set(update)
    report.dropped = sorted(
        {k.split(".", 1)[0] for k in old_state if k not in used} - set(by_block)
    )
    with torch.no_grad():
        new_module.load_state_dict({**new_state, **update}, strict=True)
    return report


def fine_tune_state(
    diagram: Diagram, old_state: dict[str, torch.Tensor], seed: int = 0
) -> tuple[dict[str, torch.Tensor], WeightTransfer]:
    """A complete state_dict for the edited ``diagram``: old weights where they fit.

    Pass the state as the trainer's ``initial_state`` (it loads strictly) and show the
    report's ``summary()`` so the user knows which blocks start from scratch. Fresh blocks
    are initialised under ``seed``, so a repeated fine-tune starts identically.
    """
    from netbuilder.core.compile import CompileError, compile_diagram

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        try:
            module = compile_diagram(diagram)
        except CompileError as exc:
            raise CheckpointError(None, str(exc)) from None
    report = transfer_weights(old_state, module)
    state = {k: v.detach().clone() for k, v in module.state_dict().items()}
    return state, report
