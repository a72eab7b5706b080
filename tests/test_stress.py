"""The planner's stress test (``drillsim stress``): what a planner reads in its folder, and the rules
behind it — a role a requirement needs, absent, drops it to zero; a channel down moves reports to
its fallback; the load curve does not improve as branches are added; the memo names the worst drops."""

from __future__ import annotations

import copy
import json
from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

import drillsim.api as api
from drillsim.spec.catalog import resolve
from drillsim.spec.distributions import KINDS, parse_distribution
from drillsim.spec.errors import InputError
from drillsim.spec.perturb import Drill, at_branches, configure, drill_from_files, shifts
from drillsim.spec.plan import parse_plan
from drillsim.spec.yamlio import load_yaml
from drillsim.stress_runs import StressOptions, run_stress
from tests.clirun import drillsim

PLAN, SCENARIO = "counter-robbery", "armed-robbery-injured"


@pytest.fixture(scope="module")
def demo() -> Drill:
    return drill_from_files(resolve(PLAN, "plan"), resolve(SCENARIO, "scenario"))


@pytest.fixture(scope="module")
def absences():
    return run_stress(PLAN, SCENARIO, StressOptions(reps=30, families=("absent",), workers=1))


def _req(result, pert: str, rid: str) -> dict:
    p = next(p for p in result.perturbations if p["id"] == pert)
    return next(r for r in p["requirements"] if r["requirement"] == rid)


def test_a_role_a_requirement_needs_absent_drops_its_compliance_to_zero(absences):
    # ROB-14: the upper office declares the level; ROB-02: the lobby manager phones 110
    for pert, rid in (("absent:upper_office", "ROB-14"), ("absent:lobby_manager", "ROB-02")):
        r = _req(absences, pert, rid)
        assert r["p_met"] == 0 and r["baseline_p_met"] >= 0.9
        assert r["change"] == pytest.approx(-r["baseline_p_met"])
        assert r["change_ci95"][0] >= -1 and r["change_ci95"][1] < 0


def test_every_role_given_work_is_made_absent_once_and_agencies_never(demo, absences):
    from drillsim.spec.perturb import absences as made

    ids = [p.id for p in made(demo)]
    assert ids == [p["id"] for p in absences.perturbations]
    assert ids == ["absent:teller", "absent:cash_teller", "absent:lobby_manager", "absent:guard",
                   "absent:branch_head", "absent:duty_leader", "absent:upper_office", "absent:leadership_group",
                   "absent:security_dept"]
    assert absences.perturbations[0]["label"] == {"en": "临柜人员 absent", "zh": "临柜人员缺位"}


def test_the_weakest_points_are_the_largest_drops_each_of_another_change_and_requirement(absences):
    from drillsim.reports.stress import drops, weakest

    weak = weakest(absences)
    changes = [w["requirement"]["change"] for w in weak]
    assert len(weak) == 3 and changes == sorted(changes) and changes[0] == min(d["change"] for d in drops(absences))
    assert len({w["perturbation"]["id"] for w in weak}) == len({w["requirement"]["requirement"] for w in weak}) == 3


def _with_phone_fallback(demo: Drill, fallback: str | None) -> Drill:
    data = copy.deepcopy(demo.plan_data)
    if fallback is not None:
        data["channels"]["phone"]["fallback"] = fallback
    plan = parse_plan(data, "plan with a fallback")
    return Drill(plan, demo.scenario, data, demo.scenario_data, "plan", "scenario")


def _phone_down(drill: Drill):
    from drillsim.spec.perturb import channel_outages

    return next(p for p in channel_outages(drill) if p.id == "channel:phone")


def test_a_channel_down_moves_its_reports_to_the_channel_it_falls_back_to(demo):
    drill = _with_phone_fallback(demo, "fax")
    plan, scenario = configure(drill, _phone_down(drill))
    rows = [e for seed in range(5) for e in api.simulate(plan, scenario, seed).rows]
    phoned = {e.what for e in api.simulate(drill.plan, drill.scenario, 0).rows
              if e.event == "sent" and e.channel == "phone"}
    assert phoned  # the drill as planned phones
    sent = [e for e in rows if e.event == "sent" and e.what in phoned]
    assert sent and {e.channel for e in sent} == {"fax"}
    assert any(e.event == "received" and e.channel == "fax" for e in rows)


