"""``netbuilder render``: pictures at a slide's shape, wires drawn along the planned routes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from netbuilder.cli import main as cli_main
from netbuilder.core.io import save
from netbuilder.core.layout import route_diagram
from netbuilder.gui.canvas.image_export import render_diagram
from netbuilder.gui.canvas.scene import DiagramScene
from netbuilder.resources import EXAMPLES_DIR
from tests.core.test_layout import residual_network

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.nbd"))


def aspect(path: Path) -> float:
    image = QImage(str(path))
    assert not image.isNull()
    return image.width() / image.height()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_render_at_a_readable_shape(path: Path, tmp_path: Path, qapp) -> None:
    for layout in ("saved", "wrap"):
        out = tmp_path / f"{layout}.png"
        assert cli_main(["render", str(path), "-o", str(out), "--layout", layout]) == 0
        assert 1 / 3 <= aspect(out) <= 3, (layout, aspect(out))


def test_200_block_network_renders_wrapped(tmp_path: Path, qapp) -> None:
    source = tmp_path / "deep.nbd"
    save(residual_network(200), source)
    row, wrap = tmp_path / "row.png", tmp_path / "wrap.png"
    assert (
        cli_main(["render", str(source), "-o", str(row), "--layout", "row", "--scale", "0.5"]) == 0
    )
    assert (
        cli_main(["render", str(source), "-o", str(wrap), "--layout", "wrap", "--scale", "0.5"])
        == 0
    )
    assert aspect(row) > 20, "one row is a strip"
    assert 1 / 3 <= aspect(wrap) <= 3


def test_canvas_and_render_draw_the_same_routes(qapp) -> None:
    from netbuilder.core.io import load

    d = load(EXAMPLES_DIR / "small_resnet.nbd")
    scene = DiagramScene(d)
    try:
        planned = route_diagram(d)
        drawn = {e: item.route for e, item in scene.edges.items()}
        assert drawn == planned
    finally:
        scene.detach()


def test_render_keeps_working_for_a_picture(tmp_path: Path, qapp) -> None:
    from netbuilder.core.io import load

    out = render_diagram(load(EXAMPLES[0]), tmp_path / "x.svg")
    assert out.read_text("utf-8").startswith("<?xml")
