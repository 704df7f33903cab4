"""Real distributed runs: 2 gloo processes started by torchrun on this CPU.

Kept small (a 2-feature table, a few hundred samples, OMP_NUM_THREADS=1) because the test
machine has two shared cores; each run still goes through the whole stack: torchrun's
elastic agent, c10d rendezvous, DDP/FSDP2, the all-reduced metrics and the agreed stop.

Why the 2-process metrics must match the 1-process run to ``REL_TOL``: every step both
runs use the very same samples (rank slices of the same seeded global batch), and each
rank's loss is weighted by its share, so the gradient is the same sum, only added in a
different order (two half-batch sums, then DDP's average). That reordering changes the
float32 gradient by about one unit in the last place (~1e-7 relative); Adam divides the
gradient by its running RMS, which keeps such differences at that scale, and 3 epochs of
~40 steps compound them to ~1e-6 (measured: weights within 6e-6, losses within 1e-6).
``REL_TOL`` = 1e-4 is two orders above that and far below any real divergence (a wrong
shard, a missing reduction or a double-counted sample moves the loss by percent). An
accuracy may differ by at most one validation sample sitting on the decision boundary.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from netbuilder.cli import main
from netbuilder.core.io import save
from netbuilder.train.checkpoint import load_checkpoint
from netbuilder.train.runlog import EventFollower, RunEnded, run_folder
from tests.train.conftest import table_net

REL_TOL = 1e-4

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="finds ranks through /proc and sends POSIX signals"
)


def _diagram(tmp_path: Path, rows: int = 400, epochs: int = 3) -> Path:
    csv = tmp_path / "points.csv"
    csv.write_text(
        "x,y,label\n"
        + "".join(
            f"{math.sin(i * 0.7):.4f},{math.cos(i * 1.3):.4f},{('in', 'out')[(i * 7) % 10 // 5]}\n"
            for i in range(rows)
        )
    )
    diagram = table_net(2, 2)
    diagram.set_training(
        {"dataset": str(csv), "epochs": epochs, "batch_size": 32, "lr": 0.01, "seed": 3}
    )
    path = tmp_path / "net.nbd"
    save(diagram, path)
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def _torchrun(args: list[str], **kw: object) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    return subprocess.Popen(
        [*cmd, "-m", "netbuilder", "train", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
        **kw,  # type: ignore[call-overload]
    )


def _netbuilder(args: list[str], **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "netbuilder", "train", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
        **kw,  # type: ignore[call-overload]
    )


def _close(a: list[float], b: list[float]) -> bool:
    return all(math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-7) for x, y in zip(a, b, strict=True))


def test_two_gloo_ranks_train_like_one_process(tmp_path: Path) -> None:
    nbd = _diagram(tmp_path)
    one, two = tmp_path / "one.pt", tmp_path / "two.pt"
    assert main(["train", str(nbd), "--out", str(one), "--device", "cpu", "-q"]) == 0

    proc = _torchrun([str(nbd), "--out", str(two), "--device", "cpu"])
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    # both ranks hold the same weights (checked collectively by fingerprint at the end)
    assert "all 2 processes hold identical weights" in output
    assert output.count("saved ") == 1  # rank 0 alone prints the result and writes the file
    assert "global batch 32, about 16 per process" in output

    a, b = load_checkpoint(one), load_checkpoint(two)
    assert set(b.state_dict) == set(a.state_dict)  # a plain state_dict: no "module." prefix
    for key, value in a.state_dict.items():
        assert torch.allclose(value, b.state_dict[key], rtol=0, atol=1e-4), key
    for name in ("train_loss", "val_loss"):
        assert _close(a.metrics[name], b.metrics[name]), (name, a.metrics, b.metrics)
    n_val = 80  # 20 % of 400
    for name in ("train_accuracy", "val_accuracy"):
        diffs = [abs(x - y) for x, y in zip(a.metrics[name], b.metrics[name], strict=True)]
        assert max(diffs) <= 1 / n_val + 1e-9, (name, diffs)
    assert a.best_epoch == b.best_epoch and b.training["batch_size"] == 32  # not rescaled
    assert b.training["lr"] == 0.01
    # it opens, exports and continues like any other checkpoint
    assert main(["export", str(two), "-f", "python", "-o", str(tmp_path / "py")]) == 0
    more = tmp_path / "more.pt"
    assert main(["train", str(two), "--epochs", "1", "--out", str(more), "-q"]) == 0
    assert len(load_checkpoint(more).metrics["val_loss"]) == 4
    # and the run's events were written by rank 0 only, ending with the saved checkpoint
    records = EventFollower(run_folder(two)).read_all()
    assert records[0].world_size == 2  # type: ignore[union-attr]
    assert records[-1] == RunEnded("completed", str(two.resolve()), b.best_epoch, None)


def test_fsdp2_shards_the_model_and_still_saves_a_plain_checkpoint(tmp_path: Path) -> None:
    nbd = _diagram(tmp_path, epochs=2)
    one, two = tmp_path / "one.pt", tmp_path / "fsdp.pt"
    assert main(["train", str(nbd), "--out", str(one), "--device", "cpu", "-q"]) == 0
    proc = _torchrun([str(nbd), "--out", str(two), "--device", "cpu", "--strategy", "fsdp"])
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    assert "FSDP over gloo" in output
    a, b = load_checkpoint(one), load_checkpoint(two)
    assert {k: v.shape for k, v in b.state_dict.items()} == {
        k: v.shape for k, v in a.state_dict.items()
    }
    assert all(type(v) is torch.Tensor for v in b.state_dict.values())  # no DTensor shards
    assert _close(a.metrics["val_loss"], b.metrics["val_loss"]), (a.metrics, b.metrics)
    assert b.optimizer_state is not None  # gathered too, so continuing keeps Adam's moments
    assert main(["train", str(two), "--epochs", "1", "--out", str(tmp_path / "c.pt"), "-q"]) == 0


def _rank_pid(parent: int, rank: int, timeout: float = 60) -> int:
    """The pid of the worker process with ``RANK=rank`` among ``parent``'s children."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
            try:
                env = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"RANK={rank}".encode() in env:
                return int(child)
        time.sleep(0.1)
    raise AssertionError(f"no rank {rank} under {parent}")


