"""The trainer loop: events, best weights, schedules, early stopping, control flags, determinism."""

from __future__ import annotations

import math
import threading

import pytest
import torch

from netbuilder.train.config import TrainConfig
from netbuilder.train.evaluate import evaluate
from netbuilder.train.events import EpochEvent, FinishedEvent, StatusEvent, StepEvent
from netbuilder.train.trainer import Trainer, TrainResult
from tests.train.conftest import example, table_net
from tests.train.helpers import Recorder, random_bundle


def _lenet_config(**changes: object) -> TrainConfig:
    base = TrainConfig.from_dict(example("lenet5").training)
    return base.replace(
        **{"dataset_options": {"size": 300}, "epochs": 2, "device": "cpu", **changes}
    )


def test_events_metrics_and_result() -> None:
    rec = Recorder()
    result = Trainer(example("lenet5"), _lenet_config(epochs=3), on_event=rec).run()
    assert result.status == "completed" and result.error is None
    steps, epochs = rec.steps, rec.of(EpochEvent)
    assert isinstance(rec.events[-1], FinishedEvent) and rec.events[-1].result is result
    assert len(epochs) == 3 and [e.epoch for e in epochs] == [1, 2, 3]
    per_epoch = steps[0].steps_per_epoch
    assert per_epoch == math.ceil(240 / 64) and len(steps) == 3 * per_epoch
    assert [s.global_step for s in steps] == list(range(1, len(steps) + 1))
    assert steps[-1].eta_s == 0.0 and all(s.samples_per_s > 0 for s in steps)
    assert all(0.0 <= (s.accuracy or 0) <= 1.0 and s.lr == 1e-3 for s in steps)
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"):
        assert len(result.metrics[key]) == 3
    assert result.metrics["val_accuracy"] == [e.val_accuracy for e in epochs]
    assert result.classes == [str(d) for d in range(10)]
    assert result.device == "cpu"
    assert next(p for p in result.model.parameters()).device.type == "cpu"
    assert any(isinstance(e, StatusEvent) and "training on cpu" in e.message for e in rec.events)


def test_returned_model_holds_the_best_epoch_weights() -> None:
    result = Trainer(example("lenet5"), _lenet_config(epochs=3)).run()
    assert result.best_epoch is not None and result.data is not None
    best = result.metrics["val_accuracy"][result.best_epoch - 1]
    assert best == max(result.metrics["val_accuracy"])
    scored = evaluate(result.model, result.data.val, result.classes)
    assert scored.accuracy == pytest.approx(best, abs=1e-9)


def test_same_seed_same_run_on_cpu() -> None:
    def run(seed: int) -> TrainResult:
        return Trainer(example("lenet5"), _lenet_config(seed=seed)).run()

    a, b, c = run(3), run(3), run(4)
    assert a.metrics == b.metrics
    for (k, va), vb in zip(
        a.model.state_dict().items(), b.model.state_dict().values(), strict=True
    ):
        assert torch.equal(va, vb), k
    assert a.metrics != c.metrics


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_regression_improves_with_each_optimizer(optimizer: str) -> None:
    diagram = example("mlp_regressor")
    lr = 0.01 if optimizer == "sgd" else 0.003
    cfg = TrainConfig.from_dict(diagram.training).replace(
        optimizer=optimizer, lr=lr, epochs=4, dataset_options={"size": 800}, weight_decay=1e-4
    )
    result = Trainer(diagram, cfg).run()
    assert result.status == "completed"
    assert result.metrics["val_loss"][-1] < 0.7 * result.metrics["val_loss"][0]
    assert all(math.isnan(a) for a in result.metrics["val_accuracy"])


@pytest.mark.parametrize("loss", ["mse", "l1", "bce_with_logits"])
def test_classification_with_other_losses(loss: str) -> None:
    rec = Recorder()
    cfg = TrainConfig(loss=loss, epochs=1, batch_size=16, device="cpu")
    result = Trainer(table_net(4, 3), cfg, random_bundle((4,), 3), on_event=rec).run()
    assert result.status == "completed", result.error
    assert rec.steps[0].accuracy is not None


def test_binary_bce_with_one_output() -> None:
    cfg = TrainConfig(loss="bce_with_logits", epochs=1, batch_size=16, device="cpu")
    result = Trainer(table_net(4, 1), cfg, random_bundle((4,), 2)).run()
    assert result.status == "completed", result.error


def test_schedulers_change_the_learning_rate() -> None:
    data = random_bundle((4,), 3, n=128)

    def lrs(scheduler: str) -> tuple[list[float], list[float]]:
        rec = Recorder()
        cfg = TrainConfig(scheduler=scheduler, epochs=3, batch_size=16, lr=0.1, device="cpu")
        result = Trainer(table_net(4, 3), cfg, data, on_event=rec).run()
        return result.metrics["lr"], [s.lr for s in rec.steps]

    assert lrs("none")[0] == [0.1, 0.1, 0.1]
    assert lrs("step")[0] == pytest.approx([0.1, 0.01, 0.001])
    cosine = lrs("cosine")[1]
    assert cosine[0] == pytest.approx(0.1) and cosine[-1] < 0.01
    one_cycle = lrs("one_cycle")[1]
    peak = one_cycle.index(max(one_cycle))
    assert 0 < peak < len(one_cycle) - 1 and one_cycle[0] < 0.1 * max(one_cycle)