def test_a_channel_down_with_no_fallback_carries_nothing(demo):
    plan, scenario = configure(demo, _phone_down(demo))
    rows = api.simulate(plan, scenario, 0).rows
    assert any(e.event == "sent" and e.channel == "phone" for e in rows)
    assert not any(e.event in ("received", "acknowledged") and e.channel == "phone" for e in rows)
    assert any(e.event == "unanswered" and e.channel == "phone" for e in rows)


@pytest.mark.parametrize("fallback, says", [
    ("phone", "the channels fall back in a loop: phone -> phone"),
    ("carrier_pigeon", "unknown channel 'carrier_pigeon'"),
])
def test_a_channel_fallback_must_be_a_channel_and_not_a_loop(demo, fallback, says):
    with pytest.raises(InputError) as err:
        _with_phone_fallback(demo, fallback)
    assert "channels.phone.fallback" in str(err.value) and says in str(err.value)


def test_channels_falling_back_to_each_other_are_refused(demo):
    data = copy.deepcopy(demo.plan_data)
    data["channels"]["phone"]["fallback"] = "fax"
    data["channels"]["fax"]["fallback"] = "phone"
    with pytest.raises(InputError, match="phone -> fax -> phone"):
        parse_plan(data, "loop")


def test_the_load_curve_does_not_improve_as_branches_are_added():
    result = run_stress(PLAN, SCENARIO, StressOptions(reps=40, families=("load",), branches=(1, 3, 9), workers=1))
    assert [r["requirement"] for r in result.load] == ["ROB-01", "ROB-02", "ROB-04", "ROB-10", "ROB-15", "ROB-16"]
    for row in result.load:
        met = [p["p_met"] for p in row["points"] if p["p_met"] is not None]
        assert all(later <= earlier + 0.1 for earlier, later in pairwise(met)), row
    office = next(r for r in result.load if r["requirement"] == "ROB-15")  # the office tells the group: it queues
    assert office["points"][-1]["p_met"] < office["points"][0]["p_met"] - 0.3
    assert office["points"][-1]["latency_mean"] > 2 * office["points"][0]["latency_mean"]
    assert office["breaks_at"] == next(p["branches"] for p in office["points"] if p["p_met"] < 0.5)


def test_many_branches_are_copies_of_the_first_sharing_the_offices(demo):
    plan, scenario = configure(demo, at_branches(demo, 4))
    assert [b.id for b in scenario.branches] == ["b001", "b002", "b003", "b004"]
    assert scenario.branches[3].name == "城东支行营业室 4"
    sites = {e.site for e in api.simulate(plan, scenario, 1).rows}
    assert {"b001", "b002", "b003", "b004", "office"} <= sites


def test_the_shifts_change_what_they_say(demo):
    made, skipped = shifts(demo)
    assert not skipped
    lunch, night, holiday = (configure(demo, p) for p in made)
    assert lunch[1].branches[0].staffing == {"teller": 1, "cash_teller": 1}
    assert night[1].start.hour == 2 and night[1].branches[0].staffing == {"teller": 0, "cash_teller": 0}
    assert night[1].branches[0].presence == {"branch_head": 0.0}
    assert holiday[1].start.date() == date(2026, 4, 4)  # 清明节, the first public holiday after 12 March 2026
    assert holiday[0].roles["leadership_group"].presence == pytest.approx(0.3)


def test_a_holiday_past_the_calendar_is_skipped_with_its_reason(demo):
    from dataclasses import replace

    late = replace(demo, scenario=demo.scenario.model_copy(update={"start": demo.scenario.start.replace(year=2027)}))
    made, skipped = shifts(late)
    assert [p.id for p in made] == ["staffing:lunch", "staffing:night"]
    assert skipped == ["the calendar (chinese-calendar) has no public holidays after 2027-03-12"]


def test_a_second_incident_is_added_at_the_same_branch_and_at_a_second_one():
    result = run_stress(PLAN, SCENARIO, StressOptions(reps=10, families=("combined",), workers=1))
    assert [p["id"] for p in result.perturbations] == ["combined:same", "combined:second"]
    assert {p["subject"] for p in result.perturbations} == {"explosive-robbery"}


