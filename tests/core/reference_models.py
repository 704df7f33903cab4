"""Hand-written PyTorch models and the same networks built as diagrams with the Python API.

The parity tests and ``benchmarks/bench_core.py`` both use these pairs: each hand-written
module is what a learner would type from a textbook, each diagram is built with
``netbuilder.core.builder.chain``. ``load_reference`` copies the reference's weights into the
compiled module through an explicit key mapping.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram

# --------------------------------------------------------------------------- LeNet-5


class LeNet5(nn.Module):
    """LeCun et al. 1998 with tanh and average pooling, on 1×32×32 images."""

    def __init__(self) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.s2 = nn.AvgPool2d(2)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.s4 = nn.AvgPool2d(2)
        self.c5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.f7 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.s2(torch.tanh(self.c1(x)))
        x = self.s4(torch.tanh(self.c3(x)))
        x = torch.tanh(self.c5(x.flatten(1)))
        return self.f7(torch.tanh(self.f6(x)))


def lenet5_diagram() -> Diagram:
    d = Diagram()
    chain(
        d,
        ("ImageInput", {"channels": 1, "height": 32, "width": 32}, "image"),
        ("Conv2d", {"out_channels": 6, "kernel_size": 5}, "c1"),
        "Tanh",
        ("AvgPool2d", {"kernel_size": 2}, "s2"),
        ("Conv2d", {"out_channels": 16, "kernel_size": 5}, "c3"),
        "Tanh",
        ("AvgPool2d", {"kernel_size": 2}, "s4"),
        "Flatten",
        ("Linear", {"out_features": 120}, "c5"),
        "Tanh",
        ("Linear", {"out_features": 84}, "f6"),
        "Tanh",
        ("Linear", {"out_features": 10}, "f7"),
        "Output",
    )
    return d


# --------------------------------------------------------------------------- ResNet


class BasicBlock(nn.Module):
    """Two 3×3 convolutions with a residual add; a 1×1 conv shortcut when the shape changes."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample: nn.Module | None = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.relu(out + shortcut)


class ResNet(nn.Module):
    """torchvision-style ResNet with BasicBlocks (ResNet-18 is ``widths=(64,128,256,512)``)."""

    def __init__(
        self,
        widths: tuple[int, ...] = (64, 128, 256, 512),
        blocks: int = 2,
        classes: int = 1000,
        in_channels: int = 3,
        stem_kernel: int = 7,
    ) -> None:
        super().__init__()
        w0 = widths[0]
        pad = stem_kernel // 2
        self.conv1 = nn.Conv2d(in_channels, w0, stem_kernel, 2, pad, bias=False)
        self.bn1 = nn.BatchNorm2d(w0)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = w0
        for i, w in enumerate(widths, start=1):
            layer = []
            for b in range(blocks):
                layer.append(BasicBlock(cin, w, 2 if (b == 0 and i > 1) else 1))
                cin = w
            setattr(self, f"layer{i}", nn.Sequential(*layer))
        self.n_layers = len(widths)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for i in range(1, self.n_layers + 1):
            x = getattr(self, f"layer{i}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet_diagram(
    widths: tuple[int, ...] = (64, 128, 256, 512),
    blocks: int = 2,
    classes: int = 1000,
    size: int = 224,
    in_channels: int = 3,
    stem_kernel: int = 7,
) -> Diagram:
    """The same ResNet as a diagram; node ids are the reference's module paths, '.' → '_'."""
    d = Diagram()
    conv = {"bias": False}
    bn = "BatchNorm2d"
    x = chain(
        d,
        ("ImageInput", {"channels": in_channels, "height": size, "width": size}, "image"),
        (
            "Conv2d",
            {
                **conv,
                "out_channels": widths[0],
                "kernel_size": stem_kernel,
                "stride": 2,
                "padding": stem_kernel // 2,
            },
            "conv1",
        ),
        (bn, {}, "bn1"),
        ("ReLU", {}, "relu"),
        ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, "maxpool"),
    )
    cin = widths[0]
    for i, w in enumerate(widths, start=1):
        for b in range(blocks):
            p = f"layer{i}_{b}"
            stride = 2 if (b == 0 and i > 1) else 1
            main = chain(
                d,
                (
                    "Conv2d",
                    {**conv, "out_channels": w, "stride": stride, "padding": 1},
                    f"{p}_conv1",
                ),
                (bn, {}, f"{p}_bn1"),
                ("ReLU", {}, f"{p}_relu1"),
                ("Conv2d", {**conv, "out_channels": w, "padding": 1}, f"{p}_conv2"),
                (bn, {}, f"{p}_bn2"),
                after=x,
            )
            shortcut = x
            if stride != 1 or cin != w:
                shortcut = chain(
                    d,
                    (
                        "Conv2d",
                        {**conv, "out_channels": w, "kernel_size": 1, "stride": stride},
                        f"{p}_downsample_0",
                    ),
                    (bn, {}, f"{p}_downsample_1"),
                    after=x,
                )
            add = d.add_node("Add", node_id=f"{p}_add")
            d.connect(main, "out", add, "in1")
            d.connect(shortcut, "out", add, "in2")
            x = chain(d, ("ReLU", {}, f"{p}_relu2"), after=add)
            cin = w
    chain(
        d,
        ("AdaptiveAvgPool2d", {"output_size": 1}, "avgpool"),
        ("Flatten", {}, "flatten"),
        ("Linear", {"out_features": classes}, "fc"),
        ("Output", {}, "logits"),
        after=x,
    )
    return d


