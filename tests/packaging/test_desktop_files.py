"""The desktop entry, MIME type and AppStream metadata agree with each other and the app."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from netbuilder.resources import DESKTOP_DIR, ICONS_DIR

DESKTOP = DESKTOP_DIR / "netbuilder.desktop"
MIME = DESKTOP_DIR / "netbuilder-mime.xml"
METAINFO = DESKTOP_DIR / "io.github.netbuilder.NetBuilder.metainfo.xml"


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_console_script_with_the_bundled_icon():
    entry = _entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "netbuilder"
    assert (ICONS_DIR / f"{entry['Icon']}.svg").is_file()
    assert entry["StartupWMClass"] == "netbuilder"  # QGuiApplication.setDesktopFileName
    assert entry["Comment[zh_CN]"]


def test_mime_type_is_the_one_the_desktop_entry_and_metainfo_declare():
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    mime = ET.parse(MIME).getroot().find("m:mime-type", ns)
    assert mime is not None and mime.find("m:glob", ns).get("pattern") == "*.nbd"
    declared = mime.get("type")
    assert _entry()["MimeType"].rstrip(";") == declared
    meta = ET.parse(METAINFO).getroot()
    assert meta.findtext("provides/mediatype") == declared
    assert meta.findtext("provides/binary") == "netbuilder"
    assert meta.findtext("launchable") == DESKTOP.name


def test_metainfo_is_named_after_its_id_and_versioned_like_the_package():
    from netbuilder import __version__

    meta = ET.parse(METAINFO).getroot()
    assert METAINFO.name == f"{meta.findtext('id')}.metainfo.xml"
    assert meta.find("releases/release").get("version") == __version__


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli not installed")
def test_appstream_metainfo_validates():
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--strict", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed"
)
def test_desktop_entry_validates():
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
