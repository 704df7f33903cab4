from __future__ import annotations

import pytest

from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.resources import example_paths


@pytest.fixture(scope="session")
def examples() -> list[tuple[str, Diagram]]:
    return [(p.stem, load(p)) for p in example_paths()]
