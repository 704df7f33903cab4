"""The workspace's Try it tab follows the document's own trained model (issues 9 and 16)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from netbuilder.train.checkpoint import save_checkpoint
from tests.gui.test_document_state import EXAMPLES, WAIT_MS, train_cnn

Btn = QMessageBox.StandardButton


def test_try_it_predicts_with_the_run_just_trained_and_forgets_it_with_its_document(
    qtbot, window, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: Btn.Discard))
    panel = train_cnn(qtbot, window)
    try_it = panel.try_it
    assert panel.tabs.tabText(panel.tabs.indexOf(try_it)) == "Try it"
    # the run recorded how its inputs were prepared, and the tab uses exactly that model
    pipeline = window.session.checkpoint.pipeline
    assert pipeline is not None and pipeline.kind == "image"
    assert try_it.model() is not None

    image = tmp_path / "shape.png"
    Image.fromarray(np.full((40, 40, 3), 200, dtype=np.uint8)).save(image)
    (prediction,) = try_it.predict_files([image])
    probabilities = [p for _, p in prediction.top]
    assert prediction.top[0][0] in window.session.checkpoint.classes
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities) and sum(probabilities) <= 1.0 + 1e-5

    # another document on screen: the CNN's model must not predict for it
    assert window.files.open(EXAMPLES / "lstm_sequence_classifier.nbd", as_template=True)
    assert try_it.model() is None


def test_an_old_checkpoint_gets_its_pipeline_rebuilt_off_the_gui_thread(
    qtbot, window, monkeypatch, tmp_path: Path
) -> None:
    """A .pt written before pipelines were recorded: the tab reloads the data to learn it."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: Btn.Discard))
    train_cnn(qtbot, window)
    ckpt = window.session.checkpoint
    old = tmp_path / "old.pt"
    save_checkpoint(
        old, ckpt.diagram, ckpt.state_dict, ckpt.training, ckpt.metrics, ckpt.classes
    )  # no pipeline, as NetBuilder wrote them before
    assert window.files.open(old)
    try_it = window.training_panel.try_it
    qtbot.waitUntil(lambda: try_it.model() is not None, timeout=WAIT_MS)
    assert try_it._pipeline is not None and try_it._pipeline.kind == "image"
    assert not try_it._pipeline.assumed  # rebuilt from the built-in set, not guessed
