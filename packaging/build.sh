#!/usr/bin/env bash
# The bundled desktop app for people without Python: a one-folder PyInstaller build with the
# CPU build of torch, the icon, .desktop, MIME and AppStream files, a tarball, and
# `netbuilder --self-test` run on the frozen app (the build fails if it does not pass).
#
#   packaging/build.sh            -> packaging/dist/netbuilder/ and
#                                    packaging/dist/netbuilder-VERSION-linux-ARCH.tar.gz
#
# Environment (all optional):
#   PYTHON                  interpreter for the build venv (default: python3)
#   NETBUILDER_BUILD_VENV   build venv to make or reuse (default: packaging/build/venv)
#   NETBUILDER_TORCH        torch requirement (default: torch==2.13.0)
#   NETBUILDER_TORCH_INDEX  extra package index that serves a CPU-only torch wheel, for
#                           machines where the default index's torch is a CUDA build
#   NETBUILDER_BUNDLE_OUT   output folder (default: packaging/dist)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
PYTHON=${PYTHON:-python3}
WORK="$HERE/build"
VENV=${NETBUILDER_BUILD_VENV:-$WORK/venv}
TORCH=${NETBUILDER_TORCH:-torch==2.13.0}
OUT=${NETBUILDER_BUNDLE_OUT:-$HERE/dist}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/pyproject.toml")
TARBALL="netbuilder-$VERSION-linux-$(uname -m).tar.gz"
APP="$OUT/netbuilder"
DESKTOP="$REPO/resources/desktop"
METAINFO=io.github.netbuilder.NetBuilder.metainfo.xml
started=$(date +%s)

step() { printf '== %s\n' "$*"; }
fail() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

step "build environment: $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
if [ -n "${NETBUILDER_TORCH_INDEX:-}" ]; then
    "${pip[@]}" --extra-index-url "$NETBUILDER_TORCH_INDEX" "$TORCH"
else
    "${pip[@]}" "$TORCH"
fi
"$VENV/bin/python" -c 'import sys, torch
sys.exit(f"torch {torch.__version__} is a CUDA build; set NETBUILDER_TORCH_INDEX to an index '\
'with the CPU-only wheel" if torch.version.cuda else 0)'
# non-editable, like a user's install: resources/ becomes the package netbuilder.assets
"${pip[@]}" "pyinstaller>=6.10" "$REPO"

step "PyInstaller"
mkdir -p "$OUT"
rm -rf "$APP" "$OUT/$TARBALL"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$OUT" \
    --workpath "$WORK/pyinstaller" "$HERE/netbuilder.spec"
[ -x "$APP/netbuilder" ] || fail "PyInstaller made no $APP/netbuilder"

step "desktop files"
install -Dm644 "$DESKTOP/netbuilder.desktop" "$APP/share/applications/netbuilder.desktop"
install -Dm644 "$DESKTOP/netbuilder-mime.xml" "$APP/share/mime/packages/netbuilder.xml"
install -Dm644 "$DESKTOP/$METAINFO" "$APP/share/metainfo/$METAINFO"
install -Dm644 "$REPO/resources/icons/netbuilder.svg" \
    "$APP/share/icons/hicolor/scalable/apps/netbuilder.svg"
install -m755 "$HERE/install-desktop.sh" "$APP/install-desktop.sh"
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net --strict "$APP/share/metainfo/$METAINFO" >/dev/null \
        || fail "AppStream metainfo does not validate"
fi

step "no CUDA in the bundle"
cuda=$(find "$APP" \( -name 'libcuda*' -o -name 'libcudnn*' -o -name 'libcublas*' \
    -o -name 'libnccl*' -o -name 'libcudart*' \) -print -quit)
[ -z "$cuda" ] || fail "the bundle contains CUDA libraries ($cuda)"
[ -e "$APP/_internal/libxcb-cursor.so.0" ] \
    || echo "note: libxcb-cursor.so.0 not bundled (install libxcb-cursor0 to bundle it);" \
        "users then need it on their system for the window"

step "self-test of the frozen app"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && env -u DISPLAY -u WAYLAND_DISPLAY HOME="$scratch" QT_QPA_PLATFORM=offscreen \
    "$APP/netbuilder" --self-test) || fail "the frozen app failed its self-test"

step "tarball"
tar -C "$OUT" -czf "$OUT/$TARBALL" netbuilder
elapsed=$(($(date +%s) - started))
printf 'built %s (%s unpacked, %s packed) in %d min %d s\n' "$OUT/$TARBALL" \
    "$(du -sh "$APP" | cut -f1)" "$(du -sh "$OUT/$TARBALL" | cut -f1)" \
    $((elapsed / 60)) $((elapsed % 60))
