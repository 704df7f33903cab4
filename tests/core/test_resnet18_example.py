"""The ResNet-18 example: built from sub-blocks, equal to a hand-written reference, trainable."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from netbuilder.core.codegen import generate_code
from netbuilder.core.compile import compile_diagram
from netbuilder.core.io import load
from netbuilder.core.shapes import check
from netbuilder.resources import EXAMPLES_DIR
from tests.core.test_cli import run_cli

EXAMPLE = EXAMPLES_DIR / "resnet18_cifar.nbd"


class RefBlock(nn.Module):
    """The CIFAR ResNet BasicBlock as usually written by hand (He et al. 2016, option B)."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class RefResNet18(nn.Module):
    """ResNet-18 for 32×32 inputs: 3×3 stem without max-pool, four stages of two blocks."""

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [RefBlock(cin, cout, stride), RefBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.layers(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(x.mean(dim=(2, 3)))


def test_resnet18_is_made_of_sub_blocks_and_matches_the_reference() -> None:
    d = load(EXAMPLE)
    assert set(d.definitions) == {"BasicBlock", "DownBlock"}
    assert sum(n.type == "BasicBlock" for n in d.nodes.values()) == 5
    assert sum(n.type == "DownBlock" for n in d.nodes.values()) == 3
    assert {"out_channels", "stride"} <= set(d.definitions["BasicBlock"].exposed)
    analysis = check(d)
    assert analysis.ok, analysis.diagnostics
    classes = d.nodes["fc"].params["out_features"]
    ref = RefResNet18(classes).eval()
    assert analysis.total_params == sum(p.numel() for p in ref.parameters()) == 11_171_910
    torch.manual_seed(0)
    model = compile_diagram(d).eval()
    assert "layer2_0.down_conv.weight" in model.state_dict()
    assert "layer4_1.conv2.weight" in model.state_dict()
    # same tensors in the same order: the reference's weights run in the compiled model
    ours, theirs = list(model.state_dict().items()), list(ref.state_dict().values())
    assert [tuple(v.shape) for _, v in ours] == [tuple(v.shape) for v in theirs]
    model.load_state_dict({k: v for (k, _), v in zip(ours, theirs, strict=True)})
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), ref(x), rtol=1e-4, atol=1e-5)


def test_generated_code_writes_each_block_once() -> None:
    source = generate_code(load(EXAMPLE))
    assert source.count("class BasicBlock(nn.Module)") == 1
    assert source.count("class DownBlock(nn.Module)") == 1
    assert source.count("= BasicBlock(") == 5 and source.count("= DownBlock(") == 3
    assert source.count("nn.Conv2d(") == 1 + 2 + 3, "stem + BasicBlock's two + DownBlock's three"


def test_cli_checks_exports_and_trains_it(tmp_path: Path) -> None:
    result = run_cli("check", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "11,171,910" in result.stdout
    code = tmp_path / "resnet.py"
    assert run_cli("export-code", str(EXAMPLE), "-o", str(code)).returncode == 0
    assert "class BasicBlock" in code.read_text("utf-8")
    png = tmp_path / "resnet.png"
    result = run_cli("render", str(EXAMPLE), "-o", str(png))
    assert result.returncode == 0 and png.stat().st_size > 0, result.stderr
    ckpt = tmp_path / "resnet.pt"
    result = run_cli(
        *("train", str(EXAMPLE), "--epochs", "1", "--batch-size", "8", "--device", "cpu"),
        *("--set", "size=24", "--out", str(ckpt), "--no-events", "-q"),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    state = torch.load(ckpt, weights_only=True)["state_dict"]
    assert "layer3_0.down_bn.running_mean" in state
