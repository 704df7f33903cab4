"""Unusable training settings show in the Problems panel (issue 17.3)."""

from __future__ import annotations

from netbuilder.core.io import load
from netbuilder.resources import EXAMPLES_DIR


def test_bad_training_settings_are_listed_and_cleared_when_fixed(window) -> None:
    diagram = load(EXAMPLES_DIR / "cnn_image_classifier.nbd")
    diagram.training = {**diagram.training, "lr": "abc", "epochs": 0}
    window.session.replace(diagram, None)
    rows = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert "Training setting 'lr' must be a number, not 'abc'." in rows
    assert "Training setting 'epochs' must be at least 1, not 0." in rows
    assert len(window.session.analysis.errors) == 2
    window.session.diagram.set_training({**diagram.training, "lr": 0.01, "epochs": 3})
    window.session.recheck_if_stale()
    assert window.problems.count() == 0
    assert window.session.analysis.ok
