"""Every command in the user guide (English and Chinese) runs, in order, in an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.markdown_blocks import DOCS, fenced_blocks

ENGLISH = DOCS / "guide.md"
CHINESE = DOCS / "guide.zh_CN.md"
SHELLS = ("bash", "sh", "shell", "console")

pytestmark = pytest.mark.timeout(900)


def test_both_guides_show_the_same_commands_in_the_same_order():
    english = [b.code for b in fenced_blocks(ENGLISH, SHELLS)]
    chinese = [b.code for b in fenced_blocks(CHINESE, SHELLS)]
    assert len(english) >= 8
    assert chinese == english, "guide.zh_CN.md must show exactly the commands of guide.md"


def test_the_chinese_guide_uses_the_seed_terms():
    text = CHINESE.read_text(encoding="utf-8")
    for term in ("卷积层", "池化层", "全连接层", "循环神经网络", "注意力", "损失函数", "学习率"):
        assert term in text, term


def test_the_guides_cover_every_topic_and_link_each_other():
    for guide, other in ((ENGLISH, CHINESE), (CHINESE, ENGLISH)):
        text = guide.read_text(encoding="utf-8")
        assert f"]({other.name})" in text
        assert text.count("\n## ") >= 6  # build, train, evaluate, export, recover, command line


def test_every_command_in_the_guide_runs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    work.mkdir()
    (home / "runtime").mkdir(parents=True, mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        QT_QPA_PLATFORM="offscreen",
        OMP_NUM_THREADS="1",
    )
    outputs: list[str] = []
    for block in fenced_blocks(ENGLISH, SHELLS):
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block.code],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (
            f"guide.md line {block.line}:\n{block.code}\nexit {done.returncode}\n"
            f"{done.stdout}\n{done.stderr}"
        )
        outputs.append(done.stdout)
    text = "\n".join(outputs)
    assert "total parameters: 61,706" in text and "OK" in text  # lenet5 checked
    assert "401408" in text and "exit code 1" in text  # the broken sample is caught
    assert "torch.Size([3, 10])" in text  # the .pt2 ran in plain PyTorch
    assert "self-test: passed" in text
    for name in (
        "lenet5.pt",
        "lenet5-more.pt",
        "lenet5.pt2",
        "lenet5.onnx",
        "lenet5_export/model.py",
        "lenet5_model.py",
        "lenet5.svg",
    ):
        assert (work / name).is_file(), name
