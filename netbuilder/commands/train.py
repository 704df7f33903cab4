"""`netbuilder train FILE [--data PATH] [--epochs N] [--device D] --out model.pt`.

FILE is a ``.nbd`` diagram (a fresh run) or a NetBuilder ``.pt`` checkpoint: then training
continues from its weights and optimizer state, under its saved settings unless overridden.

Under ``torchrun`` (or with ``--nproc N``) every process runs this command as one rank of a
DDP/FSDP2 run (``netbuilder.train.distributed``); rank 0 prints, writes the run's events and
the checkpoint. Every run writes its events to ``OUT.run/events.jsonl`` for watching live.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from netbuilder.commands import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEM,
    command,
    fail,
)
from netbuilder.core.i18n import N_, _

if TYPE_CHECKING:
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.distributed import Distributed
    from netbuilder.train.trainer import Trainer, TrainResult

#: How the final line names how training ended (``TrainResult.status``).
STATUS_LABELS = {
    "completed": N_("completed"),
    "early_stopped": N_("early_stopped"),
    "stopped": N_("stopped"),
}

#: Under torchrun a Ctrl-C reaches each worker twice: from the terminal, and forwarded by
#: the launcher a moment later. A second SIGINT within this window is the same key press.
SAME_CTRL_C_S = 0.5


def _setup_train(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file", type=Path, help=_(".nbd diagram to train, or a .pt checkpoint to continue training")
    )
    p.add_argument("--data", help=_("dataset: builtin:NAME, an image folder or a .csv/.tsv table"))
    p.add_argument("--epochs", type=int, help=_("number of epochs"))
    p.add_argument("--device", help=_("auto, cpu, cuda or mps"))
    p.add_argument(
        "--batch-size",
        type=int,
        dest="batch_size",
        help=_(
            "samples per step; with several processes this is the global batch, split "
            "over them (the learning rate is used as given, never rescaled)"
        ),
    )
    p.add_argument("--lr", type=float, help=_("learning rate"))
    p.add_argument("--seed", type=int, help=_("random seed"))
    p.add_argument(
        "--out",
        type=Path,
        help=_("checkpoint to write (default: FILE with .pt; for a .pt FILE, FILE-continued.pt)"),
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=_(
            "any other training setting or dataset option, e.g. --set optimizer=sgd "
            '--set val_split=0.1 --set \'features=["x","y"]\' (repeatable; JSON values)'
        ),
    )
    p.add_argument("-q", "--quiet", action="store_true", help=_("only print the result"))
    p.add_argument(
        "--nproc",
        type=int,
        metavar="N",
        help=_(
            "train with N processes on this machine (torchrun's standalone launch, "
            "DDP over gloo on CPU or NCCL on GPUs; default: the file's 'processes' setting, "
            "1 if none); for several machines run "
            "'torchrun --nnodes M --nproc_per_node N --rdzv-endpoint HOST:PORT -m netbuilder "
            "train ...' on each"
        ),
    )
    p.add_argument(
        "--strategy",
        choices=("ddp", "fsdp"),
        default="ddp",
        help=_(
            "with several processes: ddp (a full copy of the model per process) or fsdp "
            "(FSDP2, weights sharded over the processes, for large models); the checkpoint is "
            "a plain full state_dict either way"
        ),
    )
    p.add_argument(
        "--no-events",
        action="store_true",
        help=_("do not write the run's events to OUT.run/events.jsonl (for File > Watch Run)"),
    )
    from netbuilder.commands.train_checks import add_check_flags

    add_check_flags(p)  # --find-lr, --overfit-batch, --health


@command("train", _setup_train)
def _train(args: argparse.Namespace) -> int:
    """Train a diagram on its dataset and save a .pt checkpoint, with a text progress bar."""
    from netbuilder.train.distributed import Distributed

    if args.nproc is not None and args.nproc < 1:
        return _error("--nproc takes a number of processes, at least 1", EXIT_BAD_INPUT)
    if args.nproc is None and "RANK" not in os.environ:
        args.nproc = _file_processes(args)
    if args.nproc is not None and args.nproc > 1 and "RANK" not in os.environ:
        return _launch(args)
    dist = Distributed.from_env(args.strategy)
    if dist is None or threading.current_thread() is not threading.main_thread():
        return _train_rank(args, dist)
    # A rank's SIGTERM (torchrun stopping the workers because one failed, a cluster's
    # scancel) asks every rank for a clean stop, and must not kill this rank while it names
    # the failed one or saves the checkpoint after the run.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: dist.request_stop("SIGTERM"))
    try:
        return _train_rank(args, dist)
    finally:
        signal.signal(signal.SIGTERM, previous)
        dist.close()


def _train_rank(args: argparse.Namespace, dist: Distributed | None) -> int:
    """The run itself: one process, or one rank of a distributed run (``dist``)."""
    from netbuilder.core.io import DiagramFileError, load
    from netbuilder.core.shapes import check
    from netbuilder.core.text import shorten
    from netbuilder.train.checkpoint import (
        CheckpointError,
        continued_best_epoch,
        continued_metrics,
        load_checkpoint,
        save_checkpoint,
    )
    from netbuilder.train.config import ConfigError, TrainConfig
    from netbuilder.train.data import DataError
    from netbuilder.train.setup import resolve_device
    from netbuilder.train.sources import load_data
    from netbuilder.train.trainer import Trainer

    rank = dist.rank if dist is not None else 0
    say = _error if rank == 0 else _rank_error(rank)
    initial_state = optimizer_state = earlier_metrics = None
    continuing = args.file.suffix.lower() == ".pt"
    try:
        if continuing:
            checkpoint = load_checkpoint(args.file)
            diagram = checkpoint.diagram
            diagram.set_training(checkpoint.training or diagram.training)
            initial_state, optimizer_state = checkpoint.state_dict, checkpoint.optimizer_state
            earlier_metrics = checkpoint.metrics
        else:
            diagram = load(args.file)
    except (DiagramFileError, CheckpointError) as exc:
        return say(str(exc), EXIT_BAD_INPUT)
    overrides = {
        "dataset": args.data,
        "epochs": args.epochs,
        "device": args.device,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "seed": args.seed,
    }
    try:
        config = TrainConfig.from_dict(diagram.training)
        config = config.replace(**{k: v for k, v in overrides.items() if v is not None})
        config = _apply_settings(config, args.set)
        device = resolve_device(config.device)
    except ConfigError as exc:
        return say(str(exc), EXIT_BAD_INPUT)
    if dist is not None:
        try:
            dist.start(device)
        except (ValueError, RuntimeError) as exc:
            return say(f"cannot join the distributed run: {exc}", EXIT_PROBLEM)
    analysis = check(diagram)
    if not analysis.ok:
        lines = "\n".join(f"  - {d}" for d in analysis.errors[:10])
        return say(
            _("{file}: the diagram has errors:").format(file=args.file) + f"\n{lines}",
            EXIT_PROBLEM,
        )
    default_out = (
        args.file.with_name(f"{args.file.stem}-continued.pt")
        if continuing
        else args.file.with_suffix(".pt")
    )
    out = args.out or default_out  # written atomically, only after the run
    progress = Progress(sys.stdout, quiet=args.quiet or rank != 0)
    progress.status(_("loading {dataset}").format(dataset=shorten(config.dataset)))
    try:
        data = load_data(config, diagram)
    except DataError as exc:
        if dist is not None:  # the other ranks are told, and name this one
            dist.record_failure(str(exc))
        return say(str(exc), EXIT_BAD_INPUT)
    from netbuilder.commands import train_checks

    if train_checks.wants_check(args):
        return train_checks.run_checks(args, diagram, config, data)
    if continuing:
        progress.status(_("continuing from {file}").format(file=args.file.name))
    if dist is not None and rank == 0:
        progress.status(
            f"{dist.world_size} processes ({dist.strategy.upper()} over {dist.backend}); "
            f"global batch {config.batch_size}, about {config.batch_size // dist.world_size} "
            "per process"
        )
    log = None if args.no_events or rank != 0 else _open_log(args.file, out, config, dist)
    trainer = Trainer(
        diagram,
        config,
        data,
        initial_state=initial_state,
        on_event=progress if log is None else _Tee(progress, log),
        initial_optimizer_state=optimizer_state,
        distributed=dist,
        hooks=(hooks := train_checks.hooks_for(args, progress.status)),
    )
    try:
        result, interrupted = _run_stoppable(trainer, SAME_CTRL_C_S if dist else 0.0)
    except KeyboardInterrupt:  # a second Ctrl-C: stop at once, write nothing
        progress.close()
        _end_log(log, "stopped", None, None, "interrupted again: stopped without saving")
        kept = _("; {file} is unchanged").format(file=out) if out.exists() else ""
        print(_("interrupted again: stopped without saving") + kept, file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.close()
    train_checks.report_hooks(hooks, progress.status)
    if dist is not None:
        if result.error is not None:
            dist.record_failure(result.error)
            result.error = dist.explain_failure(result.error)
        interrupted = interrupted or result.status == "stopped"
        if rank != 0:  # rank 0 reports and saves for everyone
            if result.error is not None:
                return say(_("training failed: {error}").format(error=result.error), EXIT_PROBLEM)
            return EXIT_INTERRUPTED if interrupted else EXIT_OK
    if result.model is None:  # no epoch finished: there is nothing trained to save
        kept = _("; {file} is unchanged").format(file=out) if out.exists() else ""
        _end_log(log, result.status, None, None, result.error)
        if result.error is not None:
            return say(
                _("training failed: {error} (nothing saved{kept})").format(
                    error=result.error, kept=kept
                ),
                EXIT_PROBLEM,
            )
        print(_("stopped before the first epoch finished: nothing saved") + kept, file=sys.stderr)
        return EXIT_INTERRUPTED if interrupted else EXIT_PROBLEM
    best = result.best_epoch
    try:
        save_checkpoint(
            out,
            diagram,
            result.model,
            config.to_dict(),
            continued_metrics(earlier_metrics, result.metrics),  # the weights' whole history
            result.classes,
            result.optimizer_state,
            continued_best_epoch(earlier_metrics, best),
            pipeline=result.data.pipeline if result.data is not None else None,
        )
    except CheckpointError as exc:
        _end_log(log, "failed", None, best, str(exc))
        return say(str(exc), EXIT_BAD_INPUT)
    _end_log(log, result.status, str(out.resolve()), best, result.error)
    acc = result.metrics["val_accuracy"][best - 1] if best else float("nan")
    loss = result.metrics["val_loss"][best - 1] if best else float("nan")
    score = _("val loss {loss}").format(loss=f"{loss:.4f}")
    if acc == acc:
        score += _(", val accuracy {accuracy}").format(accuracy=f"{acc:.1%}")
    summary = _("best epoch {epoch} ({score}) on {device}; saved {file}").format(
        epoch=best, score=score, device=result.device, file=out
    )
    if result.error is not None:  # failed after some epochs: their best weights are kept
        return say(
            _("training failed: {error}; {summary}").format(error=result.error, summary=summary),
            EXIT_PROBLEM,
        )
    status = _(STATUS_LABELS.get(result.status, result.status))
    print(_("{status}: {summary}").format(status=status, summary=summary))
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _apply_settings(config: TrainConfig, assignments: list[str]) -> TrainConfig:
    """``--set NAME=VALUE``: a training setting or a dataset option, validated like the file.

    VALUE is read as JSON when it parses (numbers, true/false, lists), else as text, so
    ``--set lr=0.01`` gives a number and ``--set target=price`` a column name.
    """
    from netbuilder.core.text import quoted
    from netbuilder.train.config import DATASET_OPTION_FIELDS, FIELDS, ConfigError

    settings = {p.name for p in FIELDS}
    options = {p.name for p in DATASET_OPTION_FIELDS} | {"features"}
    changes: dict[str, Any] = {}
    dataset_options = dict(config.dataset_options)
    for item in assignments:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"--set takes NAME=VALUE, not {quoted(item)}")
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        if name in settings:
            changes[name] = value
        elif name in options:
            dataset_options[name] = value
        else:
            known = ", ".join(sorted(settings | options))
            raise ConfigError(
                f"--set {quoted(name)}: no such setting or dataset option; known: {known}"
            )
    return config.replace(**changes, dataset_options=dataset_options)


def _run_stoppable(trainer: Trainer, same_press_s: float = 0.0) -> tuple[TrainResult, bool]:
    """Run with Ctrl-C mapped to a clean stop (the best finished epoch is still saved).

    Returns the result and whether the user interrupted. A second Ctrl-C raises
    KeyboardInterrupt at once, for the caller to stop without saving; one within
    ``same_press_s`` of the first counts as the same press (torchrun forwards the terminal's
    SIGINT to workers that already got it).
    """
    interrupted = threading.Event()
    previous = None
    first = 0.0

    def on_sigint(signum: int, frame: object) -> None:
        nonlocal first
        if not interrupted.is_set():
            interrupted.set()
            first = time.monotonic()
            trainer.stop()
            if same_press_s <= 0:
                signal.signal(signal.SIGINT, previous or signal.default_int_handler)
            return
        if time.monotonic() - first < same_press_s:
            return  # the launcher forwarding the press this process already got
        signal.signal(signal.SIGINT, previous or signal.default_int_handler)
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        result = trainer.run()
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
    return result, interrupted.is_set()


def _file_processes(args: argparse.Namespace) -> int | None:
    """The ``processes`` setting saved in FILE (what the app's Start would use), or None.

    A file that cannot be read, or bad settings, give None: the run itself then reports the
    problem in its usual words. Checks (``--find-lr`` …) always run in one process.
    """
    from netbuilder.commands import train_checks
    from netbuilder.core.io import DiagramFileError, load
    from netbuilder.train.config import TrainConfig

    if train_checks.wants_check(args):
        return None
    try:
        if args.file.suffix.lower() == ".pt":
            from netbuilder.train.checkpoint import CheckpointError, load_checkpoint

            try:
                checkpoint = load_checkpoint(args.file)
            except CheckpointError:
                return None
            training = checkpoint.training or checkpoint.diagram.training
        else:
            training = load(args.file).training
    except DiagramFileError:
        return None
    config, problems = TrainConfig.parse(training)
    return None if problems else config.processes


def _launch(args: argparse.Namespace) -> int:
    """``--nproc N``: start N ranks of this same command through torchrun's launcher."""
    from netbuilder.train.launch import launch_standalone

    code, problem = launch_standalone(args.nproc, _rank_argv(args))
    if problem is not None:
        print(f"error: distributed run failed: {problem}", file=sys.stderr)
    return code


def _rank_argv(args: argparse.Namespace) -> list[str]:
    """The ``train`` command line each rank runs: this one without ``--nproc``."""
    argv = ["train", str(args.file)]
    for name in ("data", "epochs", "device", "batch_size", "lr", "seed", "out"):
        value = getattr(args, name)
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(value)]
    for item in args.set:
        argv += ["--set", item]
    argv += ["--strategy", args.strategy]
    argv += ["-q"] if args.quiet else []
    argv += ["--no-events"] if args.no_events else []
    return argv


