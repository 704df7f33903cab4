"""The training loop: no Qt, events through a callback, pause/stop flags checked every step.

The hot loop is the plain PyTorch loop (index in-memory tensors with a shuffled permutation,
forward, loss, backward, step) plus one host sync per step that reads loss and accuracy
together for the step event. Everything that can go wrong ends in a ``FailedEvent`` naming
the cause and a ``TrainResult`` with ``error`` set; ``run()`` never raises for a bad run.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from netbuilder.core.compile import CompileError, compile_diagram, find_failing_node
from netbuilder.core.diagram import Diagram
from netbuilder.core.i18n import _
from netbuilder.train.batches import Batches
from netbuilder.train.config import ConfigError, TrainConfig
from netbuilder.train.data import DataBundle, DataError
from netbuilder.train.events import (
    EpochEvent,
    FailedEvent,
    FinishedEvent,
    StatusEvent,
    StepEvent,
    TrainEvent,
)
from netbuilder.train.hooks import TrainHook
from netbuilder.train.loss import LossAdapter
from netbuilder.train.result import METRIC_NAMES, TrainResult
from netbuilder.train.setup import (
    TrainingFailure,
    build_optimizer,
    build_scheduler,
    check_model_fits_data,
    optimizer_snapshot,
    resolve_device,
    restore_optimizer,
    use_bf16,
)
from netbuilder.train.sources import load_data

if TYPE_CHECKING:
    from netbuilder.train.distributed import Distributed

EventCallback = Callable[[TrainEvent], None]


class _Stopped(Exception):
    """Raised inside the loop when the user pressed Stop."""


class Trainer:
    """Train ``diagram`` on ``data`` (or on ``config.dataset``, loaded inside ``run``).

    Call ``run()`` from a worker thread; ``pause()``, ``resume()`` and ``stop()`` may be called
    from any thread and take effect at the next step (well under 0.5 s for any usable model).
    """

    def __init__(
        self,
        diagram: Diagram,
        config: TrainConfig | None = None,
        data: DataBundle | None = None,
        initial_state: dict[str, torch.Tensor] | None = None,
        on_event: EventCallback | None = None,
        initial_optimizer_state: dict[str, Any] | None = None,
        distributed: Distributed | None = None,
        hooks: Sequence[TrainHook] = (),
    ) -> None:
        self.diagram = diagram.copy()
        #: this process's rank in a torchrun run (``start``\ ed), or None for a plain run
        self.distributed = distributed  # edits made during the run apply to the next one
        self._config_error: str | None = None
        if config is None:
            try:
                config = TrainConfig.from_dict(diagram.training)
            except ConfigError as exc:
                self._config_error = str(exc)
                config = TrainConfig()
        self.config = config
        self.data = data
        self.initial_state = initial_state
        self.initial_optimizer_state = initial_optimizer_state
        self.on_event = on_event
        self.hooks = list(hooks)  # observers of every step (train.hooks), e.g. gradient health
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.defer_reads: bool | None = None  # None: defer on asynchronous devices only

    # ----------------------------------------------------------------- control (any thread)
    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        if self.distributed is not None:  # every rank stops at the same, agreed step
            self.distributed.request_stop()
            return
        self._stop.set()
        self._running.set()  # wake a paused loop so it can notice the stop

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def _emit(self, event: TrainEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _checkpoint(self) -> None:
        """Honour pause and stop; called before every step and validation batch."""
        if not self._running.is_set():
            self._emit(StatusEvent("paused"))
            while not self._running.wait(0.05):
                pass
            if not self._stop.is_set():
                self._emit(StatusEvent("resumed"))
        if self._stop.is_set():
            raise _Stopped

    # ---------------------------------------------------------------------------- the run
    def run(self) -> TrainResult:
        """Train to the end, a stop, an early stop or a failure; never raises for a bad run."""
        start = time.perf_counter()
        result = TrainResult("failed", None, config=self.config)
        try:
            self._run(result, start)
        except TrainingFailure as exc:
            node_id, message = exc.node_id, str(exc)
            blamed = None if node_id else next(filter(None, (h.blame() for h in self.hooks)), None)
            if blamed:  # e.g. a NaN loss: the hook found the first block that went non-finite
                node_id = blamed
                message = _("{problem}; block '{block}' first gave NaN/Inf").format(
                    problem=message, block=blamed
                )
            self._fail(result, message, node_id)
        except (DataError, ConfigError, CompileError) as exc:
            self._fail(result, str(exc))
        except torch.cuda.OutOfMemoryError:
            self._fail(result, self._oom_message())
        except Exception as exc:  # anything else must still leave the app usable
            self._fail(
                result,
                _("training failed: {kind}: {error}").format(kind=type(exc).__name__, error=exc),
            )
        result.elapsed_s = time.perf_counter() - start
        if result.error is None:
            self._emit(FinishedEvent(result))
        return result

    def _fail(self, result: TrainResult, message: str, node_id: str | None = None) -> None:
        """Record the failure; keep the best weights so far (on the CPU) when an epoch ended."""
        result.status, result.error, result.node_id = "failed", message, node_id
        dist = self.distributed
        if dist is not None and dist.sharded and result.model is not None:
            result.model = self._plain_model(self._best_state or {})
        if result.model is not None and self._best_state is not None:
            result.model.to("cpu").load_state_dict(self._best_state)
            result.model.eval()
        else:
            result.model = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        self._emit(FailedEvent(message, node_id))

    def _oom_message(self) -> str:
        smaller = max(1, self.config.batch_size // 2)
        where = (
            _("at epoch {epoch}, step {step}").format(epoch=self._epoch, step=self._step)
            if self._epoch
            else _("while moving the model and data to it")
        )
        return _(
            "the GPU ran out of memory {where} with batch size {batch_size}; try a smaller "
            "batch size (e.g. {smaller}) or a smaller model"
        ).format(where=where, batch_size=self.config.batch_size, smaller=smaller)

    _epoch = 0
    _step = 0
    _best_state: dict[str, torch.Tensor] | None = None

    def _run(self, result: TrainResult, start: float) -> None:
        if self._config_error:
            raise ConfigError(self._config_error)
        cfg = self.config
        self._best_state = None
        dist = self.distributed
        device = dist.device if dist is not None else resolve_device(cfg.device)
        result.device = str(device)
        if dist is not None and cfg.batch_size < dist.world_size:
            raise ConfigError(
                f"the batch size {cfg.batch_size} is the global batch, split over "
                f"{dist.world_size} processes: it must be at least {dist.world_size}"
            )
        if self.data is None:
            self._emit(StatusEvent(f"loading {cfg.dataset}"))
            self.data = load_data(cfg, self.diagram)
        data = self.data
        result.classes, result.task, result.data = list(data.classes), data.task, data
        for hook in self.hooks:
            hook.on_data(data)

        torch.manual_seed(cfg.seed)
        model = compile_diagram(self.diagram)
        if self.initial_state is not None:
            try:
                model.load_state_dict(self.initial_state)
            except RuntimeError as exc:
                raise TrainingFailure(
                    _("the saved weights do not fit this diagram: {error}").format(
                        error=str(exc).splitlines()[0]
                    )
                ) from None
        model.to(device)
        result.model = model
        loss = LossAdapter(cfg.loss, data)
        check_model_fits_data(model, self.diagram, data, loss, device)
        shard = dist.shard if dist is not None else (0, 1)
        run_model = dist.wrap(model) if dist is not None else model  # what the loop calls

        bf16 = use_bf16(cfg.mixed_precision, device)
        batches = Batches(data.train, cfg.batch_size, device, loss, cfg.seed, shard=shard)
        val_batches = Batches(data.val, max(256, cfg.batch_size), device, loss, None, shard=shard)
        # DDP validates on the plain model (same weights, no collective per batch, so ranks
        # may see different batch counts); FSDP2 must call the sharded one on every rank
        val_model = run_model if dist is not None and dist.sharded else model
        val_batches.keep_empty = val_model is not model
        self._emit(StatusEvent(_describe_start(device, bf16, data, batches), str(device)))
        steps = len(batches)
        optimizer = build_optimizer(cfg, model)
        if self.initial_optimizer_state is not None and dist is not None and dist.sharded:
            self._emit(StatusEvent("the saved optimizer state is not sharded, so it starts fresh"))
        elif self.initial_optimizer_state is not None:
            self._emit(
                StatusEvent(
                    restore_optimizer(cfg.optimizer, optimizer, self.initial_optimizer_state)
                )
            )
        scheduler, per_step = build_scheduler(cfg, optimizer, steps)
        for hook in self.hooks:
            hook.on_start(model, optimizer)
        best_score: float | None = None
        best_state: dict[str, torch.Tensor] | None = None
        stale = 0
        autocast = _autocast(device, bf16)
        stats = _StepStats(cfg.epochs, steps)
        # On asynchronous devices (CUDA, MPS) each step's numbers are read one step late,
        # after the next step is queued, so the host read never leaves the GPU idle.
        defer = self.defer_reads if self.defer_reads is not None else device.type != "cpu"
        try:
            for epoch in range(1, cfg.epochs + 1):
                self._epoch = epoch
                model.train()
                stats.start_epoch()
                pending: _StepRecord | None = None
                for step, (xb, yb, labels) in enumerate(batches.epoch(epoch), start=1):
                    self._checkpoint()
                    self._step = step
                    with autocast:
                        out = self._forward(run_model, xb)
                        batch_loss = loss(out, yb)
                    optimizer.zero_grad(set_to_none=True)
                    if dist is not None:  # DDP averages: weigh by this rank's share
                        weight = dist.loss_weight(len(xb), batches.global_size)
                        (batch_loss * weight).backward()
                    else:
                        batch_loss.backward()
                    for hook in self.hooks:
                        hook.after_backward(xb)
                    if cfg.grad_clip > 0:
                        nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
                    lr_used = optimizer.param_groups[0]["lr"]
                    optimizer.step()
                    for hook in self.hooks:
                        hook.after_step()
                    if per_step and scheduler is not None:
                        scheduler.step()
                    correct = None
                    if labels is not None:
                        correct = (loss.predict(out.detach()) == labels).sum()
                    record = _StepRecord(
                        epoch, step, len(xb), lr_used, batch_loss.detach(), correct
                    )
                    if dist is not None:  # the whole global batch's numbers, on every rank
                        mean, correct, record.stop = dist.reduce_step(record.loss, correct, len(xb))
                        record.loss, record.correct = mean, correct
                        record.size = batches.global_size
                    if defer:
                        record, pending = pending, record
                    if record is not None:
                        self._report(stats, record)
                if pending is not None:
                    self._report(stats, pending)
                self._checkpoint()  # a stop agreed at the last step: before validation
                lr_now = stats.last_lr
                if scheduler is not None and not per_step:
                    scheduler.step()
                train_loss, train_acc = stats.epoch_means()
                train_acc = train_acc if loss.classification else None
                val_loss, val_acc = self._validate(val_model, val_batches, loss, device, autocast)
                score = -val_acc if val_acc is not None else val_loss
                is_best = best_score is None or score < best_score - 1e-12
                if is_best:
                    best_score, stale, result.best_epoch = score, 0, epoch
                    best_state = (
                        dist.full_state_dict(model)
                        if dist is not None
                        else {
                            k: v.detach().to("cpu", copy=True)
                            for k, v in model.state_dict().items()
                        }
                    )
                    self._best_state = best_state
                    result.optimizer_state = (
                        dist.optimizer_snapshot(cfg.optimizer, model, optimizer)
                        if dist is not None and dist.sharded
                        else optimizer_snapshot(cfg.optimizer, optimizer)
                    )
                else:
                    stale += 1
                for key, value in zip(
                    METRIC_NAMES, (train_loss, train_acc, val_loss, val_acc, lr_now), strict=True
                ):
                    result.metrics[key].append(float("nan") if value is None else float(value))
                for hook in self.hooks:
                    hook.on_epoch_end(epoch, result.metrics)
                self._emit(
                    EpochEvent(
                        epoch,
                        cfg.epochs,
                        train_loss,
                        train_acc,
                        val_loss,
                        val_acc,
                        lr_now,
                        is_best,
                        time.perf_counter() - start,
                    )
                )
                if cfg.early_stopping and stale >= cfg.early_stopping and epoch < cfg.epochs:
                    self._emit(
                        StatusEvent(
                            _(
                                "early stop: no better validation score for {stale} epochs "
                                "(best at epoch {best})"
                            ).format(stale=stale, best=result.best_epoch)
                        )
                    )
                    result.status = "early_stopped"
                    break
            else:
                result.status = "completed"
        except _Stopped:
            result.status = "stopped"
            self._emit(StatusEvent("stopped"))
        finally:  # decoding processes end with the run, whatever ended it
            batches.close()
            val_batches.close()
        if dist is not None and not dist.sharded:  # DDP's promise, checked
            if not dist.weights_agree(model):
                raise TrainingFailure("the processes ended with different weights")
            self._emit(StatusEvent(f"all {dist.world_size} processes hold identical weights"))
        if best_state is None:  # stopped before the first epoch finished: nothing trained
            result.model = None
            return
        if dist is not None and dist.sharded:  # FSDP2 changed ``model``: rebuild it plainly
            model = self._plain_model(best_state)
            result.model = model
            if model is None:  # ranks other than 0 do not hold the full weights
                return
        model.to("cpu")
        model.load_state_dict(best_state)
        model.eval()
        result.model = model

    def _report(self, stats: _StepStats, record: _StepRecord) -> None:
        """Emit a step's event; in a distributed run, honour a stop some rank asked for."""
        self._emit(stats.report(record))
        if record.stop is not None and record.stop.item() > 0:
            self._stop.set()  # the same step on every rank: the reduced flag is the same

    def _plain_model(self, state: dict[str, torch.Tensor]) -> nn.Module | None:
        """A fresh unsharded model holding ``state``; None without full weights (FSDP ranks)."""
        if not state:
            return None
        model = compile_diagram(self.diagram)
        model.load_state_dict(state)
        return model

    def _forward(self, model: nn.Module, xb: torch.Tensor) -> torch.Tensor:
        """Run the model; a runtime error inside it is pinned on the block that raised."""
        try:
            return model(xb)
        except torch.cuda.OutOfMemoryError:
            raise
        except Exception as exc:
            node_id, cause = None, exc
            plain = getattr(model, "module", model)  # DDP: the compiled model inside
            with contextlib.suppress(Exception), torch.no_grad():
                node_id, cause = find_failing_node(plain, xb)  # type: ignore[arg-type]
            where = _("block '{block}'").format(block=node_id) if node_id else _("the model")
            raise TrainingFailure(
                _("{where} failed at epoch {epoch}, step {step}: {error}").format(
                    where=where,
                    epoch=self._epoch,
                    step=self._step,
                    error=str(cause).splitlines()[0] if str(cause) else type(cause).__name__,
                ),
                node_id,
            ) from None

    def _validate(
        self,
        model: nn.Module,
        batches: Batches,
        loss: LossAdapter,
        device: torch.device,
        autocast: Any,
    ) -> tuple[float, float | None]:
        """Mean validation loss and accuracy, in large batches, without gradients."""
        model.eval()
        total = torch.zeros((), device=device, dtype=torch.float64)
        correct = torch.zeros((), device=device, dtype=torch.float64)
        n = 0
        with torch.no_grad():
            for xb, yb, labels in batches.epoch(0):
                self._checkpoint()
                with autocast:
                    out = self._forward(model, xb)
                    total += loss(out, yb).double() * len(xb)
                if labels is not None:
                    correct += (loss.predict(out) == labels).sum()
                n += len(xb)
        if self.distributed is not None:  # every rank's part of the validation set
            total, correct, n = self.distributed.reduce_sums(total, correct, n)
        val_loss = float(total) / max(1, n)
        if not math.isfinite(val_loss):
            raise TrainingFailure(
                _(
                    "the validation loss became {value} at epoch {epoch}; try a lower learning "
                    "rate or gradient clipping"
                ).format(value=val_loss, epoch=self._epoch)
            )
        return val_loss, (float(correct) / max(1, n) if loss.classification else None)


