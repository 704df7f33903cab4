"""Importing nn.Modules: mapping, weights reproduced to 1e-5, every gap reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.core.shapes import check
from netbuilder.core.subblock_edits import flatten
from netbuilder.importers import ModelImportError, UnmappedError, import_path
from netbuilder.importers.pytorch import import_module
from netbuilder.importers.user_code import parse_input_shapes
from tests.importers.zoo import (
    FunctionalCNN,
    LSTMTagger,
    ResNet18,
    TinyTransformer,
    Unsupported,
    randomise_norms,
)


def _types(result) -> list[str]:
    return sorted(n.type for n in result.diagram.nodes.values())


def _same_outputs(result, model: torch.nn.Module, *xs: torch.Tensor) -> None:
    from netbuilder.core.compile import compile_diagram

    rebuilt = compile_diagram(result.diagram)
    rebuilt.load_state_dict(result.state_dict)
    rebuilt.eval()
    model.eval()
    with torch.no_grad():
        mine, theirs = rebuilt(*xs), model(*xs)
    mine = mine if isinstance(mine, tuple) else (mine,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for a, b in zip(mine, theirs, strict=True):
        assert a.shape == b.shape
        assert (a - b).abs().max().item() <= 1e-5 * max(1.0, b.abs().max().item())


def test_resnet18_reference_case() -> None:
    """torchvision's resnet18 layout (written out: torchvision has no CPU build for this
    torch on PyPI): 11,689,512 parameters and the same outputs, from a fresh diagram."""
    torch.manual_seed(0)
    model = randomise_norms(ResNet18())
    result = import_module(model, [((1, 3, 64, 64), "float")])
    assert result.parameter_count == 11_689_512
    assert sum(p.numel() for p in model.parameters()) == 11_689_512
    # the blocks inside its sub-blocks (tests/importers/test_subblock_import.py)
    flat = sorted(n.type for n in flatten(result.diagram).nodes.values())
    counts = {t: flat.count(t) for t in set(flat)}
    assert counts["Conv2d"] == 20 and counts["BatchNorm2d"] == 20 and counts["Add"] == 8
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    _same_outputs(result, model, torch.randn(2, 3, 64, 64))


def test_functional_calls_and_view_patterns_map_to_blocks() -> None:
    torch.manual_seed(1)
    model = FunctionalCNN()
    result = import_module(model, [((1, 1, 28, 28), "float")])
    types = _types(result)
    for block in ("Concatenate", "Multiply", "Sigmoid", "MaxPool2d", "AvgPool2d", "Reshape"):
        assert block in types
    assert "Softmax" in types and "Dropout" in types
    _same_outputs(result, model, torch.randn(4, 1, 28, 28))


def test_recurrent_states_and_last_step() -> None:
    torch.manual_seed(2)
    model = LSTMTagger()
    result = import_module(model, [((1, 12), "long")])
    lstm = next(n for n in result.diagram.nodes.values() if n.type == "LSTM")
    assert lstm.params["num_layers"] == 2 and lstm.params["output"] == "sequence"
    assert "SequencePool" in _types(result) and _types(result).count("Output") == 2
    h_wires = [e for e in result.diagram.edges if e.source == lstm.id and e.source_port == "h"]
    assert len(h_wires) == 1  # h[-1] is the block's h port
    _same_outputs(result, model, torch.randint(0, 50, (3, 12)))


def test_attention_and_transformer_encoder() -> None:
    torch.manual_seed(3)
    model = TinyTransformer()
    result = import_module(model, [((1, 10, 6), "float")])
    types = _types(result)
    assert {"SelfAttention", "TransformerEncoder", "LayerNorm", "SequencePool"} <= set(types)
    encoder = next(n for n in result.diagram.nodes.values() if n.type == "TransformerEncoder")
    assert encoder.params["num_layers"] == 2 and encoder.params["nhead"] == 4
    assert result.parameter_count == sum(p.numel() for p in model.parameters())


def test_unmapped_operations_are_all_listed_with_their_source_line() -> None:
    with pytest.raises(UnmappedError) as info:
        import_module(Unsupported())
    problems = info.value.problems
    assert len(problems) == 2
    zoo = Path(__file__).with_name("zoo.py").read_text().splitlines()
    for problem, code in zip(problems, ("* 2.0", "F.pad"), strict=True):
        line = int(problem.where.split("zoo.py:")[1].rstrip(")"))
        assert code in zoo[line - 1]
    assert "constant 2.0" in problems[0].reason
    assert "torch.nn.functional.pad" in problems[1].reason


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.py"
    path.write_text(text)
    return path


def test_module_file_with_args(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "from torch import nn\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, width, classes=3):\n"
        "        super().__init__()\n"
        "        self.a = nn.Linear(5, width)\n"
        "        self.b = nn.Linear(width, classes)\n"
        "    def forward(self, x):\n"
        "        return self.b(self.a(x).relu())\n",
    )
    result = import_path(f"{path}:Net", args_json='{"width": 7}')
    assert result.parameter_count == 5 * 7 + 7 + 7 * 3 + 3
    assert "TabularInput" in _types(result)  # guessed from the first Linear


@pytest.mark.parametrize(
    ("source", "args", "shape", "expected"),
    [
        ("raise ValueError('boom')\n", None, None, "ValueError: boom (at model.py:1)"),
        ("def broken(:\n", None, None, "SyntaxError"),
        ("x = 1\n", None, None, "no nn.Module class named 'Net'"),
        (
            "from torch import nn\nclass Net(nn.Module):\n    def __init__(self, n):\n"
            "        super().__init__()\n",
            "[1, 2, 3]",
            None,
            "creating the model failed",
        ),
        (
            "from torch import nn\nclass Net(nn.Module):\n    def forward(self, x):\n"
            "        if x.sum() > 0:\n            return x\n        return -x\n",
            None,
            "1x4",
            "cannot trace",
        ),
        ("from torch import nn\nclass Net(nn.Module):\n    pass\n", "{bad", None, "not valid JSON"),
        (
            "from torch import nn\nclass Net(nn.Conv2d):\n    pass\n",
            "[3, 4, 3]",
            None,
            "--input-shape",
        ),
        ("from torch import nn\nclass Net(nn.Module):\n    pass\n", None, "3x", "not like"),
    ],
)
def test_bad_modules_end_in_one_clear_message(
    tmp_path: Path, source: str, args: str | None, shape: str | None, expected: str
) -> None:
    path = _write(tmp_path, source)
    with pytest.raises(ModelImportError) as info:
        import_path(f"{path}:Net", args_json=args, input_shape=shape)
    assert expected in info.value.details()


def test_input_shapes_parse() -> None:
    assert parse_input_shapes("1x3x32x32, 2x16:long") == [
        ((1, 3, 32, 32), "float"),
        ((2, 16), "long"),
    ]
    with pytest.raises(ModelImportError):
        parse_input_shapes("1x0x3")


def test_exported_python_code_imports_back(tmp_path: Path) -> None:
    """`export-code` output (NetBuilder's own layers, copied) becomes the same diagram."""
    from netbuilder.core.codegen import class_name_for, generate_code
    from netbuilder.core.io import load
    from netbuilder.resources import EXAMPLES_DIR

    for name in ("small_resnet", "lstm_sequence_classifier", "transformer_text_classifier"):
        diagram = load(EXAMPLES_DIR / f"{name}.nbd")
        path = tmp_path / f"{name}.py"
        path.write_text(generate_code(diagram))
        result = import_path(f"{path}:{class_name_for(diagram)}")
        before = sorted(n.type for n in diagram.nodes.values())
        assert _types(result) == before, name
        assert result.parameter_count == check(diagram).total_params


class WithScale(torch.nn.Module):
    """A parameter used directly and a pad: neither has a block."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(4, 4)
        self.scale = torch.nn.Parameter(torch.randn(4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.pad(self.fc(x) * self.scale, (1, 1))


def test_allow_opaque_keeps_marked_python_ops(monkeypatch: pytest.MonkeyPatch) -> None:
    from netbuilder.core.blocks import CATEGORIES, IMPORT_ONLY_CATEGORIES, opaque
    from netbuilder.core.codegen import generate_code
    from netbuilder.core.compile import CompileError

    torch.manual_seed(5)
    model = WithScale()
    with pytest.raises(UnmappedError):
        import_module(model)
    result = import_module(model, allow_opaque=True)
    ops = [n for n in result.diagram.nodes.values() if n.type == "PythonOp"]
    assert len(ops) == 2 and "at test_pytorch_import.py:" in ops[1].params["op"]
    assert result.parameter_count == 24  # the Linear and the scale kept inside its op
    assert any(k.endswith("op.scale") for k in result.state_dict)
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    assert "Python ops" in result.notes[0]
    analysis = check(result.diagram)
    pad = next(n for n in ops if "pad" in n.params["op"])
    assert analysis.nodes[pad.id].outputs["out"].shape == (6,)  # worked out on the meta device
    with pytest.raises(CompileError, match="needs the original module"):
        generate_code(result.diagram)
    assert not set(IMPORT_ONLY_CATEGORIES) & set(CATEGORIES)  # never in the palette
    # a shape the original cannot take is an error on that block, found on the meta device
    fc = next(n for n in result.diagram.nodes.values() if n.type == "Linear")
    edited = result.diagram.copy()
    edited.set_param(fc.id, "out_features", 5)
    mul = next(n for n in ops if "mul" in n.params["op"])
    assert any("fails on these inputs" in d.message for d in check(edited).for_node(mul.id))
    # another session: the original code is gone, and the block says what to do
    monkeypatch.setattr(opaque, "OPAQUE_OPS", {})
    monkeypatch.setattr(opaque, "_META", {})
    fresh = result.diagram.copy()
    fresh.set_param(pad.id, "op", pad.params["op"] + " ")  # a fresh check, not the cache
    problems = check(fresh).for_node(pad.id)
    assert problems and "needs the original module" in problems[0].message


def test_module_classes_are_read_without_running_the_file(tmp_path) -> None:
    from netbuilder.importers.user_code import module_classes

    source = tmp_path / "model.py"
    source.write_text(
        "import torch\n"
        "from torch import nn\n"
        "raise SystemExit('running this file is not allowed')\n"
        "class Helper:\n    pass\n"
        "class Block(nn.Module):\n    pass\n"
        "class Deeper(Block):\n    pass\n"
        "class Stack(torch.nn.Sequential):\n    pass\n"
        "class Net(nn.Module):\n    pass\n",
        encoding="utf-8",
    )
    assert module_classes(source) == ["Block", "Deeper", "Stack", "Net"]
    (tmp_path / "broken.py").write_text("class (:\n", encoding="utf-8")
    assert module_classes(tmp_path / "broken.py") == []
    assert module_classes(tmp_path / "missing.py") == []
