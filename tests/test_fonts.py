"""Chinese text must render in plots: a missing glyph is a failure, not empty boxes."""

import warnings

from matplotlib.figure import Figure

from drillsim.reports.fonts import use_cjk_font


def test_chinese_glyphs_render_without_missing_glyph_warnings(tmp_path):
    use_cjk_font()
    fig = Figure()
    ax = fig.subplots()
    ax.set_title("营业网点防抢劫应急预案 临柜人员 网点负责人 上级应急处理办事机构")
    ax.set_yticks([0, 1], ["大堂经理-1", "110公安机关"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig.savefig(tmp_path / "zh.png")
    assert (tmp_path / "zh.png").stat().st_size > 0


def test_a_font_found_by_scanning_again_is_written_to_matplotlibs_cache(tmp_path, monkeypatch):
    """A CJK font installed after matplotlib cached its font list is found by scanning the system
    again; the list is then written to the cache, so that the next process need not scan."""
    import matplotlib as mpl
    from matplotlib import font_manager

    from drillsim.reports import fonts

    manager = font_manager.fontManager
    cjk = set(fonts.CJK_FAMILIES)
    monkeypatch.setattr(mpl, "get_cachedir", lambda: str(tmp_path))
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist if f.name not in cjk])  # a stale cache
    family = fonts.cjk_family.__wrapped__()
    cached = font_manager.json_load(tmp_path / f"fontlist-v{manager.__version__}.json")
    assert family in {f.name for f in cached.ttflist}
