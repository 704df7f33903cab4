"""A .pt2 program's unmappable operations are reported with the source line that made them."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch

from netbuilder.importers import UnmappedError, import_path
from tests.importers.zoo import Unsupported


def test_pt2_report_names_the_source_line_of_each_node(tmp_path: Path) -> None:
    """torch.export records each node's stack (``stack_trace``) and keeps it in the archive;
    the report gives ``zoo.py:LINE`` of the user's code, not the module path only."""
    model = Unsupported().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.export.export(model, (torch.randn(2, 4),))
    path = tmp_path / "unsupported.pt2"
    torch.export.save(program, path)
    with pytest.raises(UnmappedError) as info:
        import_path(str(path))
    problems = info.value.problems
    assert len(problems) == 2
    zoo = Path(__file__).with_name("zoo.py").read_text().splitlines()
    for problem, code in zip(problems, ("* 2.0", "F.pad"), strict=True):
        assert "zoo.py:" in problem.where, problem.where
        line = int(problem.where.split("zoo.py:")[1].rstrip(")"))
        assert code in zoo[line - 1]
    assert "constant 2.0" in problems[0].reason


def test_source_location_skips_torch_frames_of_any_installation() -> None:
    """A file exported on another machine names torch frames by that machine's paths."""
    from netbuilder.importers.user_code import source_location

    trace = (
        'File "/home/ann/net.py", line 40, in forward\n    x = self.block(x)\n'
        'File "/home/ann/blocks.py", line 7, in forward\n    return F.pad(x, (1, 1))\n'
        'File "/opt/py/lib/python3.12/site-packages/torch/nn/functional.py", line 5, in pad\n'
    )
    assert source_location(trace) == "blocks.py:7"
    assert source_location(None) == ""
