"""The bundle's build script, spec and entry point agree with the repository (always run;
the full build is ``test_bundle_build.py``, run only when asked)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import signal
import subprocess
from importlib import resources
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
REPO = PACKAGING.parent
BUILD = PACKAGING / "build.sh"
SPEC = PACKAGING / "netbuilder.spec"
INSTALL = PACKAGING / "install-desktop.sh"


def _entry_module():
    spec = importlib.util.spec_from_file_location("netbuilder_app", PACKAGING / "netbuilder_app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("script", [BUILD, INSTALL])
def test_shell_scripts_parse_and_are_executable(script: Path):
    assert os.access(script, os.X_OK), f"{script.name} is not executable"
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_the_spec_names_an_entry_point_and_packages_that_exist():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    scripts = [s for s in strings if isinstance(s, str) and s.endswith(".py")]
    assert scripts == ["netbuilder_app.py"]
    assert (PACKAGING / scripts[0]).is_file()
    calls = {
        (n.func.id, n.args[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.args
        and isinstance(n.args[0], ast.Constant)
    }
    assert ("collect_data_files", "netbuilder.assets") in calls
    assert ("collect_submodules", "netbuilder") in calls
    assets = resources.files("netbuilder.assets")
    for folder in ("examples", "samples", "icons", "desktop"):
        assert any(assets.joinpath(folder).iterdir()), folder


def test_every_file_the_build_script_names_exists():
    text = BUILD.read_text(encoding="utf-8")
    metainfo = re.search(r"^METAINFO=(\S+)$", text, re.M).group(1)
    text = text.replace("$METAINFO", metainfo)
    named = [("$DESKTOP", REPO / "resources/desktop"), ("$REPO", REPO), ("$HERE", PACKAGING)]
    checked = 0
    for var, root in named:
        for rel in re.findall(re.escape(var) + r"/([\w./-]+)", text):
            if rel.startswith(("build", "dist")):
                continue
            assert (root / rel).exists(), f"build.sh names {var}/{rel}, which does not exist"
            checked += 1
    assert checked >= 7
    assert "--self-test" in text and "tar -C" in text


def test_the_entry_point_runs_the_cli_and_warns_only_on_x11_without_xcb_cursor(monkeypatch, capsys):
    app = _entry_module()
    monkeypatch.delenv("DISPLAY", raising=False)
    assert not app.xcb_cursor_missing()
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not app.xcb_cursor_missing()
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(app.ctypes.util, "find_library", lambda name: None)
    assert app.xcb_cursor_missing()
    monkeypatch.setattr(app.ctypes.util, "find_library", lambda name: f"lib{name}.so.0")
    assert not app.xcb_cursor_missing()
    monkeypatch.setattr("sys.argv", ["netbuilder", "--version"])
    # the entry point ends with cli.entry's late-Ctrl-C handler: keep it out of this process
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    assert app.main() == 0
    assert capsys.readouterr().out.startswith("netbuilder ")


def test_install_desktop_points_the_menu_entry_at_the_bundle(tmp_path: Path):
    """Lay out a bundle folder as build.sh does and install it into a temporary data home."""
    bundle = tmp_path / "NetBuilder app"
    desktop = REPO / "resources/desktop"
    files = {
        "share/applications/netbuilder.desktop": desktop / "netbuilder.desktop",
        "share/mime/packages/netbuilder.xml": desktop / "netbuilder-mime.xml",
        "share/metainfo/io.github.netbuilder.NetBuilder.metainfo.xml": desktop
        / "io.github.netbuilder.NetBuilder.metainfo.xml",
        "share/icons/hicolor/scalable/apps/netbuilder.svg": REPO / "resources/icons/netbuilder.svg",
        "install-desktop.sh": INSTALL,
    }
    for rel, source in files.items():
        (bundle / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, bundle / rel)
    data = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data), "HOME": str(tmp_path)}
    subprocess.run([str(bundle / "install-desktop.sh")], env=env, check=True, capture_output=True)
    entry = (data / "applications/netbuilder.desktop").read_text(encoding="utf-8")
    assert f'Exec="{bundle}/netbuilder" %F' in entry
    assert f"TryExec={bundle}/netbuilder" in entry
    assert (data / "icons/hicolor/scalable/apps/netbuilder.svg").is_file()
    assert (data / "metainfo/io.github.netbuilder.NetBuilder.metainfo.xml").is_file()
