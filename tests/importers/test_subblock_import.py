"""Repeated module calls come in as sub-block definitions with their uses (issue 14, item 3).

The ResNet-18 of the reference case has eight BasicBlock calls: five keep the identity
shortcut, three (layer2.0, layer3.0, layer4.0) add a 1×1 convolution to it, so an import
must give two definitions used 5× and 3×, with the channels as the setting that differs
between uses, the weights under nested keys, and the same outputs as the original.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
import torch
from torch import nn

from netbuilder.cli import main
from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.core.subblock_edits import flatten
from netbuilder.importers import import_path
from netbuilder.importers.pytorch import import_module
from tests.importers.zoo import ResNet18, randomise_norms

IMAGE = [((1, 3, 32, 32), "float")]


def _outputs_match(result, model: nn.Module, x: torch.Tensor) -> None:
    rebuilt = compile_diagram(result.diagram)
    rebuilt.load_state_dict(result.state_dict)  # strict: every key where the compiler puts it
    rebuilt.eval()
    model.eval()
    with torch.no_grad():
        mine, theirs = rebuilt(x), model(x)
    assert mine.shape == theirs.shape
    assert (mine - theirs).abs().max().item() <= 1e-5 * max(1.0, theirs.abs().max().item())


def _uses(diagram) -> Counter:
    return Counter(n.type for n in diagram.nodes.values() if n.type in diagram.definitions)


def _body_types(diagram, name: str) -> Counter:
    return Counter(n.type for n in diagram.definitions[name].body.nodes.values())


@pytest.fixture(scope="module")
def resnet():
    torch.manual_seed(0)
    model = randomise_norms(ResNet18()).eval()
    return model, import_module(model, IMAGE)


def test_resnet18_blocks_become_two_definitions(resnet) -> None:
    _, result = resnet
    d = result.diagram
    assert result.subblocks == {"BasicBlock": 5, "BasicBlock_downsample": 3}
    assert _uses(d) == {"BasicBlock": 5, "BasicBlock_downsample": 3}
    plain = _body_types(d, "BasicBlock")
    assert plain == {"Conv2d": 2, "BatchNorm2d": 2, "ReLU": 2, "Add": 1,
                     "SubInput": 1, "SubOutput": 1}  # fmt: skip
    down = _body_types(d, "BasicBlock_downsample")
    assert down["Conv2d"] == 3 and down["BatchNorm2d"] == 3 and down["Add"] == 1
    # the top level reads like the source: stem, eight blocks in order, head
    uses = [nid for nid, n in d.nodes.items() if n.type in d.definitions]
    assert uses == [f"layer{i}_{j}" for i in range(1, 5) for j in (0, 1)]
    assert [d.nodes[u].type for u in uses[2:]] == ["BasicBlock_downsample", "BasicBlock"] * 3
    # what differs between uses is exposed; what is common (strides) stays inside
    assert set(d.definitions["BasicBlock"].exposed) == {"out_channels"}
    assert [d.nodes[u].params["out_channels"] for u in uses] == [64, 64, 128, 128,
                                                                 256, 256, 512, 512]  # fmt: skip
    body = d.definitions["BasicBlock_downsample"].body
    assert body.nodes["conv1"].params["stride"] == 2
    assert body.nodes["downsample_0"].params["kernel_size"] == 1
    assert d.definitions["BasicBlock"].input_ports() == ("in",)
    assert d.definitions["BasicBlock"].output_ports() == ("out",)


def test_resnet18_weights_count_and_outputs(resnet) -> None:
    model, result = resnet
    assert result.parameter_count == 11_689_512
    assert check(flatten(result.diagram)).total_params == 11_689_512
    assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
    assert "layer2_0.downsample_0.weight" in result.state_dict
    assert torch.equal(
        result.state_dict["layer3_1.conv2.weight"], model.layer3[1].conv2.weight.detach()
    )
    _outputs_match(result, model, torch.randn(2, 3, 32, 32))


def test_resnet18_export_code_runs_with_the_imported_weights(resnet, tmp_path: Path) -> None:
    from netbuilder.core.codegen import generate_code

    model, result = resnet
    code = generate_code(result.diagram)
    assert code.count("class BasicBlock(") == 1 and "class BasicBlock_downsample(" in code
    path = tmp_path / "resnet_code.py"
    path.write_text(code)
    scope: dict = {"__name__": "resnet_code"}
    exec(compile(code, str(path), "exec"), scope)
    classes = [v for v in scope.values() if isinstance(v, type) and issubclass(v, nn.Module)]
    top = next(c for c in classes if c.__name__ not in result.diagram.definitions)
    net = top()
    net.load_state_dict(result.state_dict)
    x = torch.randn(2, 3, 32, 32)
    net.eval()
    with torch.no_grad():
        assert (net(x) - model(x)).abs().max().item() <= 1e-5 * max(1.0, model(x).abs().max())


def test_without_subblocks_the_same_network_stays_flat(resnet) -> None:
    model, grouped = resnet
    flat = import_module(model, IMAGE, subblocks=False)
    assert not flat.diagram.definitions and flat.subblocks == {}
    types = sorted(n.type for n in flat.diagram.nodes.values())
    assert types == sorted(n.type for n in flatten(grouped.diagram).nodes.values())
    assert flat.parameter_count == grouped.parameter_count


class Unit(nn.Module):
    def __init__(self, c: int, drop: bool = False) -> None:
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(0.1) if drop else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.conv(x))
        return self.drop(y) if self.drop is not None else y


class Stage(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.a = Unit(c)
        self.b = Unit(c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.b(self.a(x)) + x


class Nested(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 1)
        self.s1 = Stage(4)
        self.s2 = Stage(4)
        self.head = nn.Linear(4, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.s2(self.s1(self.stem(x)))
        return self.head(y.mean(dim=(2, 3)))


class Different(nn.Module):
    """Two calls of one class, wired differently (one has a dropout): nothing repeats."""

    def __init__(self) -> None:
        super().__init__()
        self.u1 = Unit(3)
        self.u2 = Unit(3, drop=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.u2(self.u1(x)).flatten(1)


def test_nested_classes_become_nested_definitions() -> None:
    torch.manual_seed(4)
    model = Nested().eval()
    result = import_module(model, [((1, 3, 8, 8), "float")])
    d = result.diagram
    assert result.subblocks == {"Unit": 4, "Stage": 2}
    assert _uses(d) == {"Stage": 2}
    assert _body_types(d, "Stage")["Unit"] == 2 and _body_types(d, "Stage")["Add"] == 1
    assert "s2.b.conv.weight" in result.state_dict
    assert torch.equal(result.state_dict["s2.b.conv.weight"], model.s2.b.conv.weight.detach())
    _outputs_match(result, model, torch.randn(3, 3, 8, 8))


def test_no_repetition_stays_flat() -> None:
    torch.manual_seed(5)
    model = Different().eval()
    result = import_module(model, [((1, 3, 4, 4), "float")])
    assert result.subblocks == {} and not result.diagram.definitions
    assert sorted(n.type for n in result.diagram.nodes.values()).count("Conv2d") == 2
    single = import_module(Stage(3).eval(), [((1, 3, 4, 4), "float")])
    assert single.subblocks == {"Unit": 2}  # the two Units inside repeat; the Stage is one


def test_exported_program_and_onnx_files_bring_their_repeats(resnet, tmp_path: Path) -> None:
    """torch.export keeps the module stack; torch's ONNX exporter its name scopes, and its
    legacy exporter module-path node names (``/layer1/layer1.0/conv1/Conv``)."""
    pytest.importorskip("onnxruntime")
    model, _ = resnet
    x = torch.randn(2, 3, 32, 32)
    batch = {0: torch.export.Dim("batch")}
    program = tmp_path / "resnet.pt2"
    torch.export.save(torch.export.export(model, (x,), dynamic_shapes=(batch,)), program)
    legacy = tmp_path / "legacy.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), str(legacy), dynamo=False, input_names=["x"],
                          dynamic_axes={"x": {0: "batch"}})  # fmt: skip
    for path, names in ((program, ("BasicBlock", "BasicBlock_downsample")),
                        (legacy, ("Block", "Block_downsample"))):  # fmt: skip
        result = import_path(str(path))
        assert result.subblocks == {names[0]: 5, names[1]: 3}, path.name
        assert result.max_abs_diff is not None and result.max_abs_diff <= 1e-5
        flat = import_path(str(path), subblocks=False)
        assert flat.subblocks == {} and not flat.diagram.definitions
        # (the ONNX exporter folds each BatchNorm into its convolution: fewer parameters)
        assert result.parameter_count == flat.parameter_count
    assert import_path(str(program)).parameter_count == 11_689_512


MODEL = """\
from torch import nn