def test_a_second_incident_of_another_plan_is_refused():
    with pytest.raises(InputError, match="a second incident must be a scenario of the plan 'counter-robbery'"):
        run_stress(PLAN, SCENARIO, StressOptions(reps=2, families=("combined",), workers=1, other="atm-fire"))


def test_sensitivity_finds_the_parameter_that_drives_the_misses():
    result = run_stress(PLAN, SCENARIO, StressOptions(reps=60, families=("sensitivity",), sobol_samples=8,
                                                      sobol_reps=10, workers=1))
    assert result.tornado[0]["factor"] == "reaction"
    assert result.tornado[0]["high"]["change"] > 0 > result.tornado[0]["low"]["change"]
    sobol = {s["factor"]: s for s in result.sobol}
    assert max(sobol, key=lambda f: sobol[f]["ST"]) == "reaction"
    quiet = [r["factor"] for r in result.tornado if r["low"]["change"] == r["high"]["change"] == 0]
    assert "travel:police" in quiet  # no requirement of this plan times the police's arrival


@given(kind=st.sampled_from(sorted(KINDS)), factor=st.floats(0.01, 100))
def test_a_scaled_distribution_has_the_scaled_mean(kind, factor):
    examples = {"fixed": 3, "uniform": [1, 3], "triangular": [1, 2, 4], "exponential": 5,
                "lognormal": {"median": 5, "p90": 9}, "empirical": [3.5, 4, 6, 12]}
    d = parse_distribution({kind: examples[kind]})
    scaled = d.scaled(factor)
    assert type(scaled) is type(d) and scaled.mean() == pytest.approx(factor * d.mean())
    assert parse_distribution(scaled.to_data()) == scaled


