"""The report of many runs as a planner reads it, in English and Chinese: each requirement's runs split
into met, late, missed and violated, the capability ratings across runs, the runs capped by a
critical failure, and colours that mean good and bad."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgba

import drillsim
from drillsim.many_runs import run_many
from drillsim.reports.batch import COLOURS, split_figure
from drillsim.reports.i18n import Translator
from drillsim.scoring.aggregate import CODES, Aggregator, RatingRule, shares, wilson
from drillsim.scoring.outcomes import Outcome
from drillsim.sim.engine import run_replication
from drillsim.sim.seeds import replication_seed
from drillsim.spec.errors import InputError
from tests.clirun import drillsim as cli
from tests.test_aar_catalogue import _marked

REPS = 40

# A tiny crafted batch: capability a holds R1 (weight 2, critical); capability b holds R2 (weight 3)
# and R3 (weight 0.25, critical). Five runs, by hand (credit: met 1, late 0.5, else 0; bands 0.9/0.7/0.4):
#   run 0: R1 met,    R2 met,      R3 met      -> a P,   b P                    score 100
#   run 1: R1 late,   R2 violated, R3 met      -> a M,   b U (0.25/3.25)        score 23.8, no critical failure
#   run 2: R1 late,   R2 met,      R3 met      -> a M,   b P                    score 81
#   run 3: R1 missed, R2 met,      R3 met      -> a U,   b P                    score 61.9 > 59: capped
#   run 4: R1 n/a,    R2 met,      R3 missed   -> a not rated, b M (P, but a critical failure)  92.3: capped
OUTCOMES = [["met", "met", "met"], ["late", "violated", "met"], ["late", "met", "met"], ["missed", "met", "met"],
            ["not_applicable", "met", "missed"]]
CREDIT = {"met": 1.0, "late": 0.5}
RULE = RatingRule(capabilities=(("a", "甲"), ("b", "乙")),
                  member=np.array([[True, False], [False, True], [False, True]]),
                  weight=np.array([2.0, 3.0, 0.25]), critical=np.array([True, False, True]),
                  bands=(0.9, 0.7, 0.4), critical_cap=59.0)


def _crafted() -> dict:
    agg = Aggregator(["R1", "R2", "R3"], ratings=RULE)
    outcome = np.array([[CODES[Outcome(o)] for o in row] for row in OUTCOMES], dtype=np.int8)
    credit = np.array([[CREDIT.get(o, 0.0) for o in row] for row in OUTCOMES], dtype=np.float32)
    latency = np.full(outcome.shape, np.nan)
    score = np.array([100, 23.8, 81, 59, 59.0])
    for rows in (slice(0, 2), slice(2, 5)):  # in two chunks, as the batch hands them on
        agg.add(np.arange(5)[rows], outcome[rows], latency[rows], score[rows], credit[rows])
    return agg.summary()


def test_the_split_of_a_crafted_batch_adds_up_to_its_runs_and_matches_the_counts_by_hand():
    summary = _crafted()
    split = {r["id"]: shares(r["outcomes"], r["replications"]) for r in summary["requirements"]}
    runs = {rid: {k: v["runs"] for k, v in s.items() if v["runs"]} for rid, s in split.items()}
    assert runs == {"R1": {"met": 1, "late": 2, "missed": 1, "not_applicable": 1},
                    "R2": {"met": 4, "violated": 1}, "R3": {"met": 4, "missed": 1}}
    for s in split.values():
        assert sum(v["runs"] for v in s.values()) == 5
        assert sum(v["share"] for v in s.values()) == pytest.approx(1)
    assert split["R1"]["late"] == {"runs": 2, "share": 0.4, "ci95": [round(x, 6) for x in wilson(2, 5)]}


def test_the_ratings_across_a_crafted_batch_match_the_rule_by_hand():
    summary = _crafted()
    rated = {c["id"]: ({k: v["runs"] for k, v in c["ratings"].items()}, c["not_rated"])
             for c in summary["capabilities"]}
    assert rated == {"a": ({"P": 1, "S": 0, "M": 2, "U": 1}, 1), "b": ({"P": 3, "S": 0, "M": 1, "U": 1}, 0)}
    assert [c["name"] for c in summary["capabilities"]] == ["甲", "乙"]
    assert summary["capabilities"][1]["ratings"]["P"]["share"] == 0.6
    # runs 3 and 4 lost a critical requirement with more than 59 points; run 1 lost none, run 3's 61.9 was capped
    assert summary["capped_by_critical_failure"] == {"runs": 2, "share": 0.4,
                                                     "ci95": [round(x, 6) for x in wilson(2, 5)]}


def test_ratings_need_the_runs_credits():
    agg = Aggregator(["R1", "R2", "R3"], ratings=RULE)
    with pytest.raises(ValueError, match="credits"):
        agg.add(np.arange(1), np.zeros((1, 3), dtype=np.int8), np.zeros((1, 3)), np.zeros(1))


@pytest.fixture(scope="module")
def robbery():
    plan = drillsim.load_plan("counter-robbery")
    return plan, drillsim.load_scenario("armed-robbery-injured", plan)


@pytest.fixture(scope="module")
def written(robbery, tmp_path_factory) -> dict[str, tuple[dict, Path]]:
    made = {}
    for lang in ("en", "zh"):
        out = tmp_path_factory.mktemp(f"many-{lang}")
        made[lang] = (run_many(*robbery, REPS, 1, out, workers=1, examples=0, lang=lang).summary, out)
    return made


def test_the_capped_share_and_the_ratings_are_those_of_each_run_scored_alone(robbery, written):
    """Every run scored alone (scoring/rating.py's rule): its scorecard's cap and ratings are what the
    summary counts, so a change of the rule in one place and not the other fails here."""
    plan, scenario = robbery
    summary, _ = written["en"]
    model = drillsim.build(plan, scenario)
    cards = [drillsim.score(plan, run_replication(model, replication_seed(1, i))) for i in range(REPS)]
    capped = sum(card.capped for card in cards)
    assert 0 < capped < REPS  # the scenario has runs of both kinds
    assert summary["capped_by_critical_failure"]["runs"] == capped
    assert summary["capped_by_critical_failure"]["share"] == round(capped / REPS, 6)
    for i, cap in enumerate(summary["capabilities"]):
        ratings = [card.capabilities[i].rating for card in cards]
        assert {k: v["runs"] for k, v in cap["ratings"].items()} == {k: ratings.count(k) for k in "PSMU"}
        assert cap["not_rated"] == ratings.count(None)


def test_the_summary_keeps_its_keys_and_splits_every_requirement(written):
    summary, _ = written["en"]
    for r in summary["requirements"]:
        assert {"id", "replications", "applicable", "outcomes", "p_met", "p_met_ci95", "latency_min",
                "worst_late", "title", "kind", "critical"} < set(r)
        assert {k: v["runs"] for k, v in r["split"].items()} == r["outcomes"]
        assert sum(r["outcomes"].values()) == REPS


def _fragments(message: str) -> list[str]:
    """The words of a message between its fields, long enough not to occur by chance in a page."""
    return [text.strip() for text, *_ in string.Formatter().parse(message) if len(text.strip()) >= 12]


def test_the_chinese_report_has_chinese_headings_the_plans_names_and_no_english_words(written):
    summary, out = written["zh"]
    page = (out / "report.html").read_text("utf-8")
    assert '<html lang="zh-CN">' in page
    for heading in ("各项要求的结果分布: 达标、超时、未完成、违反", "各次模拟的能力评级", "用时与时限"):
        assert f"<h2>{heading}</h2>" in page
    assert "<h1>营业网点防抢劫应急预案</h1>" in page  # the plan's title without its English gloss
    assert "<td>按下110报警按钮</td>" in page and "silent alarm" not in page
    assert "<td>报警 <small>alarm</small></td>" in page  # a capability's name from the plan
    capped = summary["capped_by_critical_failure"]
    zh = Translator("zh")
    assert f"{capped['runs']} 次。" in page and zh.percent(capped["share"], 1) in page
    words = re.sub(r"<[^>]+>", " ", page)
    ours = [m for _, m in _marked() if m in _many_messages()]
    assert len(ours) > 20
    left = [f for m in ours for f in _fragments(m) if f in words]
    assert left == []
    english = (written["en"][1] / "report.html").read_text("utf-8")
    assert "How the runs of each requirement split" in english and "<td>按下110报警按钮 (silent alarm to 110 at once)" \
        in english


def _many_messages() -> set[str]:
    """The marked strings of the many-run report's template and module."""
    from babel.messages.extract import extract_from_file

    from tests.conftest import ROOT

    found = extract_from_file("jinja2", ROOT / "reports" / "templates" / "many.html.j2")
    found = [*found, *extract_from_file("python", ROOT / "reports" / "batch.py")]
    return {message for _, message, _, _ in found}


def _crafted_summary() -> dict:
    s = _crafted()
    for r, critical in zip(s["requirements"], (True, False, True), strict=True):
        r.update(title=f"要求{r['id']} (requirement {r['id']})", critical=critical,
                 split=shares(r["outcomes"], r["replications"]))
    return {"reps": 5, **s}


def test_met_is_drawn_green_missed_red_and_a_critical_requirement_by_its_mark_not_its_colour():
    fig = split_figure(_crafted_summary(), Translator("en"))
    ax = fig.axes[0]
    bars = {c.get_label(): c for c in ax.containers if c.get_label() in ("met", "late", "missed", "violated")}
    assert set(bars) == {"met", "late", "missed", "violated"}
    for word, colour in (("met", "#2e7d32"), ("late", "#ffa000"), ("missed", "#c62828")):
        assert {p.get_facecolor() for p in bars[word].patches} == {to_rgba(colour)}
    assert to_rgba(COLOURS[Outcome.VIOLATED])[:3] != to_rgba(COLOURS[Outcome.MET])[:3]
    widths = [p.get_width() for p in bars["met"].patches]
    assert widths == pytest.approx([0.2, 0.8, 0.8])  # R1 met once in 5 runs; R2 and R3 four times
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["R1 ★ 要求R1", "R2 要求R2", "R3 ★ 要求R3"]
    assert [t.get_text() for t in ax.get_legend().get_texts()][:4] == ["met", "late", "missed", "violated"]
    chinese = split_figure(_crafted_summary(), Translator("zh")).axes[0]
    assert [t.get_text() for t in chinese.get_legend().get_texts()][:4] == ["达标", "超时", "未完成", "违反"]
    assert "关键要求" in chinese.get_xlabel()


def test_the_reports_legend_gives_each_outcome_its_colour(written):
    page = (written["en"][1] / "report.html").read_text("utf-8")
    legend = re.search(r'<p class="legend">(.*?)</p>', page, re.S).group(1)
    swatches = dict(re.findall(r'<span class="swatch \w+" style="background: (#\w+)"></span>([^<]+)</span>', legend))
    assert swatches["#2e7d32"] == "met" and swatches["#c62828"] == "missed" and swatches["#ffa000"] == "late"
    assert swatches["#bdbdbd"] == "not applicable"


def test_the_command_line_writes_and_prints_in_chinese(tmp_path):
    ran = cli("run", "counter-robbery", "robbers-flee", "--reps", "6", "--seed", "2", "--workers", "1",
              "--examples", "0", "--lang", "zh", "--out", tmp_path / "zh")
    assert ran.code == 0, ran.text
    assert "各项要求的结果分布" in ran.out and "各次模拟的能力评级" in ran.out and "因关键要求未达标" in ran.out
    assert "达标" in ran.out and "replications" not in ran.out.split("report:")[0]
    assert 'lang="zh-CN"' in (tmp_path / "zh" / "report.html").read_text("utf-8")
    summary = json.loads((tmp_path / "zh" / "summary.json").read_text("utf-8"))
    assert summary["reps"] == 6 and "capped_by_critical_failure" in summary


@pytest.mark.parametrize("args, message", [
    (["--reps", "3", "--lang", "fr"], "error: --lang: 'fr' is not a language of the report; choose one of en, zh"),
    (["--lang", "zh"], "error: --lang: applies only to many replications (--reps N)"),
])
def test_a_bad_language_is_refused_before_anything_is_run(tmp_path, args, message):
    ran = cli("run", "counter-robbery", "robbers-flee", *args, "--out", tmp_path / "out")
    assert ran.code == 2 and message in ran.err
    assert not (tmp_path / "out").exists()


def test_the_python_api_refuses_a_bad_language_before_running(robbery, tmp_path):
    with pytest.raises(InputError, match="--lang: 'de' is not a language"):
        run_many(*robbery, 3, 1, tmp_path / "out", workers=1, lang="de")
    assert not (tmp_path / "out").exists()
    runs = drillsim.replicate(*robbery, reps=3, seed=1)
    with pytest.raises(InputError, match="--lang"):
        runs.write(tmp_path / "api", lang="de")
    written = runs.write(tmp_path / "api", examples=0, lang="zh")
    assert "各次模拟的能力评级" in written.files["report"].read_text("utf-8")
