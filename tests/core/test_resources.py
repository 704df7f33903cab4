"""Examples describe themselves: menus and the empty canvas read their name and dataset."""

from __future__ import annotations

from pathlib import Path

from netbuilder.resources import example_info, example_paths


def test_every_example_has_a_name_a_description_and_a_builtin_dataset() -> None:
    infos = [example_info(p) for p in example_paths()]
    assert len(infos) >= 6
    for info in infos:
        assert info.title and info.description, info.path
        assert info.dataset.startswith("builtin:"), info.path  # trains with no download
    assert {i.title for i in infos} >= {"CNN image classifier", "LeNet-5", "Small ResNet"}


def test_a_file_without_meta_or_unreadable_falls_back_to_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "my_first_net.nbd"
    broken.write_text("{ not json")
    info = example_info(broken)
    assert (info.title, info.description, info.dataset) == ("My first net", "", "")
    plain = tmp_path / "plain.nbd"
    plain.write_text('{"format": "netbuilder-diagram", "nodes": [], "edges": []}')
    assert example_info(plain).title == "Plain"