def test_the_command_writes_the_report_the_memo_and_the_tables(tmp_path):
    out = tmp_path / "stress"
    ran = drillsim("stress", PLAN, SCENARIO, "--only", "absent,channel", "--reps", "20", "--workers", "1",
                   "--out", out)
    assert ran.code == 0, ran.text
    for name in ("stress.json", "stress.html", "summary.md", "perturbations.csv", "drops.png"):
        assert (out / name).stat().st_size > 0
    data = json.loads((out / "stress.json").read_text(encoding="utf-8"))
    assert data["families"] == ["absent", "channel"] and not data["load"]
    memo = (out / "summary.md").read_text(encoding="utf-8")
    assert "## The three weakest points" in memo and memo in ran.out
    points = [line for line in memo.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(points) == 3
    changes = sorted(r["change"] for p in data["perturbations"] for r in p["requirements"] if r["change"] is not None)
    assert changes[0] == -1 and "change -100 pp" in points[0]  # worst first
    assert "上级应急处理办事机构 absent" in (out / "stress.html").read_text(encoding="utf-8")


def test_the_memo_and_report_are_in_chinese_when_asked(tmp_path):
    out = tmp_path / "zh"
    ran = drillsim("stress", PLAN, SCENARIO, "--only", "absent", "--reps", "10", "--workers", "1", "--lang", "zh",
                   "--out", out)
    assert ran.code == 0, ran.text
    memo = (out / "summary.md").read_text(encoding="utf-8")
    assert memo.startswith("# 压力测试") and "## 三个最薄弱环节" in memo and "个百分点" in memo
    page = (out / "stress.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "逐项变化" in page


@pytest.mark.parametrize("args, says", [
    (("--only", "absent,weather"), "'weather' is not a part of the stress test"),
    (("--branches", "20,5"), "give increasing numbers of branches"),
    (("--branches", "one"), "is not a list of whole numbers"),
    (("--lang", "fr"), "'fr' is not a language of the report"),
    (("--with", "no-such-scenario", "--only", "combined"), "no-such-scenario"),
])
def test_a_mistake_in_the_command_is_one_clear_error(tmp_path, args, says):
    ran = drillsim("stress", PLAN, SCENARIO, "--reps", "2", "--out", tmp_path / "x", *args)
    assert ran.code != 0 and says in ran.text and "Traceback" not in ran.text


def test_the_scenario_s_own_file_data_is_left_as_it_was(demo):
    before = copy.deepcopy(demo.scenario_data)
    configure(demo, at_branches(demo, 3))
    assert demo.scenario_data == before and load_yaml(resolve(SCENARIO, "scenario"))[0].get("branches")


def test_each_change_is_the_values_it_sets(demo):
    from drillsim.spec.perturb import Perturbation, absences, channel_outages

    made = {p.id: p for p in absences(demo) + channel_outages(demo)}
    assert made["absent:teller"] == Perturbation(
        "absent:teller", "teller", {"en": "临柜人员 absent", "zh": "临柜人员缺位"},
        (("plan.roles.teller.count", 0), ("scenario.branches[0].staffing.teller", 0)))
    assert made["absent:upper_office"].changes == (("plan.roles.upper_office.count", 0),)  # an office: no branch
    assert made["channel:phone"] == Perturbation("channel:phone", "phone", {"en": "电话 down", "zh": "电话中断"},
                                                 (("scenario.parameters.channels.phone.down", True),))
    assert [p.id for p in channel_outages(demo)] == ["channel:alarm_button", "channel:phone", "channel:electronic"]
    assert {p.family for p in made.values()} == {"absent", "channel"}
    lunch, night, holiday = shifts(demo)[0]
    assert (lunch.id, lunch.subject, lunch.family) == ("staffing:lunch", "lunch", "staffing")
    assert lunch.changes == (("scenario.branches[0].staffing.teller", 1),
                             ("scenario.branches[0].staffing.cash_teller", 1))
    assert night.changes[0] == ("scenario.start", "2026-03-12T02:00:00+08:00")
    assert holiday.label["zh"].endswith("(2026-04-04)") and holiday.subject == "holiday"
    assert ("plan.roles.duty_leader.presence", 0.45) in holiday.changes  # an office's presence halved
    assert not any(path.startswith("plan.roles.police") for path, _ in holiday.changes)


def test_a_second_incident_s_injects_are_renamed_and_placed_at_their_branch(demo):
    from drillsim.spec.perturb import combined

    other = api.load_scenario("explosive-robbery", demo.plan)
    same, second = combined(demo, other, load_yaml(resolve("explosive-robbery", "scenario"))[0])
    assert (same.id, same.subject, same.family) == ("combined:same", "explosive-robbery", "combined")
    assert same.label == {"en": "with explosive-robbery at the same branch",
                          "zh": "同一网点同时发生持爆炸物抢劫 (robbery with an explosive threat)"}
    assert second.label["en"] == "with explosive-robbery at a second branch"
    rows = [(i["id"], i.get("after"), i.get("branches")) for i in same.scenario["injects"]]
    assert rows == [("robbers-enter", None, None), ("customer-injured", "robbers-enter", None),
                    ("robbers-flee", "robbers-enter", None), ("explosive-robbery-bomb-threat", None, ["branch"]),
                    ("explosive-robbery-robber-leaves", "explosive-robbery-bomb-threat", ["branch"])]
    assert [b["id"] for b in same.scenario["branches"]] == ["branch"]
    assert [(b["id"], b["name"]) for b in second.scenario["branches"]] == [("branch", "城东支行营业室"),
                                                                          ("branch-2", "城东支行营业室 (2)")]
    assert [i.get("branches") for i in second.scenario["injects"]] == [["branch"]] * 3 + [["branch-2"]] * 2
    plan, scenario = configure(demo, second)
    log = api.simulate(plan, scenario, 2)
    assert {r.site for r in log.rows if r.event == "inject" and r.what.startswith("explosive-robbery-")} == {"branch-2"}
    assert {r.site for r in log.rows if r.event == "inject" and r.what == "robbers-enter"} == {"branch"}
    assert demo.scenario_data["injects"][0].get("branches") is None  # the drill's own data is left as it was


def test_many_branches_are_named_after_the_first_and_its_injects_happen_at_every_copy(demo):
    data = copy.deepcopy(demo.scenario_data)
    data["branches"] = [{"id": "east"}]
    data["injects"][0]["branches"] = ["east"]
    drill = Drill(demo.plan, demo.scenario, demo.plan_data, data, "plan", "scenario")
    load = at_branches(drill, 2)
    assert (load.id, load.subject, load.family) == ("load:2", "2", "load")
    assert load.label == {"en": "2 branches at once", "zh": "2个网点同时"}
    assert [(b["id"], b["name"]) for b in load.scenario["branches"]] == [("b001", "east 1"), ("b002", "east 2")]
    assert "branches" not in load.scenario["injects"][0] and data["injects"][0]["branches"] == ["east"]
