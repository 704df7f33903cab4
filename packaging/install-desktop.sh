#!/usr/bin/env bash
# Shipped inside the bundled app's folder: adds NetBuilder to this user's application menu,
# with its icon, the .nbd file type and the software-centre metadata. Run it from anywhere;
# it points the menu entry at the folder it lives in (run it again after moving the folder).
set -euo pipefail
APP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
METAINFO=io.github.netbuilder.NetBuilder.metainfo.xml
mkdir -p "$DATA/applications"
sed -e "s|^Exec=netbuilder|Exec=\"$APP/netbuilder\"|" -e "s|^TryExec=netbuilder|TryExec=$APP/netbuilder|" \
    "$APP/share/applications/netbuilder.desktop" > "$DATA/applications/netbuilder.desktop"
install -Dm644 "$APP/share/icons/hicolor/scalable/apps/netbuilder.svg" \
    "$DATA/icons/hicolor/scalable/apps/netbuilder.svg"
install -Dm644 "$APP/share/metainfo/$METAINFO" "$DATA/metainfo/$METAINFO"
if command -v xdg-mime >/dev/null; then
    xdg-mime install --novendor "$APP/share/mime/packages/netbuilder.xml"
else
    install -Dm644 "$APP/share/mime/packages/netbuilder.xml" "$DATA/mime/packages/netbuilder.xml"
    command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
fi
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
echo "NetBuilder added to the application menu ($DATA/applications/netbuilder.desktop)"
