"""A non-developer's install: sdist → wheel → fresh venv, no checkout on the path.

Builds the sdist from this repository, the wheel from that sdist (so both are shown to
carry everything), installs the wheel non-editable into a new virtual environment and runs
``netbuilder check`` on a bundled example and the GUI's Examples menu offscreen from there.
The new venv reuses the running interpreter's installed dependencies (torch, PySide6, …)
through a plain path entry, which does not activate the editable install of the checkout;
the test asserts that NetBuilder and its resources really come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK_SCRIPT = Path(__file__).with_name("installed_app_check.py")

pytestmark = pytest.mark.timeout(600)


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH to the checkout; settings and recovery folders in a temporary home."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        QT_QPA_PLATFORM="offscreen",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        OMP_NUM_THREADS="1",
    )
    (home / "runtime").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def _fresh_venv(where: Path) -> Path:
    """A new venv with pip, whose sys.path ends with this interpreter's site-packages."""
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    python = where / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    ours |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    ours.discard(str(REPO))
    # a plain path line: those folders' own .pth files (the checkout's editable finder) stay off
    (Path(site) / "zz_reuse_installed_dependencies.pth").write_text(
        "\n".join(sorted(ours)) + "\n", encoding="utf-8"
    )
    return python


def test_wheel_from_sdist_installs_and_runs_with_its_bundled_files(tmp_path: Path) -> None:
    env = _clean_env(tmp_path / "home")
    dist = tmp_path / "dist"
    dist.mkdir()
    python = _fresh_venv(tmp_path / "venv")
    _run([python, "-m", "pip", "install", "-q", "setuptools>=68"], tmp_path, env)

    # sdist, with the same PEP 517 hook `python -m build --sdist` calls
    hook = f"from setuptools import build_meta as b; print(b.build_sdist({str(dist)!r}))"
    sdist = dist / _run([python, "-c", hook], REPO, env).strip().splitlines()[-1]
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in (
        "setup.py",
        "resources/__init__.py",
        "resources/examples/cnn_image_classifier.nbd",
        "resources/samples/seed_cnnmodel.nbd",
        "resources/icons/netbuilder.svg",
        "resources/desktop/netbuilder.desktop",
        "resources/desktop/netbuilder-mime.xml",
        "resources/desktop/io.github.netbuilder.NetBuilder.metainfo.xml",
        "docs/guide.zh_CN.md",
        "resources/translations/netbuilder_core_zh_CN.po",
        "resources/translations/netbuilder_core_zh_CN.mo",
        "resources/translations/netbuilder_zh_CN.ts",
        "resources/translations/netbuilder_zh_CN.qm",
        "resources/translations/netbuilder_en.qm",
        "packaging/build.sh",
    ):
        assert needed in names, f"the sdist lacks {needed}"

    # the wheel, built from the sdist alone
    pip_wheel = ["pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist)]
    _run([python, "-m", *pip_wheel, str(sdist)], tmp_path, env)
    wheel = next(dist.glob("netbuilder-*.whl"))
    _run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], tmp_path, env)

    report = json.loads(_run([python, str(CHECK_SCRIPT)], tmp_path, env).strip().splitlines()[-1])
    site = tmp_path / "venv"
    assert Path(report["package"]).is_relative_to(site), report["package"]
    assert Path(report["resources"]).is_relative_to(site), report["resources"]
    checkout_examples = sorted(p.name for p in (REPO / "resources/examples").glob("*.nbd"))
    assert [Path(p).name for p in report["examples"]] == checkout_examples
    assert report["samples"] == ["seed_cnnmodel.nbd"]
    assert "netbuilder.svg" in report["icons"] and report["icon_ok"]
    assert set(report["desktop"]) >= {
        "netbuilder.desktop",
        "netbuilder-mime.xml",
        "io.github.netbuilder.NetBuilder.metainfo.xml",
    }
    assert report["menu"] == report["titles"]
    assert all(n > 0 for n in report["opened"].values()), report["opened"]
    assert Path(report["qm"]).is_relative_to(site) and report["qm_loaded"], report["qm"]
    assert report["zh_file_menu"] == "文件(&F)"
    assert "screenshots" not in {Path(p).name for p in Path(report["resources"]).iterdir()}

    # the console script, on a bundled example (exit 0) and the bundled broken sample (exit 1)
    netbuilder = str(python.with_name("netbuilder"))
    example = next(p for p in report["examples"] if p.endswith("small_resnet.nbd"))
    out = _run([netbuilder, "check", example], tmp_path, env)
    assert "total" in out.lower() and "error" not in out.lower()
    sample = str(Path(report["resources"]) / "samples" / "seed_cnnmodel.nbd")
    bad = subprocess.run([netbuilder, "check", sample], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "401408" in bad.stdout + bad.stderr
    # the core's Chinese catalogue came with the wheel: the same problem, in Chinese
    zh = [netbuilder, "--lang", "zh_CN", "check", sample]
    bad_zh = subprocess.run(zh, env=env, capture_output=True, text=True)
    assert bad_zh.returncode == 1, bad_zh.stderr
    assert "Linear（全连接层）期望 401408 个输入特征，但收到 128 个" in bad_zh.stdout
    shutil.rmtree(tmp_path / "venv", ignore_errors=True)
