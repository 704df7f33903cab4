"""The full desktop build: ``packaging/build.sh`` end to end (PyInstaller, self-test, tarball).

Takes many minutes and gigabytes, so it runs only when asked: ``NETBUILDER_TEST_BUNDLE=1``
(``.ci/run`` passes the environment through). ``NETBUILDER_BUILD_VENV`` reuses a build venv.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

BUILD = Path(__file__).resolve().parents[2] / "packaging" / "build.sh"

pytestmark = [
    pytest.mark.bundle,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(
        os.environ.get("NETBUILDER_TEST_BUNDLE") != "1",
        reason="full PyInstaller build; set NETBUILDER_TEST_BUNDLE=1 to run it",
    ),
]


def test_build_sh_makes_a_bundle_that_passes_its_self_test(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    env = {**os.environ, "NETBUILDER_BUNDLE_OUT": str(out)}
    done = subprocess.run(["bash", str(BUILD)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "self-test: passed" in done.stdout
    tarball = next(out.glob("netbuilder-*-linux-*.tar.gz"))
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    for needed in (
        "netbuilder/netbuilder",
        "netbuilder/install-desktop.sh",
        "netbuilder/share/applications/netbuilder.desktop",
        "netbuilder/share/metainfo/io.github.netbuilder.NetBuilder.metainfo.xml",
        "netbuilder/share/icons/hicolor/scalable/apps/netbuilder.svg",
        "netbuilder/_internal/netbuilder/assets/examples/lenet5.nbd",
    ):
        assert needed in names, needed
    assert not [n for n in names if "libcudnn" in n or "libcublas" in n or "libnccl" in n]
    app = out / "netbuilder" / "netbuilder"
    example = out / "netbuilder/_internal/netbuilder/assets/examples/small_resnet.nbd"
    check = subprocess.run([str(app), "check", str(example)], capture_output=True, text=True)
    assert check.returncode == 0 and "total parameters" in check.stdout
