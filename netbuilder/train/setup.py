"""Everything the trainer decides before the first step: device, loss, optimiser, schedule,
and the check that the model and the data fit together (so a mismatch is reported in words
before any training time is spent)."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import torch
from torch import nn

from netbuilder.core.compile import find_failing_node
from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import _
from netbuilder.core.tensor import format_shape
from netbuilder.train.config import ConfigError, TrainConfig
from netbuilder.train.data import DataBundle, TensorData, input_spec
from netbuilder.train.loss import LossAdapter


class TrainingFailure(Exception):
    """A failure with a user-facing message and, when known, the block to blame."""

    def __init__(self, message: str, node_id: str | None = None) -> None:
        super().__init__(message)
        self.node_id = node_id


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA, then Apple MPS, then the CPU; an unavailable choice is an error."""
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name == "cuda" and not cuda:
        raise ConfigError("device 'cuda' is not available on this machine; use auto or cpu")
    if name == "mps" and not mps:
        raise ConfigError("device 'mps' (Apple GPU) is not available here; use auto or cpu")
    return torch.device(name)


def use_bf16(mode: str, device: torch.device) -> bool:
    """bf16 autocast: always under ``bf16``, on capable CUDA GPUs under ``auto``."""
    if mode == "bf16":
        return True
    if mode == "auto" and device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return False


def build_optimizer(cfg: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise TrainingFailure("the model has no trainable weights; add a layer with parameters")
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


def optimizer_snapshot(name: str, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """The optimizer's per-weight statistics (Adam's moments, SGD's momentum) on the CPU.

    Only ``state`` is kept, with the optimizer's name: hyperparameters such as the learning
    rate belong to the training settings, which the user may change before continuing.
    """
    state = optimizer.state_dict()["state"]
    return {
        "optimizer": name,
        "state": {
            int(i): {
                k: v.detach().to("cpu", copy=True) if torch.is_tensor(v) else v
                for k, v in entry.items()
            }
            for i, entry in state.items()
        },
    }


def restore_optimizer(name: str, optimizer: torch.optim.Optimizer, snapshot: dict[str, Any]) -> str:
    """Load a snapshot's statistics into ``optimizer``; returns what happened, in words.

    A snapshot of another optimizer, or one whose tensors do not fit the weights, is not
    loaded (the run starts the optimizer fresh and says so) rather than failing the run:
    the weights themselves are still worth continuing from.
    """
    saved = snapshot.get("optimizer")
    if saved != name:
        return f"the saved optimizer state is for {saved}, so {name} starts fresh"
    params = [p for group in optimizer.param_groups for p in group["params"]]
    state = snapshot.get("state")
    fits = isinstance(state, dict) and all(
        isinstance(i, int)
        and 0 <= i < len(params)
        and isinstance(entry, dict)
        and all(
            not torch.is_tensor(v) or v.dim() == 0 or v.shape == params[i].shape
            for v in entry.values()
        )
        for i, entry in state.items()
    )
    if not fits:
        return f"the saved {name} state does not fit these weights, so it starts fresh"
    current = optimizer.state_dict()
    current["state"] = state
    optimizer.load_state_dict(current)
    return f"continuing with the saved {name} state"


def build_scheduler(
    cfg: TrainConfig, optimizer: torch.optim.Optimizer, steps_per_epoch: int
) -> tuple[torch.optim.lr_scheduler.LRScheduler | None, bool]:
    """The scheduler and whether it steps per batch (True) or per epoch (False)."""
    total = max(1, steps_per_epoch * cfg.epochs)
    if cfg.scheduler == "step":
        size = max(1, math.ceil(cfg.epochs / 3))
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=size, gamma=0.1), False
    if cfg.scheduler == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total), True
    if cfg.scheduler == "one_cycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=cfg.lr, total_steps=total
        ), True
    return None, False


def _output_feeder(diagram: Diagram) -> str | None:
    """The block wired into the (single) output block: usually the last Linear."""
    for node in diagram.nodes.values():
        if node.type == "Output":
            edges = diagram.edges_into(node.id)
            return edges[0].source if edges else node.id
    return None