def _rank_error(rank: int) -> Any:
    """Error printer for ranks other than 0: the same line, saying which rank it is."""

    def say(message: str, code: int) -> int:
        return _error(f"rank {rank}: {message}", code)

    return say


def _open_log(file: Path, out: Path, config: TrainConfig, dist: Distributed | None) -> Any:
    """The run's events file beside the checkpoint (None, with a warning, if unwritable)."""
    from netbuilder.train.runlog import RunLog, RunStarted, run_folder

    start = RunStarted(
        str(file.resolve()),
        str(out.resolve()),
        dist.world_size if dist is not None else 1,
        config.to_dict(),
        time.time(),
    )
    try:
        return RunLog(run_folder(out), start)
    except OSError as exc:
        print(f"warning: cannot write the run's events ({exc}); training anyway", file=sys.stderr)
        return None


def _end_log(
    log: Any, status: str, checkpoint: str | None, best: int | None, error: str | None
) -> None:
    if log is not None:
        from netbuilder.train.runlog import RunEnded

        log.finish(RunEnded(status, checkpoint, best, error))


class _Tee:
    """Hand each trainer event to several receivers (the terminal, the events file)."""

    def __init__(self, *receivers: Any) -> None:
        self.receivers = receivers

    def __call__(self, event: object) -> None:
        for receive in self.receivers:
            receive(event)


