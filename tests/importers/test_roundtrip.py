"""Every example exported to .pt2 / ONNX by NetBuilder imports back as the same network."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.core.subblock_edits import flatten
from netbuilder.export import export_model
from netbuilder.importers import import_path
from netbuilder.resources import example_paths

EXAMPLES = {p.stem: p for p in example_paths()}


def _signature(diagram) -> tuple:
    """Block types with their output shapes, in a canonical order."""
    analysis = check(diagram)
    rows = []
    for nid, node in diagram.nodes.items():
        outs = tuple(sorted((p, s.shape, s.dtype) for p, s in analysis.nodes[nid].outputs.items()))
        rows.append((node.type, outs))
    return tuple(sorted(rows)), analysis.total_params


def _roundtrip(name: str, fmt: str, tmp_path: Path) -> None:
    diagram = load(EXAMPLES[name])
    torch.manual_seed(0)
    model = compile_diagram(diagram)
    out = tmp_path / f"{name}.{fmt}"
    export_model(diagram, model, fmt, out)
    result = import_path(str(out))
    # the exported graph is flat: sub-blocks come back as the blocks inside them
    assert _signature(result.diagram) == _signature(flatten(diagram))
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    rebuilt = compile_diagram(result.diagram)
    rebuilt.load_state_dict(result.state_dict)
    from netbuilder.export.verify import model_inputs

    xs = model_inputs(diagram).example(3, seed=7)
    model.eval()
    rebuilt.eval()
    with torch.no_grad():
        assert torch.allclose(rebuilt(*xs), model(*xs), atol=1e-5, rtol=0)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pt2_roundtrip(name: str, tmp_path: Path) -> None:
    _roundtrip(name, "pt2", tmp_path)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_onnx_roundtrip(name: str, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    _roundtrip(name, "onnx", tmp_path)
