"""How the trainer is fed: every validation sample scored, training drops a lone last
sample, and the start line says what loading did to the data."""

from __future__ import annotations

from pathlib import Path

import torch

from netbuilder.train.batches import Batches
from netbuilder.train.config import TrainConfig
from netbuilder.train.data import DataBundle, TensorData
from netbuilder.train.events import StatusEvent
from netbuilder.train.setup import LossAdapter
from netbuilder.train.trainer import Trainer
from tests.train.conftest import table_net
from tests.train.helpers import Recorder, random_bundle
from tests.train.test_sources import _table, _write_gappy_csv


def _bundle(n: int) -> DataBundle:
    data = random_bundle((4,), 3, n=n)
    whole = TensorData(
        torch.cat([data.train.inputs, data.val.inputs]),
        torch.cat([data.train.targets, data.val.targets]),
    )
    return DataBundle(whole, whole, data.classes, "classification", "random")


def test_validation_scores_every_sample_and_training_drops_a_lone_last_one() -> None:
    data = _bundle(257)
    loss = LossAdapter("cross_entropy", data)
    cpu = torch.device("cpu")
    val = Batches(data.val, 256, cpu, loss, seed=None)
    assert [len(xb) for xb, _, _ in val.epoch(0)] == [256, 1]
    train = Batches(data.train, 256, cpu, loss, seed=0)
    assert [len(xb) for xb, _, _ in train.epoch(1)] == [256]  # BatchNorm cannot take one


def test_start_line_names_the_rows_loading_dropped(tmp_path: Path) -> None:
    gaps = {(1, "x"): "?", (9, "label"): "null"}
    data = _table(_write_gappy_csv(tmp_path / "t.csv", gaps), missing="drop_rows")
    rec = Recorder()
    config = TrainConfig(epochs=1, batch_size=8, device="cpu")
    result = Trainer(table_net(2, 2), config, data, on_event=rec).run()
    assert result.status == "completed", result.error
    (start,) = [e.message for e in rec.of(StatusEvent) if e.message.startswith("training on")]
    assert start.startswith("training on cpu: ")
    assert "1 row without a target value dropped" in start
    assert "1 row with missing values dropped" in start
