"""``drillsim graph``: the analysis of an escalation design from the plan alone (spec/graph_analysis.py,
docs/graph-analysis.md) — what the user sees (findings.json, findings.md, the terminal, the drawings),
the best-case rule, the engine's semantics it follows, and invariants of the bound."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from statistics import NormalDist
from xml.etree import ElementTree

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drillsim
from drillsim.spec import defaults
from drillsim.spec.distributions import parse_distribution
from drillsim.spec.graph_analysis import Design, Times, analyse, low
from drillsim.spec.plan import parse_plan
from drillsim.spec.schema import Selector
from drillsim.spec.yamlio import load_yaml
from tests.clirun import drillsim as cli
from tests.conftest import ROOT

FLAWS = ROOT / "tests" / "data" / "graph-flaws-plan.yaml"
CLEAN = ROOT / "tests" / "data" / "graph-clean-plan.yaml"


@pytest.fixture
def flaws(tmp_path_factory):
    # for each test (0.8 s): mutmut runs a mutant only against the tests that reached its function, and a
    # module's fixture reaches it in the first test that asks for it alone
    out = tmp_path_factory.mktemp("flaws") / "graph"
    ran = cli("graph", FLAWS, "--out", out)
    assert ran.code == 0, ran.text
    return ran, out, json.loads((out / "findings.json").read_text("utf-8"))


def _kinds(data: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for f in data["findings"]:
        found.setdefault(f["kind"], []).append(f)
    return found


# What the user sees -------------------------------------------------------------------------------


def test_the_flawed_plan_has_each_of_its_flaws_found(flaws):
    ran, _, data = flaws
    kinds = _kinds(data)
    assert [(f["requirement"], f["deadline_min"]) for f in kinds["impossible_deadline"]] == [("REG", 10.0)]
    spofs = {(f["requirement"], f.get("role") or f["channel"]) for f in kinds["single_point_of_failure"]}
    assert spofs == {("LEAD", "office"), ("LEAD", "phone"), ("REG", "office"), ("REG", "phone"), ("REG", "leader"),
                     ("REG", "fax")}
    assert [(f["report"], f["role"]) for f in kinds["fallback_nowhere"]] == [("clerk-office", "deputy")]
    assert [(f["report"], f["role"]) for f in kinds["fallback_loop"]] == [("guard-office", "guard")]
    assert [sorted(f["tasks"]) for f in kinds["circular_escalation"]] == [["clerk-progress", "office-instructs"]]
    assert [(f["role"], f["message"].split(": ", 1)[1]) for f in kinds["unreached_role"]] == [
        ("deputy", "nobody holds the role (count 0)"),
        ("archivist", "no trigger reaches this role: none of its duties and reports can start, no report to it "
                      "arrive"),
        ("cleaner", "no duty or report of the plan names this role")]
    assert set(kinds) == {"impossible_deadline", "single_point_of_failure", "fallback_nowhere", "fallback_loop",
                          "circular_escalation", "unreached_role"}
    for words in ("REG: even the best case takes", "without 上级办公室 (office): LEAD, REG cannot be met",
                  "without channel 传真 (fax): REG cannot be met", "fallback 1 (办公室副主任) leads nowhere",
                  "fallback 1 (保安) is the sender itself",
                  "circular escalation: office-instructs -> clerk-progress -> office-instructs",
                  "档案管理员 (archivist): no trigger reaches this role"):
        assert words in ran.out, words
    assert "Traceback" not in ran.text


def test_the_folder_holds_both_drawings_and_both_findings_with_the_chinese_names(flaws):
    ran, out, _ = flaws
    assert sorted(p.name for p in out.iterdir()) == ["escalation.png", "escalation.svg", "findings.json",
                                                      "findings.md"]
    assert (out / "escalation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "escalation.svg").read_text("utf-8")
    assert ElementTree.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert "<!-- 上级办公室 -->" in svg and "<!-- 档案管理员 -->" in svg and "<!-- 保洁员 -->" not in svg  # unlinked
    raw = (out / "findings.json").read_text("utf-8")
    assert "上级办公室" in raw and "\\u" not in raw
    md = (out / "findings.md").read_text("utf-8")
    assert "## Deadlines that cannot be met even in the best case" in md and "| REG | 10m00s |" in md
    assert all(str(out / name) in ran.out for name in ("escalation.png", "escalation.svg", "findings.md"))


def test_the_impossible_deadline_is_the_sum_of_the_first_percentiles_along_the_best_chain(flaws):
    _, _, data = flaws
    (reg,) = [r for r in data["requirements"] if r["id"] == "REG"]
    phone = low(defaults.CHANNELS["phone"]["latency"])
    fax = low(defaults.CHANNELS["fax"]["latency"])
    # the clerk notices the incident and reacts, phones the office, which phones the leader at once
    # on receipt, who prepares the fax for 20 min; the regulator has it when it arrives
    assert reg["best_case"] == pytest.approx(low(defaults.HUMAN_REACTION) + 2 * phone + 20 + fax, abs=1e-3)
    assert [s["task"] for s in reg["chain"]] == ["clerk-office", "office-leader", "leader-regulator"]
    assert reg["status"] == "impossible" and reg["routes"] == 1  # every route passes the office and the leader
    assert {"roles": ["clerk", "office", "leader"], "reports": [["clerk-office", "clerk-progress"], ["office-leader"],
                                                                 ["leader-regulator"]]} in reg["paths"]
    assert {"roles": ["guard", "office", "leader"], "reports": [["guard-office"], ["office-leader"],
                                                                 ["leader-regulator"]]} in reg["paths"]


def test_a_clean_plan_has_no_findings(tmp_path):
    ran = cli("graph", CLEAN, "--out", tmp_path / "g")
    assert ran.code == 0, ran.text
    data = json.loads((tmp_path / "g" / "findings.json").read_text("utf-8"))
    assert data["findings"] == []
    assert [(r["id"], r["status"], r["routes"]) for r in data["requirements"]] == [("OFFICE", "ok", 2),
                                                                                   ("LEAD", "ok", 2)]
    assert "no findings" in ran.out
    assert "No findings." in (tmp_path / "g" / "findings.md").read_text("utf-8")


def test_a_drawing_path_still_draws_the_picture_alone(tmp_path):
    ran = cli("graph", "counter-robbery", "--out", tmp_path / "g.svg")
    assert ran.code == 0, ran.text
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]
    assert "head-phone-office" in ran.out and f"drawn: {tmp_path / 'g.svg'}" in ran.out


@pytest.mark.parametrize(("args", "says"), [
    (["--out", "{p}/g.pdf"], ["--out", "g.pdf", "folder", ".png or .svg"]),
    (["--out", "{p}/g.png", "--scenario", "robbers-flee"], ["--scenario", "folder"]),
    (["--out", "{p}/g", "--reps", "5"], ["--reps", "--scenario"]),
    (["--out", "{p}/g", "--scenario", "no-such-scenario"], ["no-such-scenario"]),
    (["--out", "{p}/g", "--scenario", "it-data-leak"], ["it-data-leak"]),
])
def test_bad_options_are_one_error_line(tmp_path, args, says):
    ran = cli("graph", "counter-robbery", *(a.format(p=tmp_path) for a in args))
    assert ran.code == 2, ran.text
    assert ran.err.startswith("error: ") and "Traceback" not in ran.text
    for words in says:
        assert words in ran.err, ran.err
    assert not (tmp_path / "g").exists()


def test_the_quick_simulation_lists_what_is_met_in_under_half_the_runs(tmp_path):
    ran = cli("graph", "counter-robbery", "--out", tmp_path / "g", "--scenario", "robbers-flee", "--reps", "30",
              "--seed", "3")
    assert ran.code == 0, ran.text
    data = json.loads((tmp_path / "g" / "findings.json").read_text("utf-8"))
    plan = drillsim.load_plan("counter-robbery")
    summary = drillsim.replicate(plan, drillsim.load_scenario("robbers-flee", plan), 30, seed=3).summary
    expected = {row.requirement for row in summary.itertuples() if row.applicable and row.p_met < 0.5}
    assert expected and {f["requirement"] for f in _kinds(data)["often_missed"]} == expected
    assert data["simulation"]["scenario"] == "robbers-flee" and data["simulation"]["reps"] == 30
    for rid in expected:
        assert f"{rid}: met in" in ran.out


# The best-case rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["3min", {"uniform": [1, 4]}, {"triangular": [2, 5, 15]}, {"exponential": 4},
                                 {"lognormal": {"median": "15s", "p90": "1min"}}, {"empirical": [3, 1, 2, 8]}])
def test_low_is_the_first_percentile_of_what_the_engine_draws(raw):
    d = parse_distribution(raw)
    draw = d.sampler()
    rng = np.random.default_rng(0)
    values = np.array([draw(rng) for _ in range(40_000)])
    below = float(np.mean(values < low(d) - 1e-12))
    discrete = not isinstance(raw, dict) or "empirical" in raw
    assert below == 0.0 if discrete else below <= 0.0115
    assert float(np.mean(values <= low(d) + 1e-12)) >= 0.0085


def test_low_of_a_lognormal_is_its_quantile():
    d = parse_distribution({"lognormal": {"median": 2, "p90": 6}})
    sigma = math.log(3) / NormalDist().inv_cdf(0.9)
    assert low(d) == pytest.approx(2 * math.exp(sigma * NormalDist().inv_cdf(0.01)))


def test_the_bound_holds_in_simulated_runs():
    """In the engine's runs, a latency under the bound is as rare as the rule says: each draw on the chain
    is under its 1st percentile in 1 % of runs, so at most ~1 % per draw."""
    plan = drillsim.load_plan("counter-robbery")
    results = drillsim.replicate(plan, drillsim.load_scenario("armed-robbery-injured", plan), 200, seed=2).results
    checked = 0
    for r in analyse(plan).requirements:
        if r.best_case is None:
            continue
        lat = results[(results.requirement == r.id) & results.latency_min.notna()].latency_min
        if len(lat):
            checked += 1
            assert float((lat < r.best_case - 1e-9).mean()) <= 0.02 * max(1, len(r.chain)) + 0.02, r.id
    assert checked >= 5


# The engine's semantics ----------------------------------------------------------------------------


def _plan(escalation: list[dict], requirements: list[dict], roles: dict | None = None, **extra) -> object:
    data = {
        "schema": "drillsim.plan/1", "id": "t", "title": "t", "incident_types": {"x": {"name": "x"}},
        "capabilities": {"r": "报告"},
        "roles": roles or {"clerk": {"name": "柜员", "kind": "staff"}, "office": {"name": "办公室", "kind": "office"},
                           "deputy": {"name": "副主任", "kind": "office"}},
        "channels": {"phone": {"name": "电话", "synchronous": True}, "fax": {"name": "传真", "synchronous": False}},
        "escalation": escalation,
        "requirements": [{"title": "t", "clause": "t", "capability": "r", "kind": "deadline", **r}
                         for r in requirements],
        **extra,
    }
    return parse_plan(yaml.safe_load(yaml.safe_dump(data, allow_unicode=True)))


def _req(plan, rid="R"):
    return next(r for r in analyse(plan).requirements if r.id == rid)


REACTION = low(defaults.HUMAN_REACTION)
PHONE = defaults.CHANNELS["phone"]


def test_a_fallback_on_a_phone_is_reached_after_the_unanswered_attempts():
    roles = {"clerk": {"name": "柜员", "kind": "staff"},
             "office": {"name": "办公室", "kind": "office", "presence": 0.5, "reachable": 0.0},
             "deputy": {"name": "副主任", "kind": "office"}}
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "phone", "on": "incident",
                   "fallback": ["deputy"], "retry": {"attempts": 2, "every": "2min"}}],
                 [{"id": "R", "response": {"event": "received", "target": "deputy"}, "within": "30min"}], roles)
    lat = low(PHONE["latency"])
    expected = REACTION + 3 * (lat + PHONE["answer_within"]) + 2 * 2 + lat
    assert _req(plan).best_case == pytest.approx(expected, abs=1e-3)


def test_a_report_s_timeout_replaces_the_channel_s_ringing_on_the_way_to_the_fallback():
    roles = {"clerk": {"name": "柜员", "kind": "staff"},
             "office": {"name": "办公室", "kind": "office", "presence": 0.5, "reachable": 0.0},
             "deputy": {"name": "副主任", "kind": "office"}}
    report = {"id": "a", "from": "clerk", "to": "office", "channel": "phone", "on": "incident",
              "fallback": ["deputy"], "retry": {"attempts": 1, "every": "1min"}, "timeout": "10s"}
    reqs = [{"id": "R", "response": {"event": "received", "target": "deputy"}, "within": "30min"}]
    lat = low(PHONE["latency"])
    expected = REACTION + 2 * (lat + 10 / 60) + 1 + lat
    assert _req(_plan([report], reqs, roles)).best_case == pytest.approx(expected, abs=1e-3)
    repeated = _plan([{**report, "rounds": 3, "notify": "all"}], reqs, roles)
    assert _req(repeated).best_case == pytest.approx(expected, abs=1e-3)


def test_a_fallback_of_a_written_message_is_never_tried_while_the_first_role_is_held():
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "fax", "on": "incident",
                   "fallback": ["deputy"]}],
                 [{"id": "R", "response": {"event": "received", "target": "deputy"}, "within": "30min"}])
    a = analyse(plan)
    assert a.requirements[0].status == "unreachable"
    (dead,) = [f for f in a.findings if f["kind"] == "fallback_nowhere"]
    assert "not synchronous" in dead["message"]
    roles = {"clerk": {"name": "柜员", "kind": "staff"}, "office": {"name": "办公室", "kind": "office", "count": 0},
             "deputy": {"name": "副主任", "kind": "office"}}
    nobody = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "fax", "on": "incident",
                     "fallback": ["deputy"]}],
                   [{"id": "R", "response": {"event": "received", "target": "deputy"}, "within": "30min"}], roles)
    assert _req(nobody).status == "ok"  # nobody holds the first role: the fax goes to the deputy at once
    assert not [f for f in analyse(nobody).findings if f["kind"].startswith("fallback")]


def test_an_office_acts_on_the_incident_only_once_told_unless_it_monitors():
    untold = [{"id": "a", "from": "office", "to": "deputy", "channel": "phone", "on": "incident"}]
    req = [{"id": "R", "response": {"event": "received", "target": "deputy"}, "within": "30min"}]
    assert _req(_plan(untold, req)).status == "unreachable"
    told = [*untold, {"id": "b", "from": "clerk", "to": "office", "channel": "phone", "on": "incident"}]
    r = _req(_plan(told, req))
    assert r.status == "ok" and [s["task"] for s in r.chain] == ["b", "a"]
    assert r.chain[1]["started_on"] == "the incident (or an inject)"
    assert r.chain[1]["waited_for"] == "office learning of the incident"  # told by b
    roles = {"clerk": {"name": "柜员", "kind": "staff"},
             "office": {"name": "办公室", "kind": "office", "monitors": True},
             "deputy": {"name": "副主任", "kind": "office"}}
    assert [s["task"] for s in _req(_plan(untold, req, roles)).chain] == ["a"]


def test_an_elapsed_fact_in_a_condition_holds_the_report_until_its_mark():
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "phone",
                   "on": {"event": "fact", "what": "hours"}, "when": "down and hours >= 3"}],
                 [{"id": "R", "response": {"event": "received", "target": "office"}, "within": "2h"}],
                 facts={"down": {"name": "停机"}, "hours": {"name": "时长", "type": "elapsed", "while": "down"}})
    r = _req(plan)
    assert r.status == "impossible" and r.best_case == pytest.approx(180 + REACTION + low(PHONE["latency"]), abs=1e-3)


def test_a_condition_on_a_fact_that_starts_false_waits_for_it():
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "phone", "on": "incident", "when": "fixed"}],
                 [{"id": "R", "trigger": {"event": "fact", "what": "fixed"},
                   "response": {"event": "received", "what": "a"}, "within": "1min"}],
                 facts={"fixed": {"name": "已修复"}})
    r = _req(plan)  # without the wait, the report could come at the incident, before the fact: no bound
    assert r.status == "ok" and r.best_case == pytest.approx(REACTION + low(PHONE["latency"]), abs=1e-3)


def test_a_response_that_can_come_without_its_trigger_gets_no_bound():
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "phone", "on": "incident", "takes": "1h"},
                  {"id": "g", "from": "clerk", "to": "deputy", "channel": "phone", "on": "incident"}],
                 [{"id": "R", "trigger": {"event": "received", "what": "g"},
                   "response": {"event": "received", "what": "a"}, "within": "1min"}])
    r = _req(plan)
    assert r.status == "independent" and r.best_case is None
    assert not [f for f in analyse(plan).findings if f["kind"] == "impossible_deadline"]


def test_a_report_on_receipt_is_timed_from_its_trigger():
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "phone", "on": "incident", "takes": "1h"},
                  {"id": "b", "from": "office", "to": "deputy", "channel": "phone", "on": {"event": "received",
                                                                                          "what": "a"}}],
                 [{"id": "R", "trigger": {"event": "received", "what": "a"},
                   "response": {"event": "received", "what": "b"}, "within": "1min"}])
    assert _req(plan).best_case == pytest.approx(low(PHONE["latency"]), abs=1e-3)  # the receiver goes on at once


# Invariants ----------------------------------------------------------------------------------------

ROLES = ("s1", "s2", "o1", "o2", "o3")


@st.composite
def designs(draw):
    n = draw(st.integers(1, 6))
    reports = []
    for i in range(n):
        source = draw(st.sampled_from(ROLES))
        target = draw(st.sampled_from([r for r in ROLES if r != source and r[0] == "o"]))
        on = "incident" if i == 0 or draw(st.booleans()) else {
            "event": "received", "what": f"r{draw(st.integers(0, i - 1))}"}
        fallback = draw(st.lists(st.sampled_from([r for r in ROLES if r[0] == "o" and r not in (source, target)]),
                                 max_size=2, unique=True))
        reports.append({"id": f"r{i}", "from": source, "to": target, "channel": draw(st.sampled_from(["phone", "fax"])),
                        "on": on, "takes": f"{draw(st.integers(0, 20))}min", "fallback": fallback})
    return reports


def _graph_plan(reports):
    roles = {r: {"name": f"角色{r}", "kind": "staff" if r[0] == "s" else "office"} for r in ROLES}
    return _plan(reports, [{"id": f"R{r}", "response": {"event": "received", "target": r}, "within": "15min"}
                           for r in ("o1", "o2", "o3")], roles)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(), st.data())
def test_removing_a_report_never_lowers_a_best_case_bound(reports, data):
    before = {r.id: r for r in analyse(_graph_plan(reports)).requirements}
    gone = {f"r{data.draw(st.integers(0, len(reports) - 1))}"}
    for r in reports:  # with the reports started by one taken away
        if isinstance(r["on"], dict) and r["on"]["what"] in gone:
            gone.add(r["id"])
    fewer = [r for r in reports if r["id"] not in gone]
    if not fewer:
        return
    for r in analyse(_graph_plan(fewer)).requirements:
        b = before[r.id]
        if b.best_case is not None and r.best_case is not None:
            assert r.best_case >= b.best_case - 1e-9
        if b.best_case is None:
            assert r.best_case is None or b.status == "independent"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(), st.data())
def test_adding_a_fallback_never_creates_a_single_point_of_failure(reports, data):
    before = {r.id: (set(r.spof_roles), set(r.spof_channels)) for r in analyse(_graph_plan(reports)).requirements
              if r.status != "unreachable"}
    i = data.draw(st.integers(0, len(reports) - 1))
    rep = reports[i]
    spare = [r for r in ROLES if r[0] == "o" and r not in (rep["from"], rep["to"], *rep["fallback"])]
    if not spare:
        return
    more = [*reports[:i], {**rep, "fallback": [*rep["fallback"], data.draw(st.sampled_from(spare))]}, *reports[i + 1:]]
    for r in analyse(_graph_plan(more)).requirements:
        if r.id in before:
            roles, channels = before[r.id]
            assert set(r.spof_roles) <= roles and set(r.spof_channels) <= channels


def test_a_channel_down_can_only_delay_what_happens():
    """(A role taken away can make a fallback quicker: the engine skips a role nobody holds at once.)"""
    plan = drillsim.load_plan("service-incidents")
    full = Design(plan).from_incident.at
    for channel in plan.channels:
        less = Design(plan).without(channels=[channel]).from_incident.at
        assert all(full.get(t, math.inf) <= when + 1e-9 for t, when in less.items() if t[0] != "lost"), channel
        assert not any(t[0] in ("received", "acknowledged") and t[4] == channel for t in less)


def test_a_role_nobody_holds_is_skipped_at_once_for_the_fallback():
    roles = {"clerk": {"name": "柜员", "kind": "staff"}, "office": {"name": "办公室", "kind": "office"},
             "deputy": {"name": "副主任", "kind": "office"}}
    plan = _plan([{"id": "a", "from": "clerk", "to": "office", "channel": "phone", "on": "incident",
                   "fallback": ["deputy"]}],
                 [{"id": "R", "response": {"event": "received", "target": "deputy"}, "within": "30min"}], roles)
    design = Design(plan)
    target = ("received", "a", "clerk", "deputy", "phone", None)
    lat = low(PHONE["latency"])
    assert design.from_incident.at[target] == pytest.approx(REACTION + lat + PHONE["answer_within"] + lat)
    assert design.without(roles=["office"]).from_incident.at[target] == pytest.approx(REACTION + lat)


def test_the_documented_findings_on_the_built_in_plans_are_current():
    ran = subprocess.run([sys.executable, str(ROOT / "scripts" / "graph_findings_doc.py")], capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr


# Which event comes first ---------------------------------------------------------------------------
# Templates: (event, name, actor, target, channel, value), as the analysis reaches them.

RECEIVED = Selector(event="received", what=("report",))


def test_of_events_reached_at_one_time_the_first_is_the_least_written_out():
    to_nobody = ("received", "report", "clerk", None, "phone", None)
    to_office = ("received", "report", "clerk", "office", "phone", None)
    times = Times({to_nobody: 1.0, to_office: 1.0, ("received", "other", "clerk", "office", "phone", None): 0.5}, {})
    assert times.first(RECEIVED) == (1.0, to_office)  # "'office'" before "None", not the first reached
    assert times.first(Selector(event="received", what=("nothing",))) == (math.inf, None)


def test_the_events_a_selector_selects_are_in_the_order_they_were_reached():
    later, earlier = ("received", "report", "clerk", "office", "phone", None), ("received", "report", "clerk",
                                                                               "leader", None, None)
    times = Times({later: 2.0, earlier: 1.0}, {})
    assert times.selected(RECEIVED) == [later, earlier]
    times.at[("received", "report", "guard", "office", "phone", None)] = 3.0  # reached after a first look
    assert times.selected(RECEIVED)[-1][2] == "guard"


def test_a_route_through_a_report_s_fallback_names_the_fallback():
    # ROB-09: the lobby manager reaches the duty leader by his own report, or by the report to the head
    # falling back to the duty leader (report-head's fallback 1)
    (rob09,) = [r for r in analyse(drillsim.load_plan("counter-robbery")).requirements if r.id == "ROB-09"]
    assert (rob09.routes, rob09.paths) == (
        1, [{"roles": ["lobby_manager"], "reports": [["report-head (fallback 1)", "report-duty-leader"]]}])


def test_a_deadline_from_a_report_sent_starts_its_routes_at_the_sender_not_the_receiver():
    # the clerk's report to the office, sent: the office has it only once received, so no route starts
    # at the office; the guard, who knows of the incident already, is a start
    data, _ = load_yaml(CLEAN)
    data["requirements"].append({
        "id": "ON-SEND", "title": "报告发出后三十分钟内领导小组获知", "clause": "test", "capability": "reporting",
        "kind": "deadline", "trigger": {"event": "sent", "what": "clerk-office"},
        "response": {"event": "received", "target": "leader"}, "within": "30min"})
    (on_send,) = [r for r in analyse(parse_plan(data)).requirements if r.id == "ON-SEND"]
    assert on_send.paths == [
        {"roles": ["clerk"], "reports": [["clerk-office (fallback 1)", "clerk-leader"]]},
        {"roles": ["guard", "office"], "reports": [["guard-office"], ["office-leader"]]},
        {"roles": ["clerk", "office"], "reports": [["clerk-office"], ["office-leader"]]}]



def _with_deadline(trigger: dict) -> list[dict]:
    """The shortest routes of a deadline on the clean plan: from ``trigger``, the leader told."""
    data, _ = load_yaml(CLEAN)
    data["requirements"].append({
        "id": "AFTER", "title": "此后三十分钟内领导小组获知", "clause": "test", "capability": "reporting",
        "kind": "deadline", "trigger": trigger, "response": {"event": "received", "target": "leader"},
        "within": "30min"})
    (after,) = [r for r in analyse(parse_plan(data)).requirements if r.id == "AFTER"]
    assert (after.status, after.routes) == ("independent", 2)  # the clerk tells the leader without the trigger
    return after.paths


def test_a_deadline_from_a_message_received_starts_a_route_at_its_receiver():
    # the office learns of the incident after the clerk and the guard; once it has the report, it
    # passes it on: a route of its own
    assert {"roles": ["office"], "reports": [["office-leader"]]} in _with_deadline(
        {"event": "received", "target": "office"})



def test_a_deadline_from_a_message_received_starts_a_route_at_its_sender_too():
    # the office's report to the leader, received: the office (which learned of the incident after the
    # clerk and the guard) is a start as its sender, whatever it learned before
    assert {"roles": ["office"], "reports": [["office-leader"]]} in _with_deadline(
        {"event": "received", "actor": "office", "target": "leader"})

def test_a_deadline_from_a_call_unanswered_starts_no_route_at_whom_it_did_not_reach():
    assert _with_deadline({"event": "unanswered", "target": "office"}) == [
        {"roles": ["clerk"], "reports": [["clerk-office (fallback 1)", "clerk-leader"]]},
        {"roles": ["guard", "office"], "reports": [["guard-office"], ["office-leader"]]},
        {"roles": ["clerk", "office"], "reports": [["clerk-office"], ["office-leader"]]}]


def test_of_many_routes_the_five_shortest_are_listed():
    # CS-ROB-06 is reached over five routes with no role in common, and more than five in all
    (req,) = [r for r in analyse(drillsim.load_plan("counter-security")).requirements if r.id == "CS-ROB-06"]
    assert (req.routes, len(req.paths)) == (5, 5)
    lengths = [len(p["roles"]) for p in req.paths]
    assert lengths == sorted(lengths)