def _error(message: str, code: int) -> int:
    return fail(message, code)


class Progress:
    """Trainer events → a redrawn bar on a terminal, plain lines per epoch otherwise."""

    WIDTH = 24

    def __init__(self, stream: TextIO, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()
        self._last_draw = 0.0
        self._bar_shown = False

    def __call__(self, event: object) -> None:
        from netbuilder.train.events import EpochEvent, StatusEvent, StepEvent

        if self.quiet:
            return
        if isinstance(event, StepEvent):
            self._step(event)
        elif isinstance(event, EpochEvent):
            acc = (
                ""
                if event.val_accuracy is None
                else "  " + _("val acc {accuracy}").format(accuracy=f"{event.val_accuracy:.1%}")
            )
            best = "  " + _("*best*") if event.is_best else ""
            self._line(
                _(
                    "epoch {epoch}/{epochs}  train loss {train_loss}  val loss {val_loss}{acc}  "
                    "lr {lr}  {seconds}s{best}"
                ).format(
                    epoch=event.epoch,
                    epochs=event.epochs,
                    train_loss=f"{event.train_loss:.4f}",
                    val_loss=f"{event.val_loss:.4f}",
                    acc=acc,
                    lr=f"{event.lr:.3g}",
                    seconds=f"{event.elapsed_s:.1f}",
                    best=best,
                )
            )
        elif isinstance(event, StatusEvent) and event.message not in ("paused", "resumed"):
            self.status(event.message)

    def status(self, message: str) -> None:
        if not self.quiet:
            self._line(message)

    def _step(self, e: object) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        last = e.step == e.steps_per_epoch  # type: ignore[attr-defined]
        if now - self._last_draw < 0.1 and not last:
            return
        self._last_draw = now
        done = int(self.WIDTH * e.step / e.steps_per_epoch)  # type: ignore[attr-defined]
        bar = "#" * done + "-" * (self.WIDTH - done)
        eta = "" if e.eta_s is None else f"  ETA {_clock(e.eta_s)}"  # type: ignore[attr-defined]
        acc = "" if e.accuracy is None else f"  acc {e.accuracy:.2f}"  # type: ignore[attr-defined]
        self.stream.write(
            f"\r\x1b[2Kepoch {e.epoch}/{e.epochs} [{bar}] {e.step}/{e.steps_per_epoch}"  # type: ignore[attr-defined]
            f"  loss {e.loss:.4f}{acc}  {e.samples_per_s:.0f} samples/s{eta}"  # type: ignore[attr-defined]
        )
        self.stream.flush()
        self._bar_shown = True

    def _line(self, text: str) -> None:
        prefix = "\r\x1b[2K" if self.tty and self._bar_shown else ""
        self._bar_shown = False
        self.stream.write(f"{prefix}{text}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._bar_shown:
            self.stream.write("\n")
            self.stream.flush()
            self._bar_shown = False


def _clock(seconds: float) -> str:
    s = int(seconds)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )
