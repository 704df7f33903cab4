"""Trained example models shared by the export tests (trained once per test session)."""

from __future__ import annotations

import pytest

from netbuilder.core.io import load
from tests.export.export_helpers import EXAMPLES, EXAMPLES_DIR, Trained, train_tiny


@pytest.fixture(scope="session")
def trained_examples() -> dict[str, Trained]:
    """Every example diagram after one short epoch on a small sample of its dataset."""
    out: dict[str, Trained] = {}
    for name in EXAMPLES:
        diagram = load(EXAMPLES_DIR / f"{name}.nbd")
        result = train_tiny(diagram)
        assert result.model is not None
        out[name] = Trained(name, diagram, result.model.to("cpu").eval(), result)
    return out
