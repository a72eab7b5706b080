#!/usr/bin/env bash
# Set up drillsim on this machine: a virtual environment with the project and its test tools, a font
# with Chinese glyphs for plots and PDFs, and the PDF engine's libraries. Safe to run again: it only
# does what is missing.
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

# Plots and PDFs need a CJK font (Debian's fonts-wqy-microhei is 1.6 MB, docs/decisions.md); the PDF
# engine (WeasyPrint) needs Pango. Only what is missing is installed.
packages=()
.venv/bin/python -c "from drillsim.reports.fonts import cjk_family; cjk_family()" 2>/dev/null || packages+=(fonts-wqy-microhei)
.venv/bin/python -c "import weasyprint" 2>/dev/null || packages+=(libpango-1.0-0 libpangoft2-1.0-0)
# HarfBuzz-Subset embeds a font's glyphs in a PDF in a fraction of fontTools' time (WeasyPrint will require it)
.venv/bin/python -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('harfbuzz-subset'))" \
    || packages+=(libharfbuzz-subset0)
# The live console's browser tests drive Debian's chromium (Playwright never downloads a browser here)
command -v chromium >/dev/null || packages+=(chromium)
if [ ${#packages[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
    elif command -v dnf >/dev/null; then
        sudo dnf install -y wqy-microhei-fonts pango chromium
    else
        echo "drillsim: install a font with Chinese glyphs (e.g. Noto Sans CJK SC) Pango (for PDFs) and chromium (for the browser tests): ${packages[*]}" >&2
        exit 1
    fi
fi
