"""The pieces of a distributed run that need no second process: exact batch slices, loss
weights, failure naming through a real c10d store, and the launcher's failure line."""

from __future__ import annotations

import datetime
import os
import signal
import time
from types import SimpleNamespace

import pytest
import torch
import torch.distributed as tdist

from netbuilder.train.batches import Batches
from netbuilder.train.data import DataBundle, TensorData
from netbuilder.train.distributed import Distributed, fingerprint, looks_like_comm_error
from netbuilder.train.launch import describe_failures
from netbuilder.train.setup import LossAdapter


def _data(n: int) -> DataBundle:
    x = torch.arange(n, dtype=torch.float32).unsqueeze(1)
    y = torch.arange(n) % 3
    return DataBundle(
        TensorData(x, y), TensorData(x[:5], y[:5]), ["a", "b", "c"], "classification", "t"
    )


def _ids(batch: tuple[torch.Tensor, ...]) -> list[int]:
    return batch[0].squeeze(1).long().tolist()


@pytest.mark.parametrize(("n", "batch", "world"), [(50, 8, 2), (50, 7, 3), (23, 10, 4)])
def test_rank_slices_are_exactly_the_single_process_batches(n: int, batch: int, world: int) -> None:
    data = _data(n)
    loss = LossAdapter("cross_entropy", data)
    cpu = torch.device("cpu")
    single = Batches(data.train, batch, cpu, loss, seed=5)
    ranks = [Batches(data.train, batch, cpu, loss, seed=5, shard=(r, world)) for r in range(world)]
    for epoch in (1, 2):
        whole = list(single.epoch(epoch))
        parts = [list(b.epoch(epoch)) for b in ranks]
        assert all(len(p) == len(ranks[0]) for p in parts)
        for step in range(len(ranks[0])):
            together = sorted(i for p in parts for i in _ids(p[step]))
            if step < len(whole):
                assert together == sorted(_ids(whole[step]))  # the same samples, split
            assert all(len(p[step][0]) > 0 for p in parts)  # no rank is ever left empty
            sizes = [len(p[step][0]) for p in parts]
            assert max(sizes) - min(sizes) <= 1
    # reshuffled each epoch with the seed: epoch 2 differs from epoch 1
    assert _ids(next(iter(single.epoch(1)))) != _ids(next(iter(single.epoch(2))))


def test_a_last_batch_smaller_than_the_world_is_left_for_the_next_epoch() -> None:
    data = _data(21)  # batches of 10: 10, 10, 1 → the 1 is not a step for anyone
    loss = LossAdapter("cross_entropy", data)
    b = Batches(data.train, 10, torch.device("cpu"), loss, seed=0, shard=(1, 4))
    assert len(b) == 2
    data = _data(23)  # a last batch of 3 with 4 ranks: one rank would get nothing
    b = Batches(data.train, 10, torch.device("cpu"), loss, seed=0, shard=(3, 4))
    assert len(b) == 2
    b = Batches(data.train, 10, torch.device("cpu"), loss, seed=0, shard=(3, 2))
    assert len(b) == 3  # 3 samples over 2 ranks is fine


def test_validation_slices_cover_every_sample_once() -> None:
    data = _data(13)
    loss = LossAdapter("cross_entropy", data)
    seen = []
    for r in range(4):
        b = Batches(data.train, 5, torch.device("cpu"), loss, None, shard=(r, 4))
        for xb, _y, _l in b.epoch(0):
            seen += xb.squeeze(1).long().tolist()
    assert sorted(seen) == list(range(13))


def test_loss_weights_make_the_ddp_average_the_global_mean() -> None:
    d = Distributed(rank=0, world_size=3)
    losses = torch.tensor([0.3, 1.2, 2.0, 0.1, 0.7])  # per-sample losses of a global batch
    slices = [losses[r::3] for r in range(3)]  # sizes 2, 2, 1
    ddp_average = sum(s.mean() * d.loss_weight(len(s), 5) for s in slices) / 3
    assert torch.allclose(ddp_average, losses.mean())


def test_fingerprint_tells_weights_apart() -> None:
    a = {"w": torch.ones(3), "b": torch.zeros(1), "n": torch.tensor(4)}
    b = {"w": torch.tensor([1.0, 1.0, 1.0 + 1e-6]), "b": torch.zeros(1), "n": torch.tensor(4)}
    assert torch.equal(fingerprint(a), fingerprint(dict(a)))
    assert not torch.equal(fingerprint(a), fingerprint(b))


def _store() -> tdist.Store:
    server = tdist.TCPStore(
        "127.0.0.1",
        0,
        is_master=True,
        timeout=datetime.timedelta(seconds=5),
        wait_for_workers=False,
    )
    return tdist.PrefixStore("netbuilder/0", server)


def test_a_rank_that_recorded_its_cause_is_named() -> None:
    store = _store()
    rank1 = Distributed(rank=1, world_size=2, _store=store)
    rank1.record_failure("the dataset 'x.csv' does not exist (no such file or folder)")
    rank0 = Distributed(rank=0, world_size=2, _store=store)
    message = rank0.explain_failure("RuntimeError: [gloo] Connection closed by peer")
    assert message == "rank 1 failed: the dataset 'x.csv' does not exist (no such file or folder)"


