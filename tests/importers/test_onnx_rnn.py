"""A plain (Elman) RNN in ONNX imports as NetBuilder's RNN block with its weights.

torch's legacy exporter writes ``nn.RNN`` as an ONNX ``RNN`` node (activations as bytes);
the dynamo exporter writes it out step by step (MatMul, Add, Tanh/Relu per time step), which
``onnx_unrolled`` reads back by the biases' parameter names. Every import compares its
outputs with onnxruntime within 1e-5; these tests also compare with the torch model.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.export import export_model
from netbuilder.importers import UnmappedError, import_path

pytest.importorskip("onnxruntime")


class _Tagger(torch.nn.Module):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.rnn = torch.nn.RNN(5, 6, batch_first=True, **kwargs)
        self.head = torch.nn.Linear(6 * (2 if kwargs.get("bidirectional") else 1), 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y, _ = self.rnn(x)
        return self.head(y[:, -1])


def _export(model: torch.nn.Module, path: Path, dynamo: bool) -> None:
    x = (torch.randn(2, 7, 5),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dynamo:
            batch = {0: torch.export.Dim("batch")}
            torch.onnx.export(model, x, str(path), dynamo=True, external_data=False,
                              dynamic_shapes=(batch,))  # fmt: skip
        else:
            torch.onnx.export(model, x, str(path), dynamo=False, input_names=["x"],
                              dynamic_axes={"x": {0: "batch"}})  # fmt: skip


@pytest.mark.parametrize("dynamo", [True, False], ids=["step-by-step", "RNN-node"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"nonlinearity": "relu", "num_layers": 2}, {"bidirectional": True}],
    ids=["tanh", "relu-2-layers", "bidirectional"],
)
def test_plain_rnn_imports_as_the_rnn_block(kwargs: dict, dynamo: bool, tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = _Tagger(**kwargs).eval()
    path = tmp_path / "rnn.onnx"
    _export(model, path, dynamo)
    result = import_path(str(path))
    rnn = next(n for n in result.diagram.nodes.values() if n.type == "RNN")
    assert rnn.params["nonlinearity"] == kwargs.get("nonlinearity", "tanh")
    assert rnn.params["num_layers"] == kwargs.get("num_layers", 1)
    assert rnn.params["bidirectional"] == kwargs.get("bidirectional", False)
    assert result.parameter_count == sum(p.numel() for p in model.parameters())
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    rebuilt = compile_diagram(result.diagram)
    rebuilt.load_state_dict(result.state_dict)
    rebuilt.eval()
    x = torch.randn(4, 7, 5)
    with torch.no_grad():
        assert torch.allclose(rebuilt(x), model(x), atol=1e-5, rtol=0)


def test_step_by_step_rnn_without_biases_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "nobias.onnx"
    _export(_Tagger(bias=False).eval(), path, dynamo=True)
    with pytest.raises(UnmappedError) as info:
        import_path(str(path))
    assert "without named biases" in info.value.details()


@pytest.mark.parametrize(("output", "bidirectional"), [("last", True), ("sequence", False)])
def test_netbuilder_rnn_block_round_trips_through_onnx(
    output: str, bidirectional: bool, tmp_path: Path
) -> None:
    """The RNN block, with its final state wired too, exported by NetBuilder and read back."""
    d = Diagram()
    seq = d.add_node("SequenceInput", {"length": 7, "features": 5})
    rnn = d.add_node(
        "RNN",
        {"hidden_size": 6, "output": output, "bidirectional": bidirectional, "num_layers": 2},
    )
    out, h = d.add_node("Output"), d.add_node("Output", label="h")
    d.connect(seq, "out", rnn, "in")
    d.connect(rnn, "out", out, "in")
    d.connect(rnn, "h", h, "in")
    torch.manual_seed(1)
    model = compile_diagram(d)
    path = tmp_path / "block.onnx"
    export_model(d, model, "onnx", path)
    result = import_path(str(path))
    back = next(n for n in result.diagram.nodes.values() if n.type == "RNN")
    assert back.params["output"] == output and back.params["bidirectional"] == bidirectional
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    wired = {e.source_port for e in result.diagram.edges if e.source == back.id}
    assert wired == {"out", "h"}