def _read_until(proc: subprocess.Popen[str], prefix: str) -> list[str]:
    seen = []
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(prefix):
            return seen
    raise AssertionError("".join(seen))


def test_a_killed_rank_stops_the_others_with_a_message_naming_it(tmp_path: Path) -> None:
    nbd = _diagram(tmp_path, rows=400, epochs=500)
    out = tmp_path / "m.pt"
    proc = _netbuilder([str(nbd), "--out", str(out), "--device", "cpu", "--nproc", "2"])
    seen = _read_until(proc, "epoch 1/")
    os.kill(_rank_pid(proc.pid, 1), signal.SIGKILL)
    rest, _ = proc.communicate(timeout=120)
    output = "".join(seen) + rest
    assert proc.returncode == 1, output
    # rank 0 names the rank that vanished, and keeps the epochs that finished
    assert "rank 1 stopped responding (killed or crashed)" in output
    assert f"saved {out}" in output and load_checkpoint(out).best_epoch is not None
    # the launcher's one line says the same from outside
    assert "distributed run failed: rank 1 was killed by SIGKILL" in output
    assert "Traceback" not in output


def test_ctrl_c_before_the_first_epoch_under_torchrun_writes_nothing(tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches every process of the group (launcher and ranks), and the
    launcher forwards it once more: every rank must stop at the same step, once."""
    nbd = _diagram(tmp_path, rows=4000, epochs=50)
    out = tmp_path / "m.pt"
    out.write_bytes(b"an earlier good model")
    proc = _netbuilder(
        [str(nbd), "--out", str(out), "--device", "cpu", "--nproc", "2"], start_new_session=True
    )
    seen = _read_until(proc, "training on")
    os.killpg(proc.pid, signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)
    output = "".join(seen) + rest
    assert proc.returncode == 130, output
    assert out.read_bytes() == b"an earlier good model", output
    assert "stopped before the first epoch finished: nothing saved" in output
    assert f"{out} is unchanged" in output
    assert "interrupted again" not in output  # the forwarded SIGINT is the same press
    assert "Traceback" not in output


def test_ctrl_c_after_an_epoch_saves_the_best_one_under_torchrun(tmp_path: Path) -> None:
    nbd = _diagram(tmp_path, rows=400, epochs=500)
    out = tmp_path / "m.pt"
    proc = _netbuilder(
        [str(nbd), "--out", str(out), "--device", "cpu", "--nproc", "2"], start_new_session=True
    )
    seen = _read_until(proc, "epoch 2/")
    os.killpg(proc.pid, signal.SIGINT)
    rest, _ = proc.communicate(timeout=120)
    output = "".join(seen) + rest
    assert proc.returncode == 130, output
    assert "stopped: best epoch" in output and f"saved {out}" in output
    checkpoint = load_checkpoint(out)
    assert 2 <= len(checkpoint.metrics["val_loss"]) < 500
    ended = EventFollower(run_folder(out)).read_all()[-1]
    assert ended == RunEnded("stopped", str(out.resolve()), checkpoint.best_epoch, None)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_slurm_template_runs_the_torchrun_command(tmp_path: Path) -> None:
    """The batch script itself, on one node with 2 CPU ranks: Slurm's commands are stand-ins
    (``scontrol`` names this host, ``srun`` runs its command), everything else is real."""
    from netbuilder.resources import EXAMPLES_DIR

    script = EXAMPLES_DIR.parent.parent / "packaging" / "cluster" / "netbuilder-train.sbatch"
    if not script.exists():  # an installed wheel has no packaging folder
        pytest.skip("packaging/cluster is not shipped in the wheel")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "scontrol").write_text("#!/bin/sh\necho localhost\n")
    (bin_dir / "srun").write_text('#!/bin/sh\nshift\nexec "$@"\n')  # drop --kill-on-bad-exit
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    nbd = _diagram(tmp_path, epochs=1)
    env = {
        **_env(),
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        "SLURM_JOB_NODELIST": "localhost",
        "SLURM_NNODES": "1",
        "SLURM_GPUS_ON_NODE": "2",
        "SLURM_CPUS_PER_TASK": "2",
        "SLURM_JOB_ID": str(os.getpid()),
        "NETBUILDER_RDZV_PORT": str(_free_port()),
    }
    run = subprocess.run(
        ["bash", str(script), str(nbd), "out.pt", "--device", "cpu"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 processes (DDP over gloo)" in run.stdout
    assert load_checkpoint(tmp_path / "out.pt").best_epoch == 1
    assert (tmp_path / "out.pt.run" / "events.jsonl").exists()
