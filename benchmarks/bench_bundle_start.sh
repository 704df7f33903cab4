#!/usr/bin/env bash
# Start-up time of the bundled app (packaging/build.sh) against the pip-installed
# `netbuilder` console script, same machine, same run: the command line (`--version`,
# `check`) and the time until the main window is mapped on a virtual X display.
#
#   benchmarks/bench_bundle_start.sh [BUNDLE_BINARY] [PIP_NETBUILDER]
#
# Needs xvfb-run and xdotool for the window rows. The first bundle row is the first start
# after the build (files partly in the page cache); later rows are warm starts.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP=${1:-$REPO/packaging/dist/netbuilder/netbuilder}
PIP=${2:-$(command -v netbuilder)}
EXAMPLE=$REPO/resources/examples/lenet5.nbd
RUNS=${RUNS:-3}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME=$scratch XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data

seconds() { # run "$@" once, print its wall time in seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

window() { # start the app on $EXAMPLE, print seconds until its window is mapped
    local start end pid
    start=$(date +%s.%N)
    QT_QPA_PLATFORM=xcb "$1" "$EXAMPLE" >/dev/null 2>&1 &
    pid=$!
    xdotool search --sync --onlyvisible --name "NetBuilder" >/dev/null
    end=$(date +%s.%N)
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "$end - $start" | bc
}

median() { tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

row() { # label, then a function and its arguments for bundle and for pip
    local label=$1 fn=$2 arg=$3 b=() p=()
    for _ in $(seq "$RUNS"); do
        b+=("$($fn "$APP" $arg)")
        p+=("$($fn "$PIP" $arg)")
    done
    local mb mp
    mb=$(echo "${b[*]}" | median)
    mp=$(echo "${p[*]}" | median)
    printf '| %s | %.2f s (first %.2f s) | %.2f s | %.2f |\n' "$label" "$mb" "${b[0]}" "$mp" \
        "$(echo "$mb / $mp" | bc -l)"
}

cli() { seconds "$1" $2; }
check() { seconds "$1" check "$EXAMPLE"; }
gui() { window "$1"; }

echo "| start-up ($RUNS runs, median) | bundle | pip install | ratio |"
echo "|---|---|---|---|"
row "netbuilder --version" cli --version
row "netbuilder check lenet5.nbd" check ""
if [ -n "${DISPLAY:-}" ] && command -v xdotool >/dev/null; then
    row "window mapped (lenet5.nbd)" gui ""
else
    echo "(no DISPLAY: run under xvfb-run -a for the window row)"
fi