def test_a_rank_whose_heartbeat_stopped_is_named() -> None:
    store = _store()
    for r in range(3):
        store.add(f"beat/{r}", 1)
    rank0 = Distributed(rank=0, world_size=3, _store=store)
    alive = Distributed(rank=1, world_size=3, _store=store)
    alive._beating.set()
    import threading

    threading.Thread(target=alive._beat, daemon=True).start()  # rank 1 beats, rank 2 is dead
    try:
        message = rank0.explain_failure("DistBackendError: Connection reset by peer")
    finally:
        alive._beating.clear()
    assert message.startswith("rank 2 stopped responding"), message


def test_a_rank_with_its_own_problem_reports_it_unchanged() -> None:
    store = _store()
    Distributed(rank=1, world_size=2, _store=store).record_failure("the loss became NaN")
    own = "the loss became NaN at epoch 1, step 3; try a lower learning rate"
    start = time.monotonic()
    assert Distributed(rank=0, world_size=2, _store=store).explain_failure(own) == own
    assert time.monotonic() - start < 1  # no waiting when the cause is our own
    assert looks_like_comm_error("RuntimeError: [../gloo/transport/tcp/pair.cc] Connection closed")
    assert not looks_like_comm_error(own)


def test_the_launcher_names_the_rank_that_failed_first() -> None:
    failures = {
        0: SimpleNamespace(exitcode=1, timestamp=20),
        1: SimpleNamespace(exitcode=-signal.SIGKILL, timestamp=10),
    }
    exc = SimpleNamespace(failures=failures)
    assert (
        describe_failures(exc) == "rank 1 was killed by SIGKILL; then rank 0 exited with status 1"
    )
    exc = SimpleNamespace(failures={1: SimpleNamespace(exitcode=2, timestamp=1)})
    assert describe_failures(exc) == "rank 1 exited with status 2"


class _SignallingTrainer:
    """Sends this process SIGINTs at given moments of its ``run`` and records stops."""

    def __init__(self, gaps: list[float]) -> None:
        self.gaps, self.stops = gaps, 0

    def stop(self) -> None:
        self.stops += 1

    def run(self) -> str:
        for gap in self.gaps:
            time.sleep(gap)
            os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # let the last handler run
        return "result"


def test_the_launchers_forwarded_ctrl_c_is_the_same_press() -> None:
    from netbuilder.commands.train import SAME_CTRL_C_S, _run_stoppable

    trainer = _SignallingTrainer([0.0, 0.02])  # the terminal's SIGINT, then torchrun's
    assert _run_stoppable(trainer, SAME_CTRL_C_S) == ("result", True)  # type: ignore[arg-type]
    assert trainer.stops == 1


def test_a_real_second_ctrl_c_under_torchrun_stops_at_once() -> None:
    from netbuilder.commands.train import SAME_CTRL_C_S, _run_stoppable

    trainer = _SignallingTrainer([0.0, 0.02, SAME_CTRL_C_S + 0.2])
    with pytest.raises(KeyboardInterrupt):  # the caller exits 130 without saving
        _run_stoppable(trainer, SAME_CTRL_C_S)  # type: ignore[arg-type]
    assert trainer.stops == 1
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_without_a_launcher_a_second_ctrl_c_is_never_ignored() -> None:
    from netbuilder.commands.train import _run_stoppable

    trainer = _SignallingTrainer([0.0, 0.02])
    with pytest.raises(KeyboardInterrupt):
        _run_stoppable(trainer)  # type: ignore[arg-type]


def test_netbuilder_train_launches_the_files_processes_setting_unless_told_otherwise(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's "processes" setting, saved in the file, is what ``netbuilder train FILE``
    runs on; ``--nproc`` overrides it, and checks (--find-lr) stay in one process."""
    import netbuilder.commands.train as train_command
    from netbuilder.cli import main
    from netbuilder.core.io import save
    from tests.train.conftest import table_net

    launched: list[int] = []
    monkeypatch.setattr(train_command, "_launch", lambda args: launched.append(args.nproc) or 0)
    monkeypatch.delenv("RANK", raising=False)
    diagram = table_net(2, 2)
    diagram.set_training({"dataset": str(tmp_path / "missing.csv"), "processes": 3})
    nbd = tmp_path / "n.nbd"
    save(diagram, nbd)
    assert main(["train", str(nbd), "-q"]) == 0 and launched == [3]
    assert main(["train", str(nbd), "-q", "--nproc", "2"]) == 0 and launched == [3, 2]
    assert main(["train", str(nbd), "-q", "--nproc", "1"]) != 0  # one process: no launch
    assert main(["train", str(nbd), "-q", "--find-lr"]) != 0  # a check: one process
    assert launched == [3, 2]


def test_a_new_process_of_netbuilder_is_started_the_way_this_one_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``python -m netbuilder`` from an install; the bundled app's own executable (no ``-m``)."""
    import sys

    from netbuilder.train.launch import self_command

    assert self_command() == [sys.executable, "-m", "netbuilder"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert self_command() == [sys.executable]
