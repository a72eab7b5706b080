"""The MSEL: each column derived from the plan and the scenario, the files the controllers get, the command."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

import drillsim
from drillsim.reports.i18n import Translator
from drillsim.reports.msel import COLUMNS, WIDTHS, describe_time, msel_rows, msel_words, write_msel
from drillsim.spec.distributions import Empirical, Exponential, Fixed, Lognormal, Triangular, Uniform
from drillsim.spec.errors import InputError
from drillsim.spec.scenario import Inject, parse_scenario
from drillsim.spec.yamlio import load_yaml
from tests.clirun import drillsim as run_cli
from tests.conftest import ROOT
from tests.test_plan_size import doubling


@pytest.fixture(scope="module")
def robbery():
    plan = drillsim.load_plan("counter-robbery")
    return plan, drillsim.load_scenario("armed-robbery-injured", plan)


@pytest.fixture(scope="module")
def outage():
    plan = drillsim.load_plan("power-outage")
    return plan, drillsim.load_scenario("power-outage-sudden-long", plan)


def by_inject(rows):
    return {r.inject: r for r in rows}


@pytest.mark.parametrize(("dist", "en", "zh"), [
    (Fixed((10.0,)), "10 min", "10 分钟"),
    (Fixed((0.5,)), "30 s", "30 秒"),
    (Uniform((5.0, 15.0)), "5–15 min (uniform)", "5–15 分钟 (均匀分布)"),
    (Uniform((120.0, 240.0)), "2–4 h (uniform)", "2–4 小时 (均匀分布)"),
    (Uniform((90.0, 150.0)), "1.5–2.5 h (uniform)", "1.5–2.5 小时 (均匀分布)"),
    (Uniform((100.0, 150.0)), "100–150 min (uniform)", "100–150 分钟 (均匀分布)"),
    (Triangular((60.0, 150.0, 400.0)), "60–400 min, most likely 150 (triangular)",
     "60–400 分钟, 最可能 150 (三角分布)"),
    (Exponential((5.0,)), "mean 5 min (exponential)", "平均 5 分钟 (指数分布)"),
    (Lognormal((2.5, 9.5)), "median 2.5 min, 90 % by 9.5 min (lognormal)",
     "中位数 2.5 分钟, 90 % 不超过 9.5 分钟 (对数正态分布)"),
    (Empirical((3.5, 4.0, 6.0)), "one of 3.5, 4, 6 min (empirical)", "取自 3.5, 4, 6 分钟 (经验分布)"),
    (Fixed((2880.0,)), "2 d", "2 天"),
])
def test_scenario_time_as_a_controller_reads_it(dist, en, zh):
    assert describe_time(dist, msel_words("en")) == en
    assert describe_time(dist, msel_words("zh")) == zh


def test_a_word_the_catalogue_holds_in_another_sense_keeps_the_msels_sense():
    en, zh = msel_words("en"), msel_words("zh")
    assert (en["title"], en["from"], en["to"]) == ("MSEL", "From", "To")  # the sense before "|" is not shown
    assert (zh["title"], zh["from"], zh["to"]) == ("MSEL", "发出方", "接收方")
    assert (Translator("zh")("MSEL"), Translator("zh")("From")) == ("主情景事件清单", "起算时间")  # live page's, AAR's


def test_a_row_per_inject_in_scenario_order_with_its_time(robbery):
    plan, sc = robbery
    rows = msel_rows(plan, sc)
    assert [(r.seq, r.inject) for r in rows] == [(i + 1, inj.id) for i, inj in enumerate(sc.injects)]
    first, injured = rows[0], rows[1]
    assert first.time == "60–400 min, most likely 150 (triangular) after start (10:00–15:40)"
    assert injured.time == "after inject robbers-enter + 0.5–3 min (uniform)"
    assert first.text == "两名持刀歹徒进入营业厅, 威胁柜台交出现金 [sets: 持械 = 是]"
    assert first.sender == "Controller (exercise control)"
    assert first.contingency is None


def test_expected_actions_name_roles_and_actions_as_the_plan_spells_them(robbery):
    plan, sc = robbery
    rows = by_inject(msel_rows(plan, sc))
    enter = rows["robbers-enter"].actions
    assert "现金柜员 (cash_teller): 现金入柜上锁 (lock_cash)" in enter
    assert "临柜人员 (teller): alarm-110 → 110公安机关 by 110报警按钮" in enter
    assert "网点负责人 (branch_head): 赶赴现场 (go_to_scene) (on learning of the incident)" in enter
    # conditions read on the facts known then: no explosive here, no level declared at the first inject
    assert not any("talk_down_robber" in a for a in enter)
    assert not any("(grade)" in a for a in enter)
    assert "上级应急处理办事机构 (upper_office): 定级 (grade)" in rows["customer-injured"].actions
    assert rows["customer-injured"].receivers == ("大堂经理 (lobby_manager)", "上级应急处理办事机构 (upper_office)")
    assert rows["robbers-enter"].delivery == ("observed on scene",)
    assert rows["customer-injured"].delivery == ("observed on scene", "in person, by the controller")


def test_requirements_served_by_each_inject(robbery):
    plan, sc = robbery
    rows = by_inject(msel_rows(plan, sc))
    assert rows["robbers-enter"].requirements == ("ROB-01", "ROB-02", "ROB-03", "ROB-10", "ROB-11", "ROB-13",
                                                  "ROB-15")
    assert rows["customer-injured"].requirements == ("ROB-04", "ROB-05", "ROB-14")
    assert rows["robbers-flee"].requirements == ("ROB-06", "ROB-14", "ROB-17")


def test_a_prohibition_a_triggered_duty_could_break_is_listed_when_it_holds():
    plan = drillsim.load_plan("counter-robbery")
    rows = msel_rows(plan, drillsim.load_scenario("explosive-robbery", plan))
    assert "ROB-07" in rows[0].requirements  # no audible alarm while there is an explosive
    assert "临柜人员 (teller): 耐心说服、周旋拖延 (talk_down_robber)" in rows[0].actions
    assert not any("sound_audible_alarm" in a for a in rows[0].actions)


def test_contingency_injects_are_marked_with_their_condition(outage):
    plan, sc = outage
    rows = by_inject(msel_rows(plan, sc))
    assert rows["restore-estimate"].contingency == "only if power_out (power_out: 停电)"
    assert rows["ups-exhausted"].contingency == "only if power_out (power_out: 停电)"
    assert rows["power-cut"].contingency is None and rows["power-restored"].contingency is None
    assert rows["ups-exhausted"].requirements == ("PO-14",)  # the order's second step is this inject
    assert "停电时有业务正在办理 = 80% chance" in rows["power-cut"].text
    later = sc.model_copy(update={"injects": (*sc.injects, Inject(id="generator-fails", after="ups-exhausted"))})
    assert by_inject(msel_rows(plan, later))["generator-fails"].contingency == "only if inject ups-exhausted happened"
    zh = by_inject(msel_rows(plan, sc, "zh"))
    assert zh["restore-estimate"].contingency == "仅当 power_out (power_out: 停电)"


def test_a_delayed_duty_keeps_its_condition_while_an_inject_to_come_may_change_it(outage):
    plan, sc = outage
    rows = by_inject(msel_rows(plan, sc))
    assert ("支行行长 (branch_head): 减少营业窗口 (reduce_counter_windows) (2 h later, if power_out and not planned)"
            in rows["power-cut"].actions)
    assert ("经办员 (teller): 来电后查询交易 (query_interrupted_transaction) (if in_flight)"
            in rows["power-restored"].actions)


def test_each_branch_learns_at_its_own_first_inject():
    plan = drillsim.load_plan("service-incidents")
    rows = by_inject(msel_rows(plan, drillsim.load_scenario("service-incidents-bank-run", plan)))
    assert rows["run-east"].receivers[-1] == "@ 城东支行营业室"
    assert rows["run-west"].receivers[-1] == "@ 城西支行营业室"
    for inject in ("run-east", "run-west", "run-south"):  # each branch's staff act on their own run
        assert "大堂经理 (lobby_manager): 疏导客户 (guide_customers)" in rows[inject].actions
    assert "大堂经理 (lobby_manager): 疏导客户 (guide_customers)" not in rows["cash-short-east"].actions


def test_files_for_the_controllers(robbery, tmp_path):
    plan, sc = robbery
    files = write_msel(plan, sc, tmp_path, lang="zh")
    assert files == {"html": tmp_path / "msel.html", "xlsx": tmp_path / "msel.xlsx"}
    html = files["html"].read_text("utf-8")
    assert html.count('<tr id="') == len(sc.injects)
    assert "现金柜员 (cash_teller): 现金入柜上锁 (lock_cash)" in html and "<th>预期行动</th>" in html
    sheet = load_workbook(files["xlsx"]).active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [
        "序号", "情景时间", "注入", "发出方", "接收方", "传递方式", "预期行动", "要求", "应变注入"]
    assert sheet.title == "MSEL" and "<h1>主情景事件清单</h1>" in html
    assert sheet.max_row == len(sc.injects) + 1
    assert [sheet.cell(row=1, column=i + 1).column_letter for i in range(len(COLUMNS))] == list("ABCDEFGHI")
    assert sheet.column_dimensions["G"].width == WIDTHS["actions"]
    assert all(cell.alignment.wrap_text for row in sheet.iter_rows() for cell in row)
    assert sheet["B3"].value == "注入 robbers-enter 之后 + 0.5–3 分钟 (均匀分布)"
    assert "现金柜员 (cash_teller): 现金入柜上锁 (lock_cash)" in sheet["G2"].value.split("\n")


def test_a_language_it_is_not_written_in_is_refused(robbery, tmp_path):
    with pytest.raises(InputError, match=r"^--lang: 'fr' is not a language of the report; choose one of en, zh$"):
        write_msel(*robbery, tmp_path, lang="fr")
    assert not list(tmp_path.iterdir())


def test_the_msel_command(tmp_path):
    out = tmp_path / "msel"
    ran = run_cli("msel", "power-outage", "power-outage-sudden-long", "--out", out)
    assert ran.code == 0, ran.text
    assert f"MSEL: {out / 'msel.html'}" in ran.out
    assert (out / "msel.xlsx").is_file()
    again = run_cli("msel", "power-outage", "power-outage-sudden-long", "--out", out)
    assert again.code == 2 and "holds the results of an earlier run (msel.html): add --force" in again.err
    forced = run_cli("msel", "power-outage", "power-outage-sudden-long", "--out", out, "--force", "--lang", "zh")
    assert forced.code == 0
    assert load_workbook(out / "msel.xlsx").active["A1"].value == "序号"


@pytest.mark.parametrize(("args", "message"), [
    (("no-such-plan", "power-outage-sudden-long"), "error: no-such-plan: no such file, and no built-in plan"),
    (("power-outage", "no-such-scenario"), "error: no-such-scenario: no such file, and no built-in scenario"),
    (("counter-robbery", "power-outage-sudden-long"), "this scenario is written for plan 'power-outage'"),
    (("power-outage", "power-outage-sudden-long", "--lang", "fr"),
     "error: --lang: 'fr' is not a language of the report; choose one of en, zh"),
])
def test_the_msel_command_refuses_what_it_cannot_write(tmp_path, args, message):
    ran = run_cli("msel", *args, "--out", tmp_path / "m")
    assert ran.code == 2 and message in ran.err
    assert not (tmp_path / "m" / "msel.html").exists()


def test_the_msel_of_a_scenario_of_many_injects_grows_as_its_injects(robbery):
    # each inject's contingency reads the facts the injects after it set: gathered once, from the end
    plan, _ = robbery
    data, _ = load_yaml(ROOT / "scenarios" / "armed-robbery-injured.yaml")

    def listing(n: int):
        more = [{"id": f"note-{i}", "at": 1 + i / 100, "facts": {"armed": i % 2 == 0}} for i in range(n)]
        scenario = parse_scenario({**data, "injects": [*data["injects"], *more]}, plan)
        return lambda: msel_rows(plan, scenario)

    assert doubling(listing) <= 2.1