@dataclass(slots=True)
class _StepRecord:
    """What one step left to report; tensors are read (a host sync) only in ``report``."""

    epoch: int
    step: int
    size: int
    lr: float
    loss: torch.Tensor
    correct: torch.Tensor | None
    stop: torch.Tensor | None = None  # distributed: whether some rank asked to stop


class _StepStats:
    """Running sums, samples/s and ETA for step events; checks every loss is finite."""

    def __init__(self, epochs: int, steps_per_epoch: int) -> None:
        self.epochs, self.steps = epochs, steps_per_epoch
        self.total = epochs * steps_per_epoch
        self.global_step = 0
        self.last_lr = 0.0
        self._t0, self._n_steps, self._n_samples = time.perf_counter(), 0, 0
        self._sec_per_step: float | None = None
        self._rate = 0.0
        self.start_epoch()

    def start_epoch(self) -> None:
        self.sum_loss, self.sum_correct, self.seen = 0.0, 0, 0

    def epoch_means(self) -> tuple[float, float]:
        n = max(1, self.seen)
        return self.sum_loss / n, self.sum_correct / n

    def report(self, r: _StepRecord) -> StepEvent:
        loss_v = r.loss.item()
        if not math.isfinite(loss_v):
            raise TrainingFailure(
                _(
                    "the loss became {value} at epoch {epoch}, step {step}; try a lower "
                    "learning rate, gradient clipping or normalised inputs"
                ).format(
                    value="NaN" if math.isnan(loss_v) else _("infinite"), epoch=r.epoch, step=r.step
                )
            )
        correct = None if r.correct is None else int(r.correct.item())
        self.sum_loss += loss_v * r.size
        self.sum_correct += correct or 0
        self.seen += r.size
        self.global_step += 1
        self.last_lr = r.lr
        now = time.perf_counter()
        self._n_steps += 1
        self._n_samples += r.size
        elapsed = now - self._t0
        if elapsed >= 0.5 or self._sec_per_step is None:
            self._sec_per_step = elapsed / self._n_steps
            self._rate = self._n_samples / elapsed if elapsed > 0 else 0.0
            self._t0, self._n_steps, self._n_samples = now, 0, 0
        return StepEvent(
            r.epoch,
            self.epochs,
            r.step,
            self.steps,
            self.global_step,
            loss_v,
            None if correct is None else correct / r.size,
            r.lr,
            self._rate,
            self._sec_per_step * (self.total - self.global_step),
        )


def _describe_start(device: torch.device, bf16: bool, data: DataBundle, batches: Batches) -> str:
    """The "training on …" line: device, precision, sample counts, how data is fed."""
    parts = [
        _("training on {device}{precision}: {train} training and {val} validation samples").format(
            device=device,
            precision=_(" with bf16 autocast") if bf16 else "",
            train=len(data.train),  # type: ignore[arg-type]
            val=len(data.val),  # type: ignore[arg-type]
        )
    ]
    parts += data.notes
    if batches.workers:
        parts.append(_("decoded by {count} worker process(es)").format(count=batches.workers))
    if device.type != "cpu" and batches.tensors is not None:
        parts.append(
            _("data kept on the device") if batches.resident else _("data copied per batch")
        )
    return "; ".join(parts)


def _autocast(device: torch.device, bf16: bool) -> Any:
    if not bf16:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
