"""The After-Action Report: its sections in the chosen language, the evaluator's overrides beside the
proposal, honest coverage, the Improvement Plan, and a Chinese PDF whose every character has its glyph."""

from __future__ import annotations

import ctypes
import dataclasses
import datetime
import io
import math
import re
from html import unescape
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from fontTools.ttLib import TTFont
from openpyxl import load_workbook

import drillsim
from drillsim.model_check import Placement
from drillsim.reports.aar import aar_html, aar_writer, edge_observations, write_aar
from drillsim.reports.fonts import cjk_family
from drillsim.reports.i18n import Translator
from drillsim.reports.improvement_plan import BLANK_ROWS
from drillsim.scoring.evaluation import Evaluation, Exercise, Note, RatingOverride
from drillsim.scoring.outcomes import FAILURES, Outcome
from tests.conftest import make_log

EXERCISE = Exercise("城东支行防抢劫演练", datetime.date(2026, 3, 12), "城东支行营业室", "全流程, 含对外报告",
                    "持械抢劫, 一名客户受伤", ("张三", "李四"), ("王评估", "赵观察"))
OVERRIDE = RatingOverride("medical", "S", "大堂经理在120到达前已开始救护, 日志记录晚了", by="王评估")
NOTES = [Note("监控录像保存完好, 现场保护到位", by="赵观察")]
HEADINGS = {
    "en": ["Exercise overview", "Summary", "Capabilities", "Reports to outside bodies and people (call tree)",
           "Timeline of observed actions against their deadlines", "Escalation graph with observed latencies",
           "Improvement Plan", "Evaluators' notes"],
    "zh": ["演练概况", "评估摘要", "能力评级", "对外报告 (呼叫树)", "实测行动与时限对照时间线", "报告关系图及实测用时",
           "整改计划", "评估人员意见"],
}
FIGURES = {"timeline": "t.png", "escalation": "e.png"}


@pytest.fixture(scope="module")
def drill():
    plan = drillsim.load_plan("counter-robbery")
    log = drillsim.simulate(plan, drillsim.load_scenario("armed-robbery-injured", plan), seed=7)
    return plan, log, drillsim.score(plan, log)


@pytest.fixture(scope="module")
def written(drill, tmp_path_factory):
    """The report in English, written by the drill's writer, and in Chinese, by write_aar."""
    plan, log, card = drill
    en = tmp_path_factory.mktemp("aar-en")
    files = {"en": drillsim.write_drill(plan, log, card, en,
                                        writers=[aar_writer(EXERCISE, {"medical": OVERRIDE}, NOTES, "en")]).files}
    files["zh"] = write_aar(plan, log, Evaluation(card, EXERCISE, {"medical": OVERRIDE}, NOTES),
                            tmp_path_factory.mktemp("aar-zh"), lang="zh")
    return files


