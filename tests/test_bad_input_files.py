"""A corpus of bad input files: each a one-line edit of a plan, scenario, experiment or programme,
each refused with an InputError that names the file, the place and what is wrong — never a
traceback, never a hang.

The files edited are copies of built-in ones in tests/data/corpus/, kept as they were when the
corpus was written, so that a change to a built-in plan does not move the lines the cases edit.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest

import drillsim
from drillsim.spec.errors import InputError
from drillsim.spec.experiment import load_experiment
from drillsim.spec.plan import load_plan
from drillsim.spec.programme import load_programme
from drillsim.spec.scenario import load_scenario
from drillsim.spec.yamlio import load_yaml
from tests.limits import time_limit

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
TEXT = {kind: (CORPUS / f"{name}.yaml").read_text("utf-8") for kind, name in (
    ("plan", "counter-robbery"), ("scenario", "armed-robbery-injured"),
    ("complaints", "customer-complaints-general-friday"), ("grid", "robbery-staffing"),
    ("list", "escalation-variants"), ("programme", "security-work-2026"))}
LAUGHS = "".join(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
                 for i in range(10))
"""Ten levels of nine aliases each: a few hundred bytes that would expand to 9**10 strings."""


def load(kind: str, path: Path) -> object:
    if kind == "plan":
        return load_plan(path)
    if kind in ("scenario", "complaints"):
        plan = "counter-robbery" if kind == "scenario" else "customer-complaints"
        return load_scenario(path, load_plan(CORPUS / f"{plan}.yaml"))
    if kind in ("grid", "list"):
        return load_experiment(path)
    return load_programme(path)


P, S, G, L, M = "plan", "scenario", "grid", "list", "programme"
# (id, file, old text, new text, place the message names, fragment of what is wrong)
CASES = [
    # YAML itself
    ("alias-bomb", P, "levels: [III, II, I]\n", "levels: [III, II, I]\nx:\n" + LAUGHS, "", "expands the file past"),
    ("alias-bomb-hidden", S, "parameters:\n", "parameters:\n  x:\n  " + LAUGHS.replace("\n  ", "\n    "), "",
     "expands the file past"),
    ("alias-loop", P, "levels: [III, II, I]", "levels: &l [III, II, *l]", "", "refers to a node that contains it"),
    ("nesting-too-deep", P, "levels: [III, II, I]", "levels: " + "[" * 200 + "]" * 200, "", "nested more than"),
    ("yaml-syntax", P, "levels: [III, II, I]", "levels: [III, II, I", "", "YAML syntax error"),
    ("duplicate-key", S, "  human:\n", "  human: {}\n  human:\n", "", "appears twice"),
    ("python-tag", P, "levels: [III, II, I]", "levels: !!python/object:os.system [ls]", "", "constructor"),
    ("base-60-duration", S, "reaction: {lognormal: {median: \"15s\", p90: 1min}}", "reaction: 1:30",
     "parameters.human.reaction", "'1:30' is not a duration"),  # YAML 1.1 read 90 (base 60)
    ("base-60-deadline", P, "    within: 3min", "    within: 1:00", "requirements[", "'1:00' is not a duration"),
    ("base-60-takes", P, "    takes: \"5s\"", "    takes: 1:05", "duties[", "'1:05' is not a duration"),
    ("not-a-mapping", P, "schema: drillsim.plan/1\n", "- schema: drillsim.plan/1\n", "", ""),
    ("wrong-schema", P, "schema: drillsim.plan/1", "schema: drillsim.plan/2", "schema", "drillsim.plan/1"),
    # plan: roles
    ("role-count-huge", P, "kind: staff, count: 2, serves_customers: true}",
     "kind: staff, count: 100000000, serves_customers: true}", "roles.teller.count", "less than or equal to 100"),
    ("role-count-negative", P, "kind: staff, count: 2,", "kind: staff, count: -1,", "roles.teller.count",
     "greater than or equal to 0"),
    ("role-count-fraction", P, "kind: staff, count: 2,", "kind: staff, count: 1.5,", "roles.teller.count",
     "1.5 is not a whole number: write it as one"),
    ("role-count-whole-float", P, "kind: staff, count: 2,", "kind: staff, count: 2.0,", "roles.teller.count",
     "2.0 is not a whole number"),
    ("role-count-quoted", P, "kind: staff, count: 2,", "kind: staff, count: \"2\",", "roles.teller.count",
     "\"2\" is not a whole number"),
    ("role-count-date", P, "kind: staff, count: 2,", "kind: staff, count: 2026-03-12,", "roles.teller.count",
     "\"2026-03-12\" is not a whole number"),
    ("role-count-boolean", P, "kind: staff, count: 2,", "kind: staff, count: true,", "roles.teller.count",
     "true is not a whole number"),
    ("weight-quoted", P, "    weight: 3\n", "    weight: \"3\"\n", "requirements[", "\"3\" is not a number: write it"),
    ("weight-boolean", P, "    weight: 3\n", "    weight: true\n", "requirements[", "true is not a number"),
    ("role-count-text", P, "kind: staff, count: 2,", "kind: staff, count: 否,", "roles.teller.count",
     "\"否\" is not a whole number"),
    ("agency-units-huge", P, "kind: agency, service: police}", "kind: agency, service: police, units: 1000}",
     "roles.police.units", "less than or equal to 100"),
    ("presence-over-one", P, "count: 1, presence: 0.8,", "count: 1, presence: 1.5,", "roles.branch_head.presence",
     "between 0 and 1"),
    ("presence-nan", P, "count: 1, presence: 0.8,", "count: 1, presence: .nan,", "roles.branch_head.presence",
     "between 0 and 1"),
    ("reachable-negative", P, "presence: 0.8, reachable: 0.95}", "presence: 0.8, reachable: -0.1}",
     "roles.branch_head.reachable", "between 0 and 1"),
    ("serves-customers-not-boolean", P, "count: 1, serves_customers: true}", "count: 1, serves_customers: 有}",
     "roles.cash_teller.serves_customers", "not a boolean"),
    ("role-kind-unknown", P, "count: 1, serves_customers: true}", "count: 1, serves_customers: true, kind: staf}",
     "", "twice"),
    ("channel-synchronous-number", P, "phone: {name: 电话, synchronous: true}", "phone: {name: 电话, synchronous: 1}",
     "channels.phone.synchronous", "not a boolean"),
    ("channel-synchronous-on", P, "phone: {name: 电话, synchronous: true}", "phone: {name: 电话, synchronous: on}",
     "channels.phone.synchronous", "not a boolean"),
    # plan: facts
    ("fact-default-wrong-type", P, "type: int, default: 0}\n  hostages", "type: int, default: many}\n  hostages",
     "facts.injured", "not a whole number"),
    ("fact-default-fraction", P, "type: int, default: 0}\n  hostages", "type: int, default: 1.5}\n  hostages",
     "facts.injured", "not a whole number"),
    ("fact-default-not-boolean", P, "type: bool, default: false}\n  explosive",
     "type: bool, default: 有}\n  explosive", "facts.armed", "not a boolean"),
    ("fact-default-number-for-bool", P, "type: bool, default: false}\n  explosive",
     "type: bool, default: 0}\n  explosive", "facts.armed", "not a boolean"),
    ("fact-type-unknown", P, "type: int, default: 0}\n  hostages", "type: integer, default: 0}\n  hostages",
     "facts.injured.type", "'bool', 'int', 'float', 'text' or 'elapsed'"),
    ("fact-elapsed-without-while", P, "type: int, default: 0}\n  hostages", "type: elapsed}\n  hostages",
     "facts.injured", "needs `while"),
    ("selector-value-not-boolean", P,
     "on: {event: fact, what: suspects_fled}\n    when: \"suspects_fled\"\n    do: note",
     "on: {event: fact, what: suspects_fled, value: maybe}\n    when: \"suspects_fled\"\n    do: note",
     "duties[5].on.value", "not a boolean"),
    ("selector-value-not-int", P, "on: {event: fact, what: injured}", "on: {event: fact, what: injured, value: lots}",
     "duties[6].on.value", "not a whole number"),
    ("selector-first-not-boolean", P, "on: {event: fact, what: injured}",
     "on: {event: fact, what: injured, first: 1}", "duties[6].on.first", "not a boolean"),
    # plan: numbers in tasks
    ("takes-nan", P, "takes: {uniform: [\"10s\", \"40s\"]}", "takes: {uniform: [.nan, \"40s\"]}", "duties[0].takes",
     "finite"),
    ("takes-inf", P, "takes: {uniform: [\"10s\", \"40s\"]}", "takes: {uniform: [\"10s\", .inf]}", "duties[0].takes",
     "finite"),
    ("takes-huge", P, "takes: {uniform: [\"10s\", \"40s\"]}", "takes: {uniform: [\"10s\", 1.0e+308]}",
     "duties[0].takes", "longest duration"),
    ("takes-huge-text", P, "takes: {uniform: [\"10s\", \"40s\"]}", "takes: {uniform: [\"10s\", 999999d]}",
     "duties[0].takes", "longest duration"),
    ("takes-negative", P, "takes: \"5s\"", "takes: -5", "duties[1].takes", "negative"),
    ("takes-not-a-duration", P, "takes: \"5s\"", "takes: 5 fortnights", "duties[1].takes", "not a duration"),
    ("takes-unknown-distribution", P, "takes: \"5s\"", "takes: {gamma: 2}", "duties[1].takes", "unknown distribution"),
    ("takes-two-keys", P, "takes: \"5s\"", "takes: {fixed: 2, uniform: [1, 2]}", "duties[1].takes", "one key"),
    ("exponential-zero", P, "takes: {uniform: [1, 3]}", "takes: {exponential: 0}", "duties[2].takes", "mean > 0"),
    ("triangular-disordered", P, "takes: {uniform: [1, 3]}", "takes: {triangular: [3, 1, 2]}", "duties[2].takes",
     "low <= mode <= high"),
    ("uniform-reversed", P, "takes: {uniform: [1, 3]}", "takes: {uniform: [3, 1]}", "duties[2].takes",
     "low <= high"),
    ("empirical-empty", P, "takes: {uniform: [1, 3]}", "takes: {empirical: []}", "duties[2].takes", "non-empty"),
    ("uniform-arity", P, "takes: {uniform: [1, 3]}", "takes: {uniform: [1, 2, 3]}", "duties[2].takes",
     "takes 2 value(s)"),
    ("lognormal-spread", P, "takes: {lognormal: {median: 15, p90: 40}}\n    carries: [branch_name, place, time, cause",
     "takes: {lognormal: {median: 15, p90: 100000}}\n    carries: [branch_name, place, time, cause",
     "escalation[7].takes", "at most 1000 times its median"),
    ("lognormal-nan", P, "takes: {lognormal: {median: 15, p90: 40}}\n    carries: [branch_name, place, time, cause",
     "takes: {lognormal: {median: .nan, p90: 40}}\n    carries: [branch_name, place, time, cause",
     "escalation[7].takes", "finite"),
    ("retry-attempts-huge", P, "retry: {attempts: 2, every: 1min}", "retry: {attempts: 100000000, every: 1min}",
     "retry.attempts", "less than or equal to 100"),
    ("retry-every-inf", P, "retry: {attempts: 2, every: 1min}", "retry: {attempts: 2, every: .inf}",
     "retry.every", "finite"),
    ("repeat-not-boolean", P,
     "    do: grade\n    repeat: true\n    priority: 1\n    takes: {uniform: [1, 5]}\n    clause: \"003 第七条",
     "    do: grade\n    repeat: 是的\n    priority: 1\n    takes: {uniform: [1, 5]}\n    clause: \"003 第七条",
     "duties[9].repeat", "not a boolean"),
    ("priority-text", P, "    priority: 4\n", "    priority: high\n", "duties[7].priority",
     "\"high\" is not a whole number"),
    ("who-unknown", P, "    priority: 4\n", "    priority: 4\n    who: some\n", "duties[7].who", "'one' or 'all'"),
    ("delay-negative", P, "    priority: 4\n", "    priority: 4\n    delay: -1\n", "duties[7].delay", "negative"),
    # plan: deadlines and requirements
    ("within-inf", P, "within: on_scene", "within: .inf", "requirements", "finite"),
    ("within-nan", P, "within: on_scene", "within: .nan", "requirements", "finite"),
    ("within-negative", P, "within: on_scene", "within: -5", "requirements", "negative"),
    ("within-unknown-choice", P, "within: on_scene", "within: promptly", "requirements", "unknown choice 'promptly'"),
    ("choice-inf", P, "    value: 1min\n", "    value: .inf\n", "choices.immediately.value", "finite"),
    ("working-days-zero", P, "    value: 1min\n", "    value: {working_days: 0}\n", "choices.immediately.value",
     "from 1 to 60"),
    ("working-days-huge", P, "    value: 1min\n", "    value: {working_days: 1000000000}\n",
     "choices.immediately.value", "from 1 to 60"),
    ("working-days-boolean", P, "    value: 1min\n", "    value: {working_days: true}\n",
     "choices.immediately.value", "from 1 to 60"),
    ("weight-inf", P, "    weight: 3\n", "    weight: .inf\n", "requirements[0].weight",
     "less than or equal to 10000"),
    ("weight-zero", P, "    weight: 3\n", "    weight: 0\n", "requirements[0].weight", "greater than 0"),
    ("critical-not-boolean", P, "    weight: 1\n    kind: order", "    weight: 1\n    critical: 1\n    kind: order",
     "critical",
     "not a boolean"),
    ("critical-cap-over", P, "levels: [III, II, I]\n", "levels: [III, II, I]\nscoring: {critical_cap: 200}\n",
     "scoring.critical_cap", "less than or equal to 100"),
    ("band-over-one", P, "levels: [III, II, I]\n", "levels: [III, II, I]\nscoring: {bands: {P: 1.5}}\n",
     "scoring.bands.P", "between 0 and 1"),
    ("content-no-fields", P,
     "    fields: [branch_name, place, time, cause, nature, amount, people, harm, measures, trend]",
     "    fields: []", "requirements", "at least 1 item"),
    ("unknown-requirement-kind", P, "    kind: classification", "    kind: grading", "requirements", "'deadline'"),
    ("unknown-event-kind", P, "response: {event: arrived, what: branch_head}",
     "response: {event: came, what: branch_head}", "requirements", "unknown event kind 'came'"),
    ("unknown-arrived-role", P, "response: {event: arrived, what: branch_head}",
     "response: {event: arrived, what: boss}", "requirements", "unknown arrived name 'boss'"),
    ("unknown-capability", P, "    capability: scene\n", "    capability: sceen\n", "requirements",
     "unknown capability 'sceen'"),
    ("applies-if-unknown-name", P, "    applies_if: \"suspects_fled\"", "    applies_if: \"fled\"",
     "requirements", "'fled', which is not defined"),
    ("condition-syntax", P, "    when: \"injured > 0\"", "    when: \"injured >\"", "duties[6].when",
     "cannot parse condition"),
    ("condition-number", P, "    when: \"injured > 0\"", "    when: 0", "duties[6].when", "valid string"),
    ("condition-call", P, "    when: \"injured > 0\"", "    when: \"open('x')\"", "duties[6].when", "not allowed"),
    ("condition-number-with-text", P, "    when: \"injured > 0\"", "    when: \"injured > 'x'\"", "duties[6].when",
     "'injured' is a number and cannot be compared with \"'x'\", which is a text"),
    ("condition-divides-by-a-fact", P, "when: \"armed or injured > 0\"", "when: \"armed or 10 / injured > 1\"",
     "grading.rules[1].when", "divides by 'injured': divide only by a number written out, not 0"),
    ("condition-quoted-unknown-level", P, "    when: \"level >= II\"", "    when: \"level >= 'IV'\"",
     "escalation[", "'IV' is compared with a level but is not a level of this plan (III, II, I)"),
    ("missing-title", P, "    title: 书面报告内容完整 (the written report carries the listed content)\n", "",
     "requirements", "missing required key 'title'"),
    ("unknown-key", P, "    weight: 3\n", "    wieght: 3\n", "requirements", "unknown key 'wieght'"),
    # plan: cross references and structure
    ("duplicate-duty-id", P, "  - id: head-to-scene\n", "  - id: lobby-first-aid\n", "duties[7].id",
     "duty id 'lobby-first-aid' is used twice"),
    ("duplicate-report-id", P, "  - id: leader-written-office\n", "  - id: head-written-office\n",
     "escalation[", "report id 'head-written-office' is used twice"),
    ("duplicate-requirement-id", P, "  - id: ROB-17\n", "  - id: ROB-16\n", "requirements[16].id",
     "requirement id 'ROB-16' is used twice"),
    ("duplicate-level", P, "levels: [III, II, I]", "levels: [III, II, I, II]", "levels", "each level is named once"),
    ("unknown-role", P, "    role: cash_teller\n", "    role: cashier\n", "duties[0].role", "unknown role 'cashier'"),
    ("unknown-role-in-a-list", P, "    role: cash_teller\n", "    role: [cash_teller, telller]\n", "duties[0].role[1]",
     "unknown role 'telller' (did you mean 'teller'?)"),
    ("stops-unknown-task", P, "    role: cash_teller\n", "    role: cash_teller\n    stops: [teller-talkdown]\n",
     "duties[0].stops[0]", "unknown duty or report 'teller-talkdown' (did you mean 'teller-talk-down'?)"),
    ("unknown-channel", P, "    channel: alarm_button\n", "    channel: pager\n", "escalation[0].channel",
     "unknown channel 'pager'"),
    ("unknown-report-field", P, "    carries: [branch_name, place, time, nature]\n",
     "    carries: [branch_name, place, time, mood]\n", "carries[3]", "unknown report field 'mood'"),
    ("role-alias-of-another-role", P, "aliases: [领导小组组长, 领导小组副组长]",
     "aliases: [领导小组组长, 领导小组副组长, 办公室]",
     "roles.leadership_group.aliases[2]", "the name '办公室' of role 'leadership_group' also names role "
     "'upper_office': a drill log could not tell them apart"),
    ("role-name-of-another-role", P, "guard: {name: 大堂保安,", "guard: {name: 大堂经理,", "roles.guard.name",
     "the name '大堂经理' of role 'guard' also names role 'lobby_manager'"),
    ("role-name-is-another-role-s-id", P, "regulator: {name: 监管机构,", "regulator: {name: police,",
     "roles.regulator.name", "the name 'police' of role 'regulator' also names role 'police'"),
    ("role-name-spaced-like-another", P, "guard: {name: 大堂保安,", "guard: {name: \" 大堂经理 \",",
     "roles.guard.name", "the name ' 大堂经理 ' of role 'guard' also names role 'lobby_manager'"),
    ("role-name-reads-as-a-person", P, "security_dept: {name: 保卫部门,", "security_dept: {name: 保安-1,",
     "roles.security_dept.name", "a drill log reads '保安-1' as 保安 number 1, of role 'guard'"),
    ("role-alias-reads-as-a-branch", P, "aliases: [保安, 保安员]", "aliases: [保安, 保安/门卫]",
     "roles.guard.aliases[1]", "a drill log reads '保安/门卫' as a branch and a role"),
    ("channel-name-of-another-channel", P, "fax: {name: 传真,", "fax: {name: 电话,", "channels.fax.name",
     "the name '电话' of channel 'fax' also names channel 'phone'"),
    ("report-field-name-of-another", P, "  place: 地点\n", "  place: 营业网点名称\n", "report_fields.place",
     "the name '营业网点名称' of report field 'place' also names report field 'branch_name'"),
    ("incident-type-name-of-another", P, "explosive_robbery: {name: 持爆炸物抢劫}",
     "explosive_robbery: {name: armed_robbery}", "incident_types.explosive_robbery.name",
     "the name 'armed_robbery' of incident type 'explosive_robbery' also names incident type 'armed_robbery'"),
    ("report-id-of-a-duty", P, "  - id: alarm-110\n", "  - id: cash-lock\n", "escalation[0].id",
     "report id 'cash-lock' is also a duty's: a drill log's `stopped` row could not tell them apart"),
    ("grading-unknown-level", P, "    - {level: I, when: \"explosive or hostages\"}",
     "    - {level: IV, when: \"explosive or hostages\"}", "grading.rules[0].level", "unknown level 'IV'"),
    ("endless-loop", P, "    on: {event: acknowledged, actor: branch_head, target: upper_office, channel: phone}\n",
     "    on: {event: received, what: head-written-office}\n    repeat: true\n", "escalation[",
     "never stop: head-written-office -> head-written-office"),
    # scenario: the run
    ("horizon-zero", S, "horizon: 10h", "horizon: 0", "horizon", "longer than 0"),
    ("horizon-inf", S, "horizon: 10h", "horizon: .inf", "horizon", "finite"),
    ("horizon-nan", S, "horizon: 10h", "horizon: .nan", "horizon", "finite"),
    ("horizon-too-long", S, "horizon: 10h", "horizon: 100d", "horizon", "at most 90 days"),
    ("horizon-negative", S, "horizon: 10h", "horizon: -1", "horizon", "negative"),
    ("horizon-before-incident", S, "horizon: 10h", "horizon: 30s", "horizon",
     "the horizon (0.5 min) ends before any inject can happen (the first, 'robbers-enter', comes at 60 min"),
    ("horizon-at-incident", S, "horizon: 10h", "horizon: 1h", "horizon", "the incident never starts"),
    ("start-no-such-date", S, "start: 2026-03-12T09:00:00+08:00", "start: 2026-02-30T09:00:00+08:00", "",
     "'2026-02-30T09:00:00+08:00' is not a date that exists"),
    ("start-a-number", S, "start: 2026-03-12T09:00:00+08:00", "start: 0", "start", "a date is written like"),
    ("start-text", S, "start: 2026-03-12T09:00:00+08:00", "start: tomorrow", "start", "datetime"),
    ("start-near-the-last-date", S, "start: 2026-03-12T09:00:00+08:00", "start: 9999-12-31T23:00:00+08:00", "start",
     "the drill would run past 9999-12-30"),  # validated, and the run overflowed
    ("start-past-the-calendar", "complaints", "start: 2026-", "start: 2031-", "start",
     "past the Chinese calendar"),
    ("schema-wrong", S, "schema: drillsim.scenario/1", "schema: drillsim.scenario/9", "schema", "pattern"),
    ("written-for-another-plan", S, "plan: counter-robbery", "plan: atm", "plan",
     "written for plan 'atm', not 'counter-robbery'"),
    ("unknown-incident-type", S, "  type: armed_robbery", "  type: bank_robbery", "incident.type",
     "unknown incident type 'bank_robbery'"),
    # scenario: branches and customers
    ("arrivals-huge", S, "arrivals_per_hour: 60", "arrivals_per_hour: 1e308", "branches[0].customers.arrivals_per_hour",
     "from 0 to 600"),
    ("arrivals-quoted", S, "arrivals_per_hour: 60", "arrivals_per_hour: \"60\"",
     "branches[0].customers.arrivals_per_hour", "\"60\" is not a number"),
    ("arrivals-negative", S, "arrivals_per_hour: 60", "arrivals_per_hour: -5",
     "branches[0].customers.arrivals_per_hour", "from 0 to 600"),
    ("arrivals-nan", S, "arrivals_per_hour: 60", "arrivals_per_hour: .nan", "branches[0].customers.arrivals_per_hour",
     "from 0 to 600"),
    ("service-nan", S, "service: {exponential: 2.5}", "service: {exponential: .nan}", "branches[0].customers.service",
     "finite"),
    ("service-negative", S, "service: {exponential: 2.5}", "service: {exponential: -2.5}",
     "branches[0].customers.service", "negative"),
    ("closes-before-opens", S, "closes: \"17:00\"", "closes: \"08:00\"", "branches[0]",
     "closes at 08:00, before it opens at 09:00"),
    ("opens-no-such-time", S, "opens: \"09:00\"", "opens: \"25:00\"", "branches[0].opens", "time"),
    ("opens-a-number", S, "opens: \"09:00\"", "opens: 9", "branches[0].opens",
     "a time of day is written hours:minutes, like 09:00 or 17:30, got 9"),
    ("closes-with-an-offset", S, "closes: \"17:00\"", "closes: \"17:00+08:00\"", "branches[0].closes",
     "a time of day is written hours:minutes"),  # compared with the opening time, it was a crash
    ("closes-with-seconds", S, "closes: \"17:00\"", "closes: \"17:00:30\"", "branches[0].closes",
     "a time of day is written hours:minutes"),
    ("staffing-huge", S, "    name: 城东支行营业室\n", "    name: 城东支行营业室\n    staffing: {teller: 100000000}\n",
     "branches[0].staffing.teller", "less than or equal to 100"),
    ("staffing-negative", S, "    name: 城东支行营业室\n", "    name: 城东支行营业室\n    staffing: {teller: -1}\n",
     "branches[0].staffing.teller", "greater than or equal to 0"),
    ("staffing-quoted", S, "    name: 城东支行营业室\n", "    name: 城东支行营业室\n    staffing: {teller: \"2\"}\n",
     "branches[0].staffing.teller", "\"2\" is not a whole number"),
    ("branch-name-another-s-id", S, "incident:\n  type: armed_robbery", "  - id: west\n    name: branch\n"
     "incident:\n  type: armed_robbery", "branches[1].name",
     "branch name 'branch' is also another branch's id: a drill log could not tell them apart"),
    ("branch-name-twice", S, "incident:\n  type: armed_robbery", "  - id: west\n    name: 城东支行营业室\n"
     "incident:\n  type: armed_robbery", "branches[1].name",
     "branch name '城东支行营业室' is also another branch's name"),
    ("staffing-unknown-role", S, "    name: 城东支行营业室\n", "    name: 城东支行营业室\n    staffing: {clerk: 1}\n",
     "branches[0].staffing.clerk", "unknown branch role 'clerk'"),
    ("presence-unknown-role", S, "    name: 城东支行营业室\n",
     "    name: 城东支行营业室\n    presence: {upper_office: 0.5}\n",
     "branches[0].presence.upper_office", "unknown branch role 'upper_office'"),
    ("no-branches", S, "branches:\n  - id: branch\n", "branches: []\nold_branch:\n  - id: branch\n", "branches",
     "at least 1 item"),
    # scenario: injects and their facts
    ("fact-wrong-type", S, "facts: {injured: 1}", "facts: {injured: many}", "injects[1].facts.injured",
     "not a whole number"),
    ("fact-fraction-for-int", S, "facts: {injured: 1}", "facts: {injured: 1.5}", "injects[1].facts.injured",
     "not a whole number"),
    ("fact-nan", S, "facts: {injured: 1}", "facts: {injured: .nan}", "injects[1].facts.injured",
     "not a whole number"),
    ("fact-negative", S, "facts: {injured: 1}", "facts: {injured: -1}", "injects[1].facts.injured",
     "-1 is negative: a number fact"),
    ("fact-default-negative", P, "type: int, default: 0}\n  hostages", "type: int, default: -2}\n  hostages",
     "facts.injured", "-2 is negative"),
    ("fact-too-large", S, "facts: {injured: 1}", "facts: {injured: 99999999999999999999}", "injects[1].facts.injured",
     "too large: a whole-number fact is at most 9,007,199,254,740,992"),
    ("fact-not-boolean", S, "facts: {armed: true}", "facts: {armed: 有}", "injects[0].facts.armed", "not a boolean"),
    ("fact-number-for-boolean", S, "facts: {armed: true}", "facts: {armed: 1}", "injects[0].facts.armed",
     "not a boolean"),
    ("chance-on-int-fact", S, "facts: {injured: 1}", "facts: {injured: {chance: 0.2}}", "injects[1].facts.injured",
     "for a boolean fact only"),
    ("chance-over-one", S, "facts: {armed: true}", "facts: {armed: {chance: 1.5}}", "injects[0].facts.armed",
     "between 0 and 1"),
    ("distribution-on-boolean-fact", S, "facts: {armed: true}", "facts: {armed: {uniform: [0, 1]}}",
     "injects[0].facts.armed", "draws a number"),
    ("fact-distribution-nan", S, "facts: {injured: 1}", "facts: {injured: {uniform: [.nan, 3]}}",
     "injects[1].facts.injured", "finite"),
    ("unknown-fact", S, "facts: {armed: true}", "facts: {armd: true}", "injects[0].facts.armd", "unknown fact 'armd'"),
    ("inject-at-inf", S, "at: {triangular: [60, 150, 400]}", "at: {triangular: [60, 150, .inf]}", "injects[0].at",
     "finite"),
    ("inject-at-lognormal-nan", S, "at: {lognormal: {median: 2.5, p90: 9.5}}",
     "at: {lognormal: {median: 2.5, p90: .nan}}",
     "injects[2].at", "finite"),
    ("inject-at-lognormal-spread", S, "at: {lognormal: {median: 2.5, p90: 9.5}}",
     "at: {lognormal: {median: 0.001, p90: 9.5}}", "injects[2].at", "at most 1000 times its median"),
    ("inject-after-unknown", S, "    after: robbers-enter\n    at: {uniform",
     "    after: robbers-entry\n    at: {uniform",
     "injects[1].after", "must name an earlier inject"),
    ("inject-after-unknown-action", S, "    after: robbers-enter\n    at: {uniform",
     "    after: {event: action, what: sound_audibel_alarm}\n    at: {uniform", "injects[1].after.what",
     "unknown action name 'sound_audibel_alarm' (did you mean 'sound_audible_alarm'?); known: "),
    ("inject-after-unknown-fact", S, "    after: robbers-enter\n    at: {uniform",
     "    after: {event: fact, what: armd}\n    at: {uniform", "injects[1].after.what", "unknown fact name 'armd'"),
    ("inject-after-unknown-role", S, "    after: robbers-enter\n    at: {uniform",
     "    after: {event: sent, target: polise}\n    at: {uniform", "injects[1].after.target", "unknown role 'polise'"),
    ("inject-after-unknown-event", S, "    after: robbers-enter\n    at: {uniform",
     "    after: {event: acted}\n    at: {uniform", "injects[1].after.event", "unknown event kind 'acted'"),
    ("inject-duplicate-id", S, "  - id: customer-injured\n", "  - id: robbers-enter\n", "injects[1].id",
     "inject id 'robbers-enter' is used twice"),
    ("inject-no-branches", S, "    facts: {armed: true}\n", "    facts: {armed: true}\n    branches: []\n",
     "injects[0].branches", "at least 1 item"),
    ("inject-unknown-branch", S, "    facts: {armed: true}\n", "    facts: {armed: true}\n    branches: [west]\n",
     "injects[0].branches", "unknown branch 'west'"),
    ("inject-when-unknown-name", S, "    facts: {armed: true}\n", "    facts: {armed: true}\n    when: \"bogus\"\n",
     "injects[0].when", "'bogus', which is not defined"),
    ("inject-when-divides-by-a-fact", S, "    facts: {armed: true}\n",
     "    facts: {armed: true}\n    when: \"1 / injured > 0\"\n", "injects[0].when", "divides by 'injured'"),
    ("inject-when-true-false-with-text", S, "    facts: {armed: true}\n",
     "    facts: {armed: true}\n    when: \"armed < 'x'\"\n", "injects[0].when",
     "'armed' is true or false and cannot be compared with \"'x'\""),
    ("inject-disrupts-not-boolean", S, "    facts: {armed: true}\n", "    facts: {armed: true}\n    disrupts: 0\n",
     "injects[0].disrupts", "not a boolean"),
    # scenario: parameters
    ("omission-over-one", S, "omission: {default: 0.02}", "omission: {default: 1.5}",
     "parameters.human.omission.default", "between 0 and 1"),
    ("omission-unknown-task", S, "omission: {default: 0.02}", "omission: {defualt: 0.02}",
     "parameters.human.omission.defualt", "unknown duty or report 'defualt'"),
    ("field-omission-nan", S, "field_omission: 0.05", "field_omission: .nan", "parameters.human.field_omission",
     "between 0 and 1"),
    ("reaction-negative", S, "reaction: {lognormal: {median: \"15s\", p90: 1min}}", "reaction: {fixed: -1}",
     "parameters.human.reaction", "negative"),
    ("reaction-of-an-agency", S, "reaction: {lognormal: {median: \"15s\", p90: 1min}}",
     "reaction_by_role: {police: 1min}", "parameters.human.reaction_by_role.police",
     "unknown staff or office role 'police'"),
    ("reaction-of-a-role-not-in-the-plan", S, "reaction: {lognormal: {median: \"15s\", p90: 1min}}",
     "reaction_by_role: {telller: 1min}", "parameters.human.reaction_by_role.telller",
     "unknown staff or office role 'telller'"),
    ("channel-failure-over-one", S, "  human:\n", "  channels: {phone: {failure: 2}}\n  human:\n",
     "parameters.channels.phone.failure", "between 0 and 1"),
    ("channel-unknown", S, "  human:\n", "  channels: {pager: {failure: 0.1}}\n  human:\n",
     "parameters.channels.pager", "unknown channel 'pager'"),
    ("agency-units-huge-in-scenario", S, "  human:\n", "  agencies: {police: {units: 100000}}\n  human:\n",
     "parameters.agencies.police.units", "less than or equal to 100"),
    ("agency-travel-inf", S, "  human:\n", "  agencies: {police: {travel: .inf}}\n  human:\n",
     "parameters.agencies.police.travel", "finite"),
    ("agency-unknown", S, "  human:\n", "  agencies: {fbi: {units: 1}}\n  human:\n", "parameters.agencies.fbi",
     "unknown agency 'fbi'"),
    ("duration-unknown-task", S, "  human:\n", "  durations: {lock-cash: 1}\n  human:\n",
     "parameters.durations.lock-cash", "unknown duty or report 'lock-cash'"),
    ("botch-without-botch-as", S, "botch: {guard-observe: 0.05}", "botch: {guard-observe: 0.05, cash-lock: 0.1}",
     "parameters.human.botch.cash-lock", "'cash-lock' has no botch_as in the plan, so it cannot be done wrongly"),
    ("answer-within-asynchronous", S, "  human:\n", "  channels: {fax: {answer_within: 2}}\n  human:\n",
     "parameters.channels.fax.answer_within", "channel 'fax' is not synchronous"),
    ("talk-asynchronous", S, "  human:\n", "  channels: {electronic: {talk: 2}}\n  human:\n",
     "parameters.channels.electronic.talk", "so talk does not apply"),
    ("office-presence-nan", S, "  human:\n", "  presence: {upper_office: .nan}\n  human:\n",
     "parameters.presence.upper_office", "between 0 and 1"),
    # experiments
    ("reps-negative", G, "reps: 1000", "reps: -1", "reps", "greater than or equal to 2"),
    ("reps-quoted", G, "reps: 1000", "reps: \"1000\"", "reps", "\"1000\" is not a whole number"),
    ("reps-huge", G, "reps: 1000", "reps: 100000000", "reps", "less than or equal to 1000000"),
    ("reps-float", G, "reps: 1000", "reps: 1e308", "reps", "1e+308 is not a whole number"),
    ("experiment-seed-negative", G, "seed: 2026", "seed: -1", "seed", "greater than or equal to 0"),
    ("factor-unknown-parameter", G, "staffing.teller", "staffing.clerk", "factors.tellers.levels[0]",
     "unknown branch role 'clerk'"),
    ("factor-unknown-key", G, "plan.roles.branch_head.presence", "plan.roles.branch_head.presense",
     "factors.tellers.levels[0]", "unknown key 'presense'"),
    ("factor-unknown-item", G, "scenario.branches[branch]", "scenario.branches[west]", "factors.tellers.levels[0]",
     "no item with id 'west'"),
    ("factor-unknown-file", G, "set: scenario.branches", "set: office.branches", "factors.tellers.set", "pattern"),
    ("factor-no-levels", G, "levels: [1, 2, 3]", "levels: []", "factors.tellers.levels", "at least 1 item"),
    ("factor-level-huge", G, "levels: [1, 2, 3]", "levels: [1, 2, 100000000]", "factors.tellers.levels[2]",
     "less than or equal to 100"),
    ("factor-level-not-probability", G, "levels: [0.5, 0.9]", "levels: [0.5, 1.5]", "factors.tellers.levels",
     "between 0 and 1"),
    ("factor-levels-repeated", G, "levels: [1, 2, 3]", "levels: [1, 1, 3]", "factors.tellers.levels",
     "two configurations are named 'tellers=1, head_on_site=0.5'"),
    ("grid-too-large", G, "levels: [0.5, 0.9]", "levels: [" + ", ".join(f"0.{i:03d}" for i in range(1, 101)) + "]",
     "factors", "the grid has 300 configurations"),
    ("experiment-plan-unknown", G, "plan: counter-robbery", "plan: counter-robbry", "plan",
     "'counter-robbry': no such file, and no built-in plan has this id; did you mean counter-robbery"),
    ("experiment-scenario-unknown", G, "scenario: armed-robbery-injured", "scenario: armed-robbery", "scenario",
     "'armed-robbery': no such file, and no built-in scenario has this id"),
    ("condition-unknown-incident-type", P, 'when: "explosive or hostages"', 'when: "type == \'explosive\'"',
     "grading.rules[0].when", "'explosive' is not a type of this plan (armed_robbery, explosive_robbery)"),
    ("report-field-id-with-a-separator", P, "report_fields:\n", "report_fields:\n  when、where: 时间地点\n",
     "report_fields", "the report field id 'when、where' holds a space or a separator"),
    ("factors-one-path", G, "set: plan.roles.branch_head.presence", "set: scenario.branches[branch].staffing.teller",
     "factors.head_on_site.set",
     "and 'scenario.branches[branch].staffing.teller' of factor 'tellers' set the same value"),
    ("factors-one-inside-another", G, "set: plan.roles.branch_head.presence", "set: scenario.branches[branch]",
     "factors.head_on_site.set", "set the same value (one inside the other)"),
    ("factors-one-holding-another-s-item", G, "set: plan.roles.branch_head.presence", "set: scenario.branches",
     "factors.head_on_site.set", "set the same value (one inside the other)"),
    ("list-paths-overlap", L, "fallback: [branch_head]",
     "fallback: [branch_head]\n      plan.escalation[report-head]: {}",
     "configurations[2].set.plan.escalation[report-head]",
     "and 'plan.escalation[report-head].to' set the same value (one inside the other)"),
    ("grid-without-factors", L, "design: list", "design: grid", "", "a grid design needs factors"),
    ("list-without-configurations", G, "design: grid", "design: list", "", "a list design needs configurations"),
    ("baseline-unknown", G, "baseline: \"tellers=2, head_on_site=0.9\"", "baseline: \"tellers=5\"", "baseline",
     "baseline 'tellers=5' is not a configuration"),
    ("list-unknown-item", L, "plan.escalation[head-phone-office].to", "plan.escalation[head-fax-office].to",
     "configurations[1].set", "no item with id 'head-fax-office'"),
    ("list-unknown-role", L, "to: leadership_group", "to: nobody", "configurations[1]",
     "unknown role 'nobody'"),
    ("list-travel-inf", L, "{lognormal: {median: 15, p90: 25}}", "{lognormal: {median: 15, p90: .inf}}",
     "configurations[3]", "finite"),
    ("experiment-schema", G, "schema: drillsim.experiment/1", "schema: drillsim.experiment/2", "schema",
     "drillsim.experiment/1"),
    # programmes
    ("experiment-plan-empty", G, "plan: counter-robbery", "plan: ''", "plan",
     "the name is empty: give a plan file or the id of a built-in plan"),  # it was read as the folder "."
    ("programme-plan-name-too-long", M, "    plan: counter-robbery", "    plan: " + "x" * 300, "items[",
     "no such file, and no built-in plan has this id"),  # os.stat raised "File name too long"
    ("programme-no-such-date", M, "date: 2026-03-31", "date: 2026-02-30", "", "'2026-02-30' is not a date that exists"),
    ("programme-date-outside-year", M, "date: 2026-03-31", "date: 2025-12-31", "items[2].date",
     "outside the programme's year 2026"),
    ("programme-dates-outside-year", M, "dates: [2026-03-31, 2026-06-30, 2026-09-30, 2026-12-31]",
     "dates: [2026-03-31, 2026-06-30, 2026-09-30, 2027-01-04]", "items[3].dates[3]", "outside the programme's year"),
    ("programme-year-declared", M, "items:\n", "year: 2027\nitems:\n", "items[0].date",
     "outside the programme's year 2027"),
    ("programme-year-absurd", M, "items:\n", "year: 1800\nitems:\n", "year", "greater than or equal to 2000"),
    ("programme-duplicate-id", M, "  - id: responsibility-letters\n", "  - id: leadership-group\n", "items[1].id",
     "item id 'leadership-group' is used twice"),
    ("programme-date-number", M, "date: 2026-03-31", "date: 0", "items[2]", "a date is written like"),
    ("programme-same-date-twice", M, "dates: [2026-05-15, 2026-09-15]", "dates: [2026-05-15, 2026-05-15]",
     "items[5].dates", "the same date is given twice"),
    ("programme-no-dates", M, "dates: [2026-05-15, 2026-09-15]", "dates: []", "items[5].dates", "at least 1 item"),
    ("programme-unknown-kind", M, "    kind: meeting\n", "    kind: party\n", "items[5].kind", "'drill'"),
    ("programme-seed-negative", M, "    seed: 1\n", "    seed: -1\n", "items[8].seed", "greater than or equal to 0"),
    ("programme-at-no-such-time", M, "    at: \"10:30\"\n", "    at: \"25:30\"\n", "items[9].at", "time"),
    ("programme-at-a-number", M, "    at: \"10:30\"\n", "    at: 630\n", "items[9].at", "a time of day is written"),
    ("programme-unknown-scenario", M, "    scenario: robbers-flee\n", "    scenario: robbers-fly\n",
     "items[11] (drill-q4-flee)",
     "no built-in scenario has this id"),
    ("programme-unknown-plan", M, "    plan: it-incident-grading\n", "    plan: it-grading\n",
     "items[10] (drill-q3-it-outage)", "no built-in plan has this id"),
    ("programme-drill-wrong-plan", M, "    plan: it-incident-grading\n", "    plan: counter-robbery\n",
     "items[10] (drill-q3-it-outage)", "written for plan 'it-incident-grading'"),
    ("programme-task-names-a-plan", M, "    date: 2026-10-31\n", "    date: 2026-10-31\n    plan: counter-robbery\n",
     "items[6]", "only a drill does"),
    ("programme-date-and-dates", M, "    date: 2026-10-31\n", "    date: 2026-10-31\n    dates: [2026-10-30]\n",
     "items[6]", "not both"),
]


def test_the_corpus_is_large_and_its_ids_distinct():
    ids = [c[0] for c in CASES]
    assert len(ids) >= 90 and len(set(ids)) == len(ids)


@pytest.mark.parametrize(("kind", "old", "new", "place", "wrong"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_file_is_refused_naming_file_place_and_fault(tmp_path, kind, old, new, place, wrong):
    text = TEXT[kind]
    assert text.count(old) >= 1, old
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with time_limit(10), pytest.raises(InputError) as err:
        load(kind, path)
    message = str(err.value)
    assert message.startswith(str(path)), message
    assert re.match(re.escape(str(path)) + r":\d+: ", message) or place, message  # a line, or a key path
    assert place in message, message
    assert wrong in message, message


def test_numbers_are_read_as_yaml_1_2_reads_them(tmp_path):
    # YAML 1.1 read 17:00 as 1020 (base 60), 010 as 8 (octal), 0b11 and 1_000 as numbers
    path = tmp_path / "numbers.yaml"
    path.write_text("[17:00, 1:30, 010, 0o17, 0x1F, 0b11, 1_000, 1e3, -.5, .inf, 2026-03-12]\n", encoding="utf-8")
    data, _ = load_yaml(path)
    assert data[:-2] == ["17:00", "1:30", 10, 15, 31, "0b11", "1_000", 1000.0, -0.5]
    assert data[-2] == float("inf") and str(data[-1]) == "2026-03-12"


def test_a_number_tag_on_something_else_is_refused_at_its_line(tmp_path):
    path = tmp_path / "tagged.yaml"
    path.write_text("a: 1\nb: !!int 1:30\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}:2: '1:30' is not a whole number")):
        load_yaml(path)


def test_a_time_of_day_may_be_written_unquoted_and_with_one_digit_hours(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(TEXT[S].replace('opens: "09:00"', "opens: 9:00").replace('closes: "17:00"', "closes: 17:00"),
                    encoding="utf-8")
    branch = load(S, path).branches[0]
    assert (branch.opens, branch.closes) == (time(9, 0), time(17, 0))  # YAML 1.1 read 00:09 and 00:17


def test_a_refused_item_is_not_also_reported_as_a_list_too_short(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(TEXT[S].replace('opens: "09:00"', "opens: 9"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(S, path)
    assert str(err.value) == f"{path}:14: at branches[0].opens a time of day is written hours:minutes, like 09:00 " \
        "or 17:30, got 9"  # not also "at branches Tuple should have at least 1 item after validation, not 0"


def test_the_problems_after_a_list_too_short_left_out_are_still_reported(tmp_path):
    path = tmp_path / "scenario.yaml"
    text = TEXT[S].replace('opens: "09:00"', "opens: 9").replace('reaction: {lognormal: {median: "15s", p90: 1min}}',
                                                               "reaction: -1")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(S, path)
    assert [e.place for e in err.value.errors] == ["branches[0].opens", "parameters.human.reaction"]


@pytest.mark.parametrize(("character", "shown"), [("\x0b", "'\\x0b' (U+000B)"), ("\x00", "'\\x00' (U+0000)"),
                                                ("\x1b", "'\\x1b' (U+001B)")])
def test_a_control_character_is_refused_at_its_line_and_column(tmp_path, character, shown):
    path = tmp_path / "scenario.yaml"
    path.write_text(TEXT[S].replace("description: 一名客户被歹徒刺伤", f"description: 一名客户被{character}歹徒刺伤"),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load(S, path)
    assert str(err.value) == f"{path}:28: column 23: the control character {shown} may not be in a YAML file; delete it"


def test_a_drill_ending_on_the_last_day_drillsim_counts_to_runs_and_a_minute_later_is_refused(tmp_path):
    path = tmp_path / "scenario.yaml"
    for start, horizon in (("9999-12-30T13:59:00+08:00", "10h"), ("9999-09-30T23:59:00+08:00", "90d")):
        path.write_text(TEXT[S].replace("start: 2026-03-12T09:00:00+08:00", f"start: {start}")
                        .replace("horizon: 10h", f"horizon: {horizon}"), encoding="utf-8")
        plan = load_plan(CORPUS / "counter-robbery.yaml")
        scenario = load_scenario(path, plan)
        card = drillsim.score(plan, drillsim.simulate(drillsim.build(plan, scenario), seed=0))
        assert len(card.to_frame()) == len(plan.requirements)
    path.write_text(TEXT[S].replace("start: 2026-03-12T09:00:00+08:00", "start: 9999-12-30T14:00:00+08:00"),
                    encoding="utf-8")
    with pytest.raises(InputError, match="at start the drill would run past 9999-12-30"):
        load(S, path)
