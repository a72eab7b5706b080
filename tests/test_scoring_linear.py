"""Scoring takes work linear in the log (counted, not timed): the grading rules are read once per
change of the facts, and a deadline checked at many branches gives each branch its own verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

import drillsim
from drillsim.log.eventlog import EventLog
from drillsim.scoring import logview
from drillsim.scoring.checks import SEVERITY, DeadlineCheck
from drillsim.scoring.logview import Selection
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorer
from drillsim.sim.engine import run_replication
from drillsim.sim.model import build_model
from drillsim.sim.seeds import replication_seed
from drillsim.spec.plan import Plan
from drillsim.spec.schema import INCIDENT, Selector

SCENARIO = "armed-robbery-injured"


def at_branches(plan: Plan, n: int) -> tuple[str, EventLog]:
    """The demo robbery's incident type, and one replication of it at ``n`` copies of its branch at once."""
    scenario = drillsim.load_scenario(SCENARIO, plan)
    branch = scenario.branches[0]
    copies = tuple(branch.model_copy(update={"id": f"b{k}"}) for k in range(n))
    model = build_model(plan, scenario.model_copy(update={"branches": copies}))
    return scenario.incident.type, run_replication(model, replication_seed(1, 0))


def graded(plan: Plan, log: EventLog, incident_type: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times scoring ``log`` reads the plan's grading rules."""
    calls = 0
    grade = Plan.grade

    def counting(self: Plan, facts, incident_type: str) -> int:
        nonlocal calls
        calls += 1
        return grade(self, facts, incident_type)

    with monkeypatch.context() as m:
        m.setattr(Plan, "grade", counting)
        Scorer(plan).score(log, incident_type)
    return calls


def changes(log: EventLog, plan: Plan) -> int:
    """The fact rows that give a fact a new value, and the level rows."""
    facts, n = dict(plan.initial_facts), 0
    for row in log.rows:
        if row.event == "level":
            n += 1
        elif row.event == "fact" and (type(row.value) is not type(facts.get(row.what))
                                      or row.value != facts.get(row.what)):
            facts[row.what] = row.value
            n += 1
    return n


def test_the_grading_rules_are_read_once_per_change_and_linearly_in_the_log(robbery_plan, monkeypatch):
    incident_type, short = at_branches(robbery_plan, 2)
    _, long = at_branches(robbery_plan, 17)
    rows_short, rows_long = len(short.rows), len(long.rows)
    assert 7 * rows_short <= rows_long <= 10 * rows_short
    calls_short, calls_long = (graded(robbery_plan, log, incident_type, monkeypatch) for log in (short, long))
    assert calls_long <= 1.2 * calls_short * rows_long / rows_short
    # once per change and once more at the end; not at a fact row that says again what a row before
    # said (most of the long log's: each branch logs the facts of the incident, which are the same)
    for log, calls in ((short, calls_short), (long, calls_long)):
        assert calls <= changes(log, robbery_plan) + 1 <= sum(row.event in ("fact", "level") for row in log.rows) + 1
    assert changes(long, robbery_plan) < sum(row.event == "fact" for row in long.rows) / 2


@pytest.mark.parametrize("branches", [3, 8])
def test_each_branch_is_judged_as_if_its_rows_were_scored_alone(robbery_plan, branches):
    incident_type, log = at_branches(robbery_plan, branches)
    scorer = Scorer(robbery_plan)
    per_site = [c.req.id for c in scorer.checks if isinstance(c, DeadlineCheck) and c.per_site]
    # what branch staff do (some with an office's fallback), named by actor or by the tasks that do it, is
    # judged at each branch; the upper office's and the leadership group's reports (ROB-15, ROB-16) once
    assert per_site == ["ROB-01", "ROB-02", "ROB-03", "ROB-04", "ROB-05", "ROB-08", "ROB-09", "ROB-10", "ROB-13",
                        "ROB-17"]
    together = {r.id: r for r in scorer.results(log, incident_type)}
    sites = sorted({row.site for row in log.rows if row.event == "inject"})
    assert len(sites) == branches

    def alone(site: str) -> dict:
        """Scored on the rows of ``site`` and of the offices, none of the other branches'."""
        rows = [row for row in log.rows if row.site == site or row.site not in sites]
        return {r.id: r for r in scorer.results(replace(log, rows=rows), incident_type)}

    each = {s: alone(s) for s in sites}
    outcomes = set()
    for rid in per_site:
        judged = [s for s in sites if each[s][rid].outcome is not Outcome.NOT_APPLICABLE]  # its trigger was there
        if not judged:  # it applies at no branch (ROB-08, ROB-09: no explosive): nor to all of them
            assert together[rid].outcome is Outcome.NOT_APPLICABLE, rid
            continue
        worst = max(judged, key=lambda s: (SEVERITY[each[s][rid].outcome], each[s][rid].latency or 0.0))
        expected = each[worst][rid]
        assert together[rid]._replace(detail="") == expected._replace(detail=""), rid
        assert together[rid].detail == f"{expected.detail} at {worst}".strip(), rid
        outcomes |= {each[s][rid].outcome for s in judged}
    assert len(outcomes) > 1  # the branches differ, so the worst is a choice


def test_the_grading_rules_are_read_only_when_a_fact_they_read_changes(robbery_plan, monkeypatch):
    incident_type, log = at_branches(robbery_plan, 17)
    reads = robbery_plan.grading_reads
    assert reads and "customers_in_hall" not in reads  # the most frequent fact row, which grading ignores
    facts, read_changes = dict(robbery_plan.initial_facts), 0
    for row in log.rows:
        if row.event == "fact" and row.value != facts.get(row.what):
            facts[row.what] = row.value
            read_changes += row.what in reads
    levels = sum(row.event == "level" for row in log.rows)
    # the facts as they stand at the start, each change of a fact the rules read; then the
    # classification check: once at the end and once at each level declared
    assert graded(robbery_plan, log, incident_type, monkeypatch) <= 1 + read_changes + 1 + levels


def test_a_selector_several_requirements_name_selects_its_rows_once_per_log(robbery_plan, monkeypatch):
    """Seven of the demo's deadlines count from the incident, two from someone's being injured: the rows
    of each are tested once, not once per deadline."""
    injured = Selector(event="fact", what=("injured",))
    assert [sum(r.kind == "deadline" and r.trigger == sel for r in robbery_plan.requirements)
            for sel in (INCIDENT, injured)] == [7, 2]
    asked: Counter = Counter()
    matcher = logview.matcher

    def counting(sel):
        match = matcher(sel)

        def asking(row) -> bool:
            asked[sel] += 1
            return match(row)

        return asking

    incident_type, log = at_branches(robbery_plan, 3)
    Selection.of.cache_clear()
    try:
        with monkeypatch.context() as m:
            m.setattr(logview, "matcher", counting)
            Scorer(robbery_plan).results(log, incident_type)
    finally:
        Selection.of.cache_clear()  # the selections made with the counting predicates
    assert asked[INCIDENT] == sum(row.event == "inject" for row in log.rows) > 0
    assert asked[injured] == sum(row.event == "fact" and row.what == "injured" for row in log.rows) > 0
