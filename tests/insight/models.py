"""Diagrams for the insight tests and benchmarks, built with ``netbuilder.core.builder``."""

from __future__ import annotations

from netbuilder.core.builder import chain
from netbuilder.core.diagram import Diagram


def _conv(c: int, k: int, s: int, p: int) -> tuple[str, dict]:
    return (
        "Conv2d",
        {"out_channels": c, "kernel_size": k, "stride": s, "padding": p, "bias": False},
    )


def resnet18(size: int = 224, classes: int = 1000) -> Diagram:
    """He et al. 2016, ResNet-18 (torchvision's layout: BasicBlocks, 1×1 strided shortcuts)."""
    d = Diagram()
    x = chain(
        d,
        ("ImageInput", {"channels": 3, "height": size, "width": size}, "image"),
        (*_conv(64, 7, 2, 3), "stem_conv"),
        ("BatchNorm2d", {}, "stem_bn"),
        ("ReLU", {}, "stem_relu"),
        ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, "stem_pool"),
    )
    channels = 64
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            stride = 2 if stage > 1 and block == 0 else 1
            name = f"s{stage}b{block}"
            main = chain(
                d,
                (*_conv(width, 3, stride, 1), f"{name}_conv1"),
                ("BatchNorm2d", {}, f"{name}_bn1"),
                ("ReLU", {}, f"{name}_relu1"),
                (*_conv(width, 3, 1, 1), f"{name}_conv2"),
                ("BatchNorm2d", {}, f"{name}_bn2"),
                after=x,
            )
            shortcut = x
            if stride != 1 or width != channels:
                shortcut = chain(
                    d,
                    (*_conv(width, 1, stride, 0), f"{name}_down"),
                    ("BatchNorm2d", {}, f"{name}_down_bn"),
                    after=x,
                )
            add = d.add_node("Add", {}, node_id=f"{name}_add")
            d.connect(main, "out", add, "in1")
            d.connect(shortcut, "out", add, "in2")
            x = chain(d, ("ReLU", {}, f"{name}_relu2"), after=add)
            channels = width
    chain(
        d,
        ("GlobalAvgPool", {}, "gap"),
        ("Linear", {"out_features": classes}, "fc"),
        ("Output", {}, "logits"),
        after=x,
    )
    return d


def deep_mlp(blocks: int, width: int = 64) -> Diagram:
    """A plain stack of Linear/ReLU pairs (about ``blocks`` blocks)."""
    d = Diagram()
    steps: list = [("TabularInput", {"features": width}, "x")]
    for i in range(blocks // 2):
        steps += [("Linear", {"out_features": width}, f"fc{i}"), ("ReLU", {}, f"act{i}")]
    steps.append(("Output", {}, "out"))
    chain(d, *steps)
    return d
