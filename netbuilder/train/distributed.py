"""Training on several processes or machines under ``torchrun``: DDP or FSDP2, made exact.

What a distributed run must guarantee, and where each guarantee lives:

* **The same mathematics as one process.** ``Batches`` cuts the seeded global batch of each
  step into one strided slice per rank (``shard``), so step *i* sees exactly the samples a
  single-process run sees at step *i*. torch's ``DistributedSampler`` is not used: it pads
  ranks by repeating samples (validation would count some twice) and gives each rank a
  different contiguous chunk, so a step would not be the single-process step. Each rank's
  loss is weighted by its share of the global batch (``loss_weight``) before DDP averages the
  gradients, so uneven slices (the last batch, a batch size not divisible by the world size)
  still give the exact global-batch gradient.
* **Metrics of the whole data.** Step loss/accuracy and validation sums are all-reduced
  (``reduce_step``, ``reduce_sums``) in float64: every rank reports the global numbers, so a
  NaN anywhere stops every rank at the same step.
* **A stop every rank agrees on.** A Ctrl-C or SIGTERM only *requests* a stop; the request
  travels in the step's all-reduce and every rank stops at the same step. A rank that stopped
  on its own would leave the others waiting in a collective.
* **A failed rank is named.** A rank that fails writes its cause into the launcher's store;
  one killed outright stops advancing its heartbeat there. The survivors' collective breaks,
  and ``explain_failure`` turns "connection closed by peer" into "rank 1 failed: …" or "rank 1
  stopped responding".
* **A plain checkpoint.** ``full_state_dict`` gathers FSDP2 shards into a full CPU state dict
  (rank 0 only) and never carries DDP's ``module.`` prefix, so a distributed checkpoint opens,
  exports and continues like any other.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

STRATEGIES = ("ddp", "fsdp")
#: How long a heartbeat may stand still before its rank counts as gone (several beats).
HEARTBEAT_S = 0.5
SILENT_AFTER_S = 2.5
#: Errors that mean "a peer went away", not "this rank has a problem of its own".
_COMM_ERROR = re.compile(
    r"gloo|nccl|connection (closed|reset|refused)|broken pipe|DistBackendError|"
    r"DistNetworkError|DistError|peer|timed out|Socket|ProcessGroup",
    re.IGNORECASE,
)


def torchrun_world() -> tuple[int, int, int] | None:
    """(rank, world size, local rank) when started by torchrun (or another c10d launcher)."""
    try:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    except (KeyError, ValueError):
        return None
    return rank, world, int(os.environ.get("LOCAL_RANK", "0"))


def looks_like_comm_error(message: str) -> bool:
    return bool(_COMM_ERROR.search(message))


@dataclass
class Distributed:
    """This process's place in a distributed run, and the collectives the trainer needs."""

    rank: int
    world_size: int
    local_rank: int = 0
    strategy: str = "ddp"
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))
    backend: str = ""
    _stop_requested: threading.Event = field(default_factory=threading.Event)
    _store: dist.Store | None = None
    _beating: threading.Event = field(default_factory=threading.Event)
    stop_reason: str = ""

    @classmethod
    def from_env(cls, strategy: str = "ddp") -> Distributed | None:
        """The run described by torchrun's environment, or None for a plain process."""
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
        world = torchrun_world()
        if world is None:
            return None
        rank, size, local = world
        return cls(rank, size, local, strategy)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def sharded(self) -> bool:
        """Whether each rank holds only part of the weights (FSDP2)."""
        return self.strategy == "fsdp"

    @property
    def shard(self) -> tuple[int, int]:
        return self.rank, self.world_size

    # ------------------------------------------------------------------ lifetime
    def start(self, device: torch.device, timeout_s: float = 600.0) -> torch.device:
        """Join the process group: NCCL on CUDA (one GPU per local rank), gloo otherwise.

        ``timeout_s`` bounds how long a collective waits for a rank that hangs (a rank that
        dies is noticed at once: its connections close).
        """
        if device.type == "cuda":
            device = torch.device("cuda", self.local_rank % max(1, torch.cuda.device_count()))
            torch.cuda.set_device(device)
            self.backend = "nccl"
        elif device.type == "cpu":
            self.backend = "gloo"
        else:
            raise ValueError(f"distributed training runs on cpu or cuda, not {device.type}")
        self.device = device
        kwargs = {"device_id": device} if device.type == "cuda" else {}
        dist.init_process_group(
            self.backend,
            rank=self.rank,
            world_size=self.world_size,
            timeout=datetime.timedelta(seconds=timeout_s),
            **kwargs,
        )
        self._store = _launcher_store(timeout_s)
        if self._store is not None:
            self._beating.set()
            threading.Thread(target=self._beat, name="netbuilder-heartbeat", daemon=True).start()
        return device

    def close(self) -> None:
        """Leave the process group (after the last collective; safe to call twice)."""
        self._beating.clear()
        if dist.is_initialized():
            dist.destroy_process_group()

    def _beat(self) -> None:
        key = f"beat/{self.rank}"
        while self._beating.is_set():
            try:
                self._store.add(key, 1)  # type: ignore[union-attr]
            except Exception:  # the launcher is gone: nobody is left to tell
                return
            time.sleep(HEARTBEAT_S)

    # ------------------------------------------------------------------ the model
    def wrap(self, model: nn.Module) -> nn.Module:
        """The module to call in the training loop: DDP around ``model``, or FSDP2 on it.

        Under DDP ``model`` itself stays unwrapped (its ``state_dict`` has no ``module.``
        prefix); under FSDP2 ``fully_shard`` turns ``model`` into a sharded module in place.
        """
        if self.strategy == "fsdp":
            from torch.distributed.device_mesh import init_device_mesh
            from torch.distributed.fsdp import fully_shard

            mesh = init_device_mesh(self.device.type, (self.world_size,))
            for child in model.children():  # one unit per block: gathered just in time
                if any(p.requires_grad for p in child.parameters()):
                    fully_shard(child, mesh=mesh)
            fully_shard(model, mesh=mesh)
            return model
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)

    def full_state_dict(self, model: nn.Module) -> dict[str, torch.Tensor]:
        """The full weights on the CPU; under FSDP2 a collective, and only rank 0 gets them."""
        if self.strategy == "fsdp":
            from torch.distributed.checkpoint.state_dict import (
                StateDictOptions,
                get_model_state_dict,
            )

            options = StateDictOptions(full_state_dict=True, cpu_offload=True)
            state = get_model_state_dict(model, options=options)
            return {k: v.detach().clone() for k, v in state.items()}
        return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}

    def optimizer_snapshot(
        self, name: str, model: nn.Module, optimizer: torch.optim.Optimizer
    ) -> dict[str, Any] | None:
        """Under FSDP2, the full optimizer statistics in ``setup.optimizer_snapshot``'s form.

        A collective; rank 0 gets the snapshot, the others None. Entries are keyed by the
        parameter's position among the trainable ones, as a plain optimizer numbers them.
        """
        from torch.distributed.checkpoint.state_dict import (
            StateDictOptions,
            get_optimizer_state_dict,
        )

        options = StateDictOptions(full_state_dict=True, cpu_offload=True)
        full = get_optimizer_state_dict(model, optimizer, options=options)
        if not self.is_main:
            return None
        names = [n for n, p in model.named_parameters() if p.requires_grad]
        state = full.get("state", {})
        return {
            "optimizer": name,
            "state": {
                i: {k: v.detach().clone() if torch.is_tensor(v) else v for k, v in state[n].items()}
                for i, n in enumerate(names)
                if n in state
            },
        }

    def weights_agree(self, model: nn.Module) -> bool:
        """Whether every rank holds the same weights (DDP's promise), by a float64 fingerprint.

        A collective: call on every rank. Always True for FSDP2, where ranks hold shards.
        """
        if self.strategy == "fsdp":
            return True
        mine = fingerprint(model.state_dict()).to(self.device)
        every = [torch.zeros_like(mine) for _ in range(self.world_size)]
        dist.all_gather(every, mine)
        return all(torch.equal(every[0], other) for other in every[1:])

    # ------------------------------------------------------------------ per step
    def loss_weight(self, local_n: int, global_n: int) -> float:
        """Scale for this rank's mean loss so DDP's gradient *average* is the global mean."""
        return local_n * self.world_size / max(1, global_n)

    def request_stop(self, reason: str = "") -> None:
        """Ask every rank to stop; takes effect at the same step everywhere (any thread)."""
        if reason and not self.stop_reason:
            self.stop_reason = reason
        self._stop_requested.set()

    def reduce_step(
        self, loss: torch.Tensor, correct: torch.Tensor | None, local_n: int
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """Global mean loss, global correct count and "some rank asked to stop" of a step.

        No host sync: the trainer reads the results when it reports the step.
        """
        stop = 1.0 if self._stop_requested.is_set() else 0.0
        parts = [
            loss.detach().double() * local_n,
            (correct if correct is not None else torch.zeros((), device=loss.device)).double(),
            torch.tensor(float(local_n), dtype=torch.float64, device=loss.device),
            torch.tensor(stop, dtype=torch.float64, device=loss.device),
        ]
        sums = torch.stack(parts)
        dist.all_reduce(sums)
        mean = sums[0] / sums[2].clamp_min(1)
        return mean, (None if correct is None else sums[1]), sums[3]

    def reduce_sums(self, *values: torch.Tensor | float) -> list[float]:
        """Sum scalars over all ranks (validation loss, correct count, samples)."""
        local = torch.tensor([float(v) for v in values], dtype=torch.float64, device=self.device)
        dist.all_reduce(local)
        return local.tolist()

    # ------------------------------------------------------------------ failures
    def record_failure(self, message: str) -> None:
        """Leave this rank's cause in the launcher's store, for the others to name."""
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.set(f"failed/{self.rank}", message)

    def explain_failure(self, message: str) -> str:
        """The cause to report: this rank's own, or the rank whose failure broke ours.

        Called on a failed rank after ``record_failure``. When our error only says a peer
        went away, look for a rank that recorded its cause; else for one whose heartbeat
        stopped (killed, out of memory, crashed).
        """
        if self._store is None or not looks_like_comm_error(message):
            return message
        others = [r for r in range(self.world_size) if r != self.rank]
        deadline = time.monotonic() + SILENT_AFTER_S
        before = self._beats(others)
        while True:
            causes = self._causes(others)
            own = {r: m for r, m in causes.items() if not looks_like_comm_error(m)}
            if own:
                rank = min(own)
                return f"rank {rank} failed: {own[rank]}"
            if time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        after = self._beats(others)
        silent = [r for r in others if after.get(r) == before.get(r)]
        if silent:
            who = f"rank {silent[0]}" if len(silent) == 1 else f"ranks {silent}"
            return f"{who} stopped responding (killed or crashed), so every rank stopped"
        return message

    def _causes(self, ranks: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for r in ranks:
            key = f"failed/{r}"
            try:
                if self._store.check([key]):  # type: ignore[union-attr]
                    found[r] = self._store.get(key).decode("utf-8", "replace")  # type: ignore[union-attr]
            except Exception:
                pass
        return found

    def _beats(self, ranks: list[int]) -> dict[int, int]:
        beats: dict[int, int] = {}
        for r in ranks:
            with contextlib.suppress(Exception):
                beats[r] = int(self._store.add(f"beat/{r}", 0))  # type: ignore[union-attr]
        return beats


def fingerprint(state: dict[str, torch.Tensor]) -> torch.Tensor:
    """Per-tensor float64 sums and sums of squares: equal weights give equal fingerprints."""
    rows = [
        torch.stack([v.detach().double().sum(), v.detach().double().square().sum()]).cpu()
        for _, v in sorted(state.items())
        if v.is_floating_point()
    ]
    return torch.stack(rows).flatten() if rows else torch.zeros(2, dtype=torch.float64)


def _launcher_store(timeout_s: float) -> dist.Store | None:
    """A client of the launcher's key-value store (torchrun's agent store), namespaced.

    It outlives any single worker, so it still holds a dead rank's last words.
    """
    host, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
    if not host or not port:
        return None
    try:
        store = dist.TCPStore(
            host,
            int(port),
            is_master=False,
            timeout=datetime.timedelta(seconds=min(timeout_s, 30.0)),
        )
    except Exception:
        return None
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    return dist.PrefixStore(f"netbuilder/{attempt}", store)
