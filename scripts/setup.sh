#!/usr/bin/env bash
# Set up drillsim on this machine: a virtual environment with the project and its test tools, and a
# font with Chinese glyphs for the plots. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.drillsim-installed

if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev]'
    touch "$stamp"
fi

# Plots need a CJK font; Debian's fonts-wqy-microhei is 1.6 MB (docs/decisions.md).
if ! .venv/bin/python -c "from drillsim.reports.fonts import cjk_family; cjk_family()" 2>/dev/null; then
    if command -v apt-get >/dev/null; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-wqy-microhei >/dev/null
    elif command -v dnf >/dev/null; then
        sudo dnf install -y wqy-microhei-fonts
    else
        echo "drillsim: install a font with Chinese glyphs (e.g. Noto Sans CJK SC) for the plots" >&2
        exit 1
    fi
fi
