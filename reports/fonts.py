"""A font with Chinese glyphs for plots: without one, matplotlib draws empty boxes."""

from __future__ import annotations

from contextlib import suppress
from functools import cache
from pathlib import Path

from matplotlib import font_manager

# Families that carry CJK glyphs, most common first: Linux packages, macOS, Windows.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Microsoft YaHei", "SimHei", "Droid Sans Fallback",
)
INSTALL_HINT = (
    "no font with Chinese glyphs was found for the plots. Install one: on Debian/Ubuntu "
    "`apt-get install fonts-wqy-microhei` (the README's set-up does this), on Fedora "
    "`dnf install wqy-microhei-fonts`; macOS and Windows have one already"
)


class MissingCJKFont(RuntimeError):
    pass


@cache
def cjk_family() -> str:
    """The first installed CJK font family; raises :class:`MissingCJKFont` if there is none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    manager = font_manager.fontManager
    manager.__init__()  # a font installed after matplotlib built its cache
    installed = {f.name for f in manager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            _save_font_cache(manager)
            return family
    raise MissingCJKFont(INSTALL_HINT)


def _save_font_cache(manager: font_manager.FontManager) -> None:
    """Write the fonts just found to matplotlib's cache, where its next start reads them: else every
    process scans the system's fonts again (a fifth of a second here)."""
    import matplotlib as mpl

    with suppress(OSError):  # a cache folder that cannot be written: the next process scans again
        font_manager.json_dump(manager, Path(mpl.get_cachedir(), f"fontlist-v{manager.__version__}.json"))


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese text; returns the family used."""
    import matplotlib as mpl

    family = cjk_family()
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False
    return family
