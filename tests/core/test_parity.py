"""Diagrams built with the Python API equal hand-written PyTorch: parameters and outputs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from netbuilder.core.compile import compile_diagram
from netbuilder.core.diagram import Diagram
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.resources import EXAMPLES_DIR
from tests.core.reference_models import (
    LeNet5,
    LSTMClassifier,
    ResNet,
    TransformerClassifier,
    dotted_to_node,
    lenet5_diagram,
    lstm_diagram,
    map_reference_keys,
    randomise_batchnorm,
    resnet_diagram,
    transformer_diagram,
)


def _same_key(key: str) -> str:
    return key


def _assert_parity(
    d: Diagram,
    reference: nn.Module,
    inputs: torch.Tensor,
    mapping: Callable[[str], str] = dotted_to_node,
) -> None:
    analysis = check(d)
    assert analysis.ok, [str(x) for x in analysis.errors]
    ref_count = sum(p.numel() for p in reference.parameters())
    assert analysis.total_params == ref_count
    model = compile_diagram(d, analysis)
    assert sum(p.numel() for p in model.parameters()) == ref_count
    model.load_state_dict(map_reference_keys(reference, mapping), strict=True)
    model.eval()
    reference.eval()
    with torch.no_grad():
        got, want = model(inputs), reference(inputs)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-5)


def test_lenet5_matches_hand_written() -> None:
    torch.manual_seed(0)
    _assert_parity(lenet5_diagram(), LeNet5(), torch.randn(4, 1, 32, 32))
    assert check(lenet5_diagram()).total_params == 61_706


def test_lenet5_example_file_is_the_same_network() -> None:
    """The shipped example has LeNet-5's exact layer sizes and parameter count."""
    d = load(EXAMPLES_DIR / "lenet5.nbd")
    torch.manual_seed(0)
    _assert_parity(d, LeNet5(), torch.randn(2, 1, 32, 32))


def test_resnet18_parameter_count_is_torchvisions() -> None:
    analysis = check(resnet_diagram())
    assert analysis.ok
    assert analysis.total_params == 11_689_512
    assert sum(p.numel() for p in ResNet().parameters()) == 11_689_512
    assert analysis.nodes["fc"].outputs["out"].shape == (1000,)
    assert analysis.nodes["layer4_1_relu2"].outputs["out"].shape == (512, 7, 7)


def test_resnet18_outputs_match_hand_written() -> None:
    torch.manual_seed(0)
    reference = ResNet()
    randomise_batchnorm(reference)
    _assert_parity(resnet_diagram(), reference, torch.randn(2, 3, 224, 224))


def test_resnet18_state_dict_keys_map_one_to_one() -> None:
    """Every reference tensor has exactly one home in the compiled module, and vice versa."""
    model = compile_diagram(resnet_diagram())
    mapped = map_reference_keys(ResNet())
    assert set(mapped) == set(model.state_dict())
    for key, value in model.state_dict().items():
        assert mapped[key].shape == value.shape, key


def test_lstm_classifier_matches_hand_written() -> None:
    torch.manual_seed(0)
    _assert_parity(lstm_diagram(), LSTMClassifier(), torch.randn(3, 20, 8))


def test_bidirectional_lstm_state_ports_match_torch() -> None:
    """'h' and 'c' carry torch's final states of the top layer, both directions joined."""
    d = Diagram()
    from netbuilder.core.builder import chain

    lstm = chain(
        d,
        ("SequenceInput", {"length": 7, "features": 5}, "x"),
        (
            "LSTM",
            {"hidden_size": 6, "num_layers": 2, "bidirectional": True, "output": "sequence"},
            "lstm",
        ),
    )
    for port in ("out", "h", "c"):
        out = d.add_node("Output", node_id=f"o_{port}")
        d.connect(lstm, port, out, "in")
    torch.manual_seed(0)
    model = compile_diagram(d).eval()
    reference = nn.LSTM(5, 6, 2, batch_first=True, bidirectional=True)
    model.load_state_dict({f"lstm.{k}": v for k, v in reference.state_dict().items()})
    x = torch.randn(4, 7, 5)
    seq, h, c = model(x)
    want_seq, (h_n, c_n) = reference(x)
    torch.testing.assert_close(seq, want_seq)
    torch.testing.assert_close(h, torch.cat([h_n[-2], h_n[-1]], dim=1))
    torch.testing.assert_close(c, torch.cat([c_n[-2], c_n[-1]], dim=1))
    assert tuple(h.shape) == (4, *check(d).nodes["lstm"].outputs["h"].shape)


def test_transformer_classifier_matches_hand_written() -> None:
    torch.manual_seed(0)
    tokens = torch.randint(0, 100, (3, 16))
    _assert_parity(transformer_diagram(), TransformerClassifier(), tokens, _same_key)


@pytest.mark.parametrize("train", [False, True])
def test_compiled_resnet_trains_like_the_reference(train: bool) -> None:
    """One SGD step on a small ResNet changes both models' weights identically."""
    torch.manual_seed(0)
    kw = {"widths": (8, 16), "blocks": 1, "classes": 4, "stem_kernel": 3}
    reference = ResNet(**kw)
    model = compile_diagram(resnet_diagram(size=16, **kw))
    model.load_state_dict(map_reference_keys(reference))
    x, y = torch.randn(4, 3, 16, 16), torch.tensor([0, 1, 2, 3])
    for m in (model, reference):
        m.train(train)
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    mapped = map_reference_keys(reference)
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, mapped[key], rtol=0, atol=1e-5, msg=key)