def _headings(html: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h2>(.*?)</h2>", html)]


def _pdf_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(path)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_has_its_sections_in_its_language_in_html_and_pdf(written, lang):
    files = written[lang]
    assert {k: p.name for k, p in files.items()} == {
        "aar_timeline": "aar-timeline.png", "aar_escalation": "aar-escalation.png", "aar_html": "aar.html",
        "aar_pdf": "aar.pdf", "improvement_plan": "improvement-plan.xlsx"}
    html = files["aar_html"].read_text("utf-8")
    assert _headings(html) == HEADINGS[lang]
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
    assert 'src="aar-timeline.png"' in html and 'src="aar-escalation.png"' in html
    text = _pdf_text(files["aar_pdf"])
    for heading in HEADINGS[lang]:
        assert heading in text
    assert ("2026年3月12日" if lang == "zh" else "12 March 2026") in text


def test_the_pdf_carries_both_figures(written):
    pdf = pdfium.PdfDocument(written["zh"]["aar_pdf"])
    images = sum(len(list(pdf[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))) for i in range(len(pdf)))
    assert images == 2


def _embedded_fonts(page) -> dict[str, tuple[bool, TTFont]]:
    """The fonts of a page's text, by their name in the PDF: whether embedded, and the embedded font itself."""
    fonts = {}
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        n = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        name = ctypes.create_string_buffer(n)
        pdfium_c.FPDFFont_GetBaseFontName(font, name, n)
        size = ctypes.c_size_t()
        pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
        data = (ctypes.c_uint8 * size.value)()
        pdfium_c.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
        fonts[name.value.decode()] = (bool(pdfium_c.FPDFFont_GetIsEmbedded(font)), TTFont(io.BytesIO(bytes(data))))
    return fonts


def _without_glyph(page) -> list[str]:
    """The characters of a page that no font embedded for it has a glyph for: drawn as .notdef, a box."""
    mapped = set()
    for _, font in _embedded_fonts(page).values():
        mapped |= set(font.getBestCmap() or {})
    return sorted({c for c in page.get_textpage().get_text_range() if not c.isspace() and ord(c) not in mapped})


def test_the_chinese_pdf_embeds_the_cjk_font_and_has_a_glyph_for_every_character(written):
    pdf = pdfium.PdfDocument(written["zh"]["aar_pdf"])
    text = _pdf_text(written["zh"]["aar_pdf"])
    for words in ("演练评估报告: 城东支行防抢劫演练", "网点负责人第一时间电话报告上级机构",
                  "大堂经理在120到达前已开始救护", "持械抢劫, 一名客户受伤"):
        assert words in text
    for i in range(len(pdf)):
        fonts = _embedded_fonts(pdf[i])
        assert fonts and all(embedded for embedded, _ in fonts.values())
        assert {font["name"].getDebugName(1) for _, font in fonts.values()} == {cjk_family()}
        assert _without_glyph(pdf[i]) == []


def test_a_character_the_font_lacks_is_found_by_the_glyph_check_and_drawn_as_a_box(tmp_path):
    from weasyprint import HTML

    family = cjk_family()
    page_of = {}
    for name, body in {"box": "演练\ue000", "glyphs": "演练口"}.items():
        HTML(string=f'<p style="font-family: \'{family}\'; font-size: 40px">{body}</p>').write_pdf(tmp_path / name)
        page_of[name] = pdfium.PdfDocument(tmp_path / name)[0]
    assert _without_glyph(page_of["box"]) == ["\ue000"] and _without_glyph(page_of["glyphs"]) == []
    # rendered, the missing character is the font's empty box: its ink is a thin outline, the glyph 口 is not
    inks = {}
    for name, page in page_of.items():
        bitmap = page.render(scale=2).to_pil().convert("L")
        left, bottom, right, top = page.get_textpage().get_charbox(2, loose=True)
        height = page.get_height()
        crop = bitmap.crop((int(left * 2), int((height - top) * 2), int(right * 2), int((height - bottom) * 2)))
        inks[name] = sum(crop.histogram()[:128])  # dark pixels
    assert 0 < inks["box"] < inks["glyphs"]


def test_an_override_is_shown_beside_the_proposed_rating_with_its_justification_and_who(written):
    for lang in ("en", "zh"):
        html = written[lang]["aar_html"].read_text("utf-8")
        section = html[html.index('id="capability-medical"'):]
        section = section[:section.index("</section>")]
        assert 'class="rating-M">M</b>' in section and 'class="rating-S">S</b>' in section
        assert OVERRIDE.justification in section and OVERRIDE.by in section
    assert "Justification" in written["en"]["aar_html"].read_text("utf-8")


def test_the_coverage_line_counts_the_requirements_nobody_observed(drill):
    plan, log, card = drill
    card = dataclasses.replace(card, results=[
        r._replace(outcome=Outcome.NOT_EVALUATED) if r.id in ("ROB-05", "ROB-17") else r
        for r in card.results])
    evaluation = Evaluation(card, EXERCISE)
    en = aar_html(plan, log, evaluation, Translator("en"), FIGURES)
    assert '<p class="coverage">15 of 17 requirements evaluated (88%); not evaluated: ROB-05, ROB-17</p>' in en
    zh = aar_html(plan, log, evaluation, Translator("zh"), FIGURES)
    assert '<p class="coverage">共 17 项要求, 已评估 15 项 (88%); 未评估: ROB-05, ROB-17</p>' in zh
    assert '<p class="not_evaluated">未评估: ROB-05</p>' in zh  # in its capability too
    full = aar_html(plan, log, Evaluation(drill[2], EXERCISE), Translator("en"), FIGURES)
    assert '<p class="coverage">17 of 17 requirements evaluated (100%)</p>' in full


def test_the_improvement_plan_has_one_row_per_failed_or_late_requirement(written, drill):
    card = drill[2]
    due = [r.id for r in card.results if r.outcome in FAILURES or r.outcome is Outcome.LATE]
    assert due == ["ROB-03", "ROB-04", "ROB-05", "ROB-12"]
    for lang, header, element in (("en", "Corrective action", "Training"), ("zh", "整改措施", "培训")):
        html = written[lang]["aar_html"].read_text("utf-8")
        rows = re.findall(r'<tr class="ip-row"><td>(ROB-\d+):', html)
        assert rows == due
        ws = load_workbook(written[lang]["improvement_plan"]).active
        assert ws.cell(1, 4).value == header
        rows = [row for row in ws.iter_rows(min_row=2, values_only=True) if any(row)]
        assert [row[0] for row in rows] == due
        assert all(value is None for row in rows for value in row[3:])  # for the evaluator to complete
        lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
        assert len(lists) == 1 and element in lists[0].formula1
        assert str(lists[0].sqref) == f"E2:E{1 + len(due) + BLANK_ROWS}"  # rows the evaluator adds have it too
    quote = next(r.quote for r in drill[0].requirements if r.id == "ROB-04")
    assert quote in load_workbook(written["zh"]["improvement_plan"]).active.cell(3, 3).value


def test_the_call_tree_shows_each_outside_report_reached_in_time_or_late(written):
    html = written["zh"]["aar_html"].read_text("utf-8")
    section = html[html.index('id="call-tree"'):html.index('id="timeline"')]
    statuses = re.findall(r'<td class="(in_time|late|not_reached|not_evaluated|pending)">([^<]+)</td>', section)
    assert statuses == [("in_time", "按时送达")] * 2 + [("late", "超时送达")] + [("in_time", "按时送达")] * 3
    assert "120急救" in section and "监管机构" in section


def test_the_drill_against_the_model_is_shown_when_placements_are_given(drill):
    plan, log, card = drill
    slow = Placement("ROB-10", 14.0, 0.88, 1000, 6.5, 2.0, 16.0, False)
    odd = dataclasses.replace(slow, requirement="ROB-04", percentile=0.995, unlikely=True)
    fast = dataclasses.replace(slow, requirement="ROB-03", observed=1.0, percentile=0.1)
    missed = Placement("ROB-05", math.inf, 0.99, 400, 3.0, 1.0, 6.0, True)
    en = aar_html(plan, log, Evaluation(card, EXERCISE), Translator("en"), FIGURES, [slow, odd, fast, missed])
    assert "<h2>The drill against the model</h2>" in en
    assert ("ROB-10 网点负责人第一时间电话报告上级机构 (branch head phones the upper office first) took 14 min: slower "
            "than 88% of 1000 simulated runs (median 6 min 30 s; 90% of runs between 2 min and 16 min)") in en
    assert "took 1 min: faster than 90% of 1000 simulated runs" in en
    assert "was missed: the model misses it in 2% of 400 runs" in en
    assert en.count("unlikely under the model") == 2 and '<li class="unlikely">ROB-04' in en
    zh = aar_html(plan, log, Evaluation(card, EXERCISE), Translator("zh"), FIGURES, [slow, fast])
    assert "<h2>演练与模型对比</h2>" in zh and "用时 14分钟: 慢于 1000 次模拟中的 88%" in zh
    assert "快于 1000 次模拟中的 90%" in zh
    assert "against the model" not in aar_html(plan, log, Evaluation(card, EXERCISE), Translator("en"), FIGURES)


def test_each_arc_of_the_escalation_graph_says_when_its_report_first_reached_the_role(robbery_plan):
    log = make_log((10, "inject", "robbers-enter"),
                   (12, "sent", "head-phone-office", "branch_head", "upper_office", "phone"),
                   (12.25, "received", "head-phone-office", "branch_head", "upper_office", "phone"),
                   (13, "sent", "report-head", "lobby_manager", "branch_head", "phone"),
                   (13.5, "unanswered", "report-head", "lobby_manager", "branch_head", "phone"),
                   (14, "sent", "report-head", "lobby_manager", "branch_head", "phone"))
    en, zh = (edge_observations(robbery_plan, log, Translator(lang)) for lang in ("en", "zh"))
    assert en == {"head-phone-office": "observed: reached at T+2 min 15 s",
                  "report-head": "observed: sent 2×, not reached"}
    assert zh["head-phone-office"] == "实测: 事发后 2分15秒 送达"