def check_model_fits_data(
    model: nn.Module, diagram: Diagram, data: DataBundle, loss: LossAdapter, device: torch.device
) -> None:
    """Compare input shape, token range and output size with the data; run one tiny batch."""
    node_id, spec = input_spec(diagram)
    if len(data.train) == 0 or len(data.val) == 0:  # type: ignore[arg-type]
        raise TrainingFailure(
            _("'{dataset}' has no training or no validation samples").format(dataset=data.name)
        )
    x0, _target = data.train[0]
    if tuple(x0.shape) != spec.shape:
        raise TrainingFailure(
            _(
                "the data gives samples of shape {shape} but the input block '{block}' expects "
                "{expected}; change the input block or the dataset's resize options"
            ).format(
                shape=format_shape(tuple(x0.shape)), block=node_id, expected=format_shape(spec)
            ),
            node_id,
        )
    if (spec.dtype == "long") != (x0.dtype == torch.long):
        kind = _("token ids") if x0.dtype == torch.long else _("numbers")
        takes = _("token ids") if spec.dtype == "long" else _("numbers")
        raise TrainingFailure(
            _("the data gives {kind} but the input block '{block}' takes {takes}").format(
                kind=kind, block=node_id, takes=takes
            ),
            node_id,
        )
    if spec.dtype == "long" and isinstance(data.train, TensorData):
        top = int(max(data.train.inputs.max(), data.val.inputs.max()))  # type: ignore[attr-defined]
        if spec.vocab is not None and top >= spec.vocab:
            raise TrainingFailure(
                _(
                    "the data holds token id {top} but the input block '{block}' has a "
                    "vocabulary of {vocab}; raise vocab_size to at least {needed}"
                ).format(top=top, block=node_id, vocab=spec.vocab, needed=top + 1),
                node_id,
            )
    batch = torch.stack([data.train[i][0] for i in range(min(2, len(data.train)))]).to(device)  # type: ignore[arg-type]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(batch)
    except torch.cuda.OutOfMemoryError:
        raise
    except Exception as exc:
        failing, cause = None, exc
        with contextlib.suppress(Exception), torch.no_grad():  # locating is best effort
            failing, cause = find_failing_node(model, batch)  # type: ignore[arg-type]
        where = _("block '{block}'").format(block=failing) if failing else _("the model")
        raise TrainingFailure(
            _("{where} fails on the data: {error}").format(
                where=where, error=str(cause).splitlines()[0]
            ),
            failing,
        ) from None
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor):
        raise TrainingFailure(_("training needs a diagram with exactly one Output block"))
    feeder = _output_feeder(diagram)
    got = format_shape(tuple(out.shape[1:]))
    if data.task == "classification":
        n = len(data.classes)
        if out.dim() != 2:
            raise TrainingFailure(
                _(
                    "the model gives {shape} per batch but a classifier must give B×{classes} "
                    "(one score per class); pool or flatten before the last Linear"
                ).format(shape=got, classes=n),
                feeder,
            )
        k = out.shape[1]
        loss.out_dim = k
        ok = k == n or (k == 1 and n == 2 and loss.name == "bce_with_logits")
        if not ok:
            names = ", ".join(data.classes[:12]) + (" ..." if n > 12 else "")
            raise TrainingFailure(
                _(
                    "the model gives {outputs} outputs per sample but '{dataset}' has {classes} "
                    "classes ({names}); set out_features of block '{block}' to {classes}"
                ).format(outputs=k, dataset=data.name, classes=n, names=names, block=feeder),
                feeder,
            )
    else:
        y0 = loss.targets(torch.stack([data.train[0][1]]))
        want = tuple(y0.shape[1:])
        if tuple(out.shape[1:]) != want:
            raise TrainingFailure(
                _(
                    "the model gives {shape} per batch but the regression target of '{dataset}' "
                    "is {target}; set out_features of block '{block}' to {size}"
                ).format(
                    shape=got,
                    dataset=data.name,
                    target=format_shape(want),
                    block=feeder,
                    size=want[0] if want else 1,
                ),
                feeder,
            )
        loss.out_dim = int(out.shape[1]) if out.dim() > 1 else 1