def test_early_stopping_when_validation_stops_improving() -> None:
    rec = Recorder()
    cfg = TrainConfig(epochs=20, early_stopping=2, lr=1e-7, optimizer="sgd", device="cpu")
    result = Trainer(table_net(4, 3), cfg, random_bundle((4,), 3), on_event=rec).run()
    assert result.status == "early_stopped"
    assert len(result.metrics["val_loss"]) == 3 and result.best_epoch == 1
    assert any(isinstance(e, StatusEvent) and "early stop" in e.message for e in rec.events)


def test_gradient_clipping_is_applied(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []
    real = torch.nn.utils.clip_grad_norm_

    def spy(params, max_norm, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(max_norm)
        return real(params, max_norm, *args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    cfg = TrainConfig(epochs=1, batch_size=16, grad_clip=0.5, device="cpu")
    Trainer(table_net(4, 3), cfg, random_bundle((4,), 3)).run()
    assert seen and set(seen) == {0.5}


def test_bf16_autocast_on_cpu_when_asked() -> None:
    cfg = TrainConfig(epochs=1, batch_size=16, mixed_precision="bf16", device="cpu")
    rec = Recorder()
    result = Trainer(table_net(4, 3), cfg, random_bundle((4,), 3), on_event=rec).run()
    assert result.status == "completed", result.error
    assert any(isinstance(e, StatusEvent) and "bf16" in e.message for e in rec.events)


def test_continue_from_initial_weights() -> None:
    diagram = example("mlp_regressor")
    cfg = TrainConfig.from_dict(diagram.training).replace(epochs=3, dataset_options={"size": 800})
    first = Trainer(diagram, cfg).run()
    again = Trainer(diagram, cfg.replace(epochs=1), initial_state=first.model.state_dict()).run()
    assert again.metrics["train_loss"][0] < first.metrics["train_loss"][0]


def test_diagram_edits_during_a_run_do_not_reach_it() -> None:
    diagram = table_net(4, 3)
    trainer = Trainer(diagram, TrainConfig(epochs=1, device="cpu"), random_bundle((4,), 3))
    diagram.set_param("fc2", "out_features", 5)
    assert trainer.run().status == "completed"


def _long_run(rec: Recorder) -> tuple[Trainer, threading.Thread, list[TrainResult]]:
    cfg = TrainConfig(epochs=1000, batch_size=8, device="cpu")
    trainer = Trainer(table_net(4, 3), cfg, random_bundle((4,), 3, n=400), on_event=rec)
    results: list[TrainResult] = []
    thread = threading.Thread(target=lambda: results.append(trainer.run()), daemon=True)
    thread.start()
    return trainer, thread, results


def test_pause_resume_stop() -> None:
    rec = Recorder()
    trainer, thread, results = _long_run(rec)
    rec.wait_for(lambda ev: any(isinstance(e, StepEvent) for e in ev))
    trainer.pause()
    rec.wait_for(lambda ev: any(isinstance(e, StatusEvent) and e.message == "paused" for e in ev))
    frozen = len(rec.steps)
    assert not thread.join(0.3) and thread.is_alive()  # paused, not finished
    assert len(rec.steps) == frozen  # no step runs while paused
    trainer.resume()
    rec.wait_for(lambda ev: sum(isinstance(e, StepEvent) for e in ev) > frozen + 3)
    trainer.stop()
    at_stop = len(rec.steps)
    thread.join(30)
    assert not thread.is_alive()
    assert len(rec.steps) <= at_stop + 1  # only the step already running may finish
    (result,) = results
    assert result.status == "stopped" and result.error is None
    # a model only when an epoch finished (weights never validated are not kept)
    assert (result.model is None) == (result.best_epoch is None)
    assert isinstance(rec.events[-1], FinishedEvent)


def test_stop_while_paused() -> None:
    rec = Recorder()
    trainer, thread, results = _long_run(rec)
    rec.wait_for(lambda ev: any(isinstance(e, StepEvent) for e in ev))
    trainer.pause()
    rec.wait_for(lambda ev: any(isinstance(e, StatusEvent) and e.message == "paused" for e in ev))
    trainer.stop()
    thread.join(30)
    assert not thread.is_alive() and results[0].status == "stopped"


def test_deferred_reads_report_the_same_steps() -> None:
    """The one-step-late reads used on GPUs give exactly the events of immediate reads."""

    def run(defer: bool) -> tuple[TrainResult, Recorder]:
        rec = Recorder()
        trainer = Trainer(example("lenet5"), _lenet_config(), on_event=rec)
        trainer.defer_reads = defer
        return trainer.run(), rec

    (now, rec_now), (late, rec_late) = run(False), run(True)
    assert now.metrics == late.metrics
    strip = [(s.epoch, s.step, s.global_step, s.loss, s.accuracy, s.lr) for s in rec_now.steps]
    assert strip == [
        (s.epoch, s.step, s.global_step, s.loss, s.accuracy, s.lr) for s in rec_late.steps
    ]