# --------------------------------------------------------------------------- LSTM


class LSTMClassifier(nn.Module):
    """Sequence classifier: a stacked LSTM read at its last step, then a Linear."""

    def __init__(self, features: int = 8, hidden: int = 32, layers: int = 2, classes: int = 5):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, layers, batch_first=True, dropout=0.1)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def lstm_diagram(
    length: int = 20, features: int = 8, hidden: int = 32, layers: int = 2, classes: int = 5
) -> Diagram:
    d = Diagram()
    chain(
        d,
        ("SequenceInput", {"length": length, "features": features}, "signal"),
        ("LSTM", {"hidden_size": hidden, "num_layers": layers, "dropout": 0.1}, "lstm"),
        ("Linear", {"out_features": classes}, "fc"),
        "Output",
    )
    return d


# --------------------------------------------------------------------------- Transformer


class TransformerClassifier(nn.Module):
    """Token classifier: embedding + learned positions, an encoder stack, mean pooling."""

    def __init__(
        self,
        vocab: int = 100,
        length: int = 16,
        d_model: int = 32,
        nhead: int = 4,
        ff: int = 64,
        layers: int = 2,
        classes: int = 3,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(1, length, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, ff, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.fc = nn.Linear(d_model, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens) + self.pos[:, : tokens.shape[1]]
        return self.fc(self.encoder(x).mean(dim=1))


def transformer_diagram(
    vocab: int = 100,
    length: int = 16,
    d_model: int = 32,
    nhead: int = 4,
    ff: int = 64,
    layers: int = 2,
    classes: int = 3,
) -> Diagram:
    d = Diagram()
    chain(
        d,
        ("TokenInput", {"length": length, "vocab_size": vocab}, "tokens"),
        ("Embedding", {"embedding_dim": d_model}, "embed"),
        ("PositionalEncoding", {"kind": "learned"}, "pos"),
        (
            "TransformerEncoder",
            {"nhead": nhead, "num_layers": layers, "dim_feedforward": ff, "dropout": 0.1},
            "encoder",
        ),
        ("SequencePool", {"mode": "mean"}, "pool"),
        ("Linear", {"out_features": classes}, "fc"),
        "Output",
    )
    return d


# --------------------------------------------------------------------------- weights


def dotted_to_node(key: str) -> str:
    """``layer1.0.conv1.weight`` → ``layer1_0_conv1.weight`` (node ids use '_' for '.')."""
    module, _, leaf = key.rpartition(".")
    return f"{module.replace('.', '_')}.{leaf}" if module else leaf


TRANSFORMER_KEYS: dict[str, str] = {"pos": "pos.weight"}


def map_reference_keys(
    reference: nn.Module, mapping: Callable[[str], str] = dotted_to_node
) -> dict[str, torch.Tensor]:
    """The reference's state_dict under the compiled module's key names."""
    out = {}
    for key, value in reference.state_dict().items():
        out[TRANSFORMER_KEYS.get(key, mapping(key))] = value
    return out


def randomise_batchnorm(module: nn.Module, seed: int = 0) -> None:
    """Give BatchNorm layers non-trivial running stats, so eval-mode parity means something."""
    g = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d | nn.BatchNorm1d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
