"""``netbuilder train --nproc N``: torchrun's standalone launch, started from our own process.

This is ``torchrun --standalone --nproc_per_node N -m netbuilder train …`` through the same
engine (``torch.distributed.launcher.api.elastic_launch``: elastic agent, c10d rendezvous on a
free local port), not a home-made spawner. This process becomes the agent: it starts the
workers, watches them every ``MONITOR_INTERVAL_S``, stops all of them when one fails, and
forwards a Ctrl-C. What it adds is the ending in words: which rank failed and how, as one line.
"""

from __future__ import annotations

import signal
import sys
import uuid

#: How often the agent checks its workers; a failed rank is noticed within this.
MONITOR_INTERVAL_S = 0.1


def self_command() -> list[str]:
    """How to start this very ``netbuilder`` as a new process: ``python -m netbuilder``, or
    the bundled app's own executable (PyInstaller sets ``sys.frozen``), which takes the
    command's arguments directly and has no ``-m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "netbuilder"]


def launch_standalone(nproc: int, args: list[str]) -> tuple[int, str | None]:
    """Run ``python -m netbuilder <args>`` on ``nproc`` ranks; (exit status, error line).

    The error line is None when every rank succeeded (the workers print their own output).
    """
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(
        min_nodes=1,
        max_nodes=1,
        nproc_per_node=nproc,
        run_id=str(uuid.uuid4()),
        rdzv_backend="c10d",
        rdzv_endpoint="localhost:0",
        max_restarts=0,
        monitor_interval=MONITOR_INTERVAL_S,
        start_method="spawn",
    )
    try:
        command = self_command()
        elastic_launch(config, entrypoint=command[0])(*command[1:], *args)
    except ChildFailedError as exc:
        return _worst_exit(exc), describe_failures(exc)
    except SignalException as exc:  # Ctrl-C or a kill: the workers were stopped too
        code = 130 if exc.sigval == signal.SIGINT else 128 + int(exc.sigval)
        return code, f"{exc.sigval.name}: all {nproc} processes were stopped"
    return 0, None


def describe_failures(exc: object) -> str:
    """One line naming the rank that failed first and how (exit status or signal), then the rest."""
    failures = getattr(exc, "failures", {}) or {}
    if not failures:
        return str(exc).splitlines()[0]
    ordered = sorted(failures.items(), key=lambda item: (item[1].timestamp, item[0]))
    rank, first = ordered[0]
    text = f"rank {rank} {_how(first.exitcode)}"
    if len(ordered) > 1:
        text += "; then " + ", ".join(f"rank {r} {_how(f.exitcode)}" for r, f in ordered[1:])
    return text


def _how(exitcode: int) -> str:
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"was killed by {name}"
    return f"exited with status {exitcode}"


def _worst_exit(exc: object) -> int:
    """The status to exit with: the first failure's, 1 for a rank killed by a signal."""
    failures = getattr(exc, "failures", {}) or {}
    codes = [f.exitcode for f in failures.values()]
    positive = [c for c in codes if c > 0]
    return max(positive) if positive else 1