class Unit(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.act = nn.Tanh()

    def forward(self, x):
        return self.act(self.fc(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.units = nn.Sequential(Unit(), Unit(), Unit())
        self.out = nn.Linear(6, 2)

    def forward(self, x):
        return self.out(self.units(x))
"""


def test_cli_makes_subblocks_and_no_subblocks_keeps_it_flat(tmp_path: Path, capsys) -> None:
    source = tmp_path / "model.py"
    source.write_text(MODEL)
    grouped, flat = tmp_path / "grouped.nbd", tmp_path / "flat.nbd"
    assert main(["import", f"{source}:Net", "-o", str(grouped)]) == 0
    out = capsys.readouterr().out
    assert "1 sub-block definition(s) made from repeated modules, 3 use(s): Unit ×3" in out
    d = load(grouped)
    assert list(d.definitions) == ["Unit"] and _uses(d) == {"Unit": 3}
    assert main(["import", f"{source}:Net", "--no-subblocks", "-o", str(flat)]) == 0
    assert "sub-block" not in capsys.readouterr().out
    f = load(flat)
    assert not f.definitions and sorted(n.type for n in f.nodes.values()).count("Linear") == 4
    assert check(d).total_params == check(f).total_params == 3 * 42 + 14
    # the weights written beside the diagram are keyed for its nested modules
    from netbuilder.train.checkpoint import load_checkpoint

    state = load_checkpoint(grouped.with_suffix(".pt")).state_dict
    assert "units_1.fc.weight" in state
    compile_diagram(d).load_state_dict(state)  # strict


def test_definition_bodies_and_the_top_level_are_laid_out(resnet) -> None:
    _, result = resnet
    for diagram in (result.diagram, result.diagram.definitions["BasicBlock"].body):
        positions = [n.position for n in diagram.nodes.values()]
        assert len(set(positions)) == len(positions)  # no two blocks on one spot
    body = result.diagram.definitions["BasicBlock"].body
    x = {nid: n.position[0] for nid, n in body.nodes.items()}
    assert x["in_port1"] < x["conv1"] < x["conv2"] < x["add"] < x["out_port1"]


def _chain_diagram(calls: int, leave_and_return: bool):
    """``calls`` × (Linear → [ReLU outside the call] → Linear), each pair one call of U."""
    from netbuilder.core.diagram import Diagram

    d = Diagram()
    prev = d.add_node("TabularInput", {"features": 4}, node_id="x")
    scopes, names = {}, {}
    for i in range(calls):
        a = d.add_node("Linear", {"out_features": 4}, node_id=f"u{i}_a")
        mid = d.add_node("ReLU", node_id=f"mid{i}")
        b = d.add_node("Linear", {"out_features": 4}, node_id=f"u{i}_b")
        d.connect(prev, "out", a, "in")
        d.connect(a, "out", mid, "in")
        d.connect(mid, "out", b, "in")
        inside = [a, b] if leave_and_return else [a, mid, b]
        for nid in inside:
            scopes[nid] = ((f"u.{i}", f"u.{i}", "U"),)
            names[nid] = f"u.{i}.{nid.split('_')[-1] if '_' in nid else 'act'}"
        prev = b
    out = d.add_node("Output", node_id="y")
    d.connect(prev, "out", out, "in")
    return d, scopes, names


def test_a_call_whose_wires_leave_and_come_back_is_not_grouped() -> None:
    from netbuilder.importers.repeats import group_repeats

    d, scopes, names = _chain_diagram(3, leave_and_return=True)
    assert group_repeats(d, scopes, names).uses == {}
    assert not d.definitions and len(d.nodes) == 11
    d, scopes, names = _chain_diagram(3, leave_and_return=False)
    made = group_repeats(d, scopes, names)
    assert made.uses == {"U": 3} and list(d.nodes) == ["x", "u_0", "u_1", "u_2", "y"]
    assert made.location["mid1"] == ("u_1", "act")  # inner ids from the source's names
    assert list(d.definitions["U"].body.nodes)[:3] == ["a", "act", "b"]
    assert check(d).ok
