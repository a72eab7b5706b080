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
