"""Mutated drill logs: refused with an error naming the file and a row, or scored with every anomaly warned of."""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drillsim
from drillsim.log.drill_log import read_drill_log
from drillsim.spec.errors import InputError
from tests.conftest import ROOT

PLAN = drillsim.load_plan("counter-robbery")
EXAMPLE = (ROOT / "examples" / "drill-log-robbery.csv").read_text("utf-8").splitlines()
HEADER, ROWS = EXAMPLE[0].split(","), [line.split(",") for line in EXAMPLE[1:]]
# the first row has the date; later rows only a time: give every row its date so that shuffles stay legal
DATED = [["2026-03-12 " + r[0] if i else r[0], *r[1:]] for i, r in enumerate(ROWS)]
WORDS = st.sampled_from(["", "lock_cashh", "临柜人员-9", "10:61", "true", "1", "有", "II", "IV", "sent", "received",
                         "电话", "x,y", "2026-03-12 09:00:00", "现金入柜上锁", "出纳", "armed", "-3", "nan"])

edit_cell = st.tuples(st.just("edit"), st.integers(0, 100), st.integers(0, 7), WORDS)
swap_rows = st.tuples(st.just("swap"), st.integers(0, 100), st.integers(0, 100))
dup_row = st.tuples(st.just("dup"), st.integers(0, 100))
drop_row = st.tuples(st.just("drop"), st.integers(1, 100))  # never the first row: it gives the date
add_col = st.tuples(st.just("add_col"), WORDS)
drop_col = st.tuples(st.just("drop_col"), st.integers(0, 7))
shuffle = st.tuples(st.just("shuffle"), st.randoms(use_true_random=False))
truncate = st.tuples(st.just("truncate"), st.integers(0, 100), st.integers(0, 7))
MUTATIONS = st.lists(st.one_of(edit_cell, swap_rows, dup_row, drop_row, add_col, drop_col, shuffle, truncate),
                     min_size=1, max_size=4)


def _mutate(header: list[str], rows: list[list[str]], ops) -> tuple[list[str], list[list[str]], set[str]]:
    """The mutated table, and the anomalies it must be warned of if it is accepted."""
    header, rows = list(header), [list(r) for r in rows]
    expect: set[str] = set()
    for op in ops:
        if not rows:
            break
        kind = op[0]
        if kind == "edit":
            row = rows[op[1] % len(rows)]
            if op[2] < len(row):
                row[op[2]] = op[3]
        elif kind == "swap":
            i, j = op[1] % len(rows), op[2] % len(rows)
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "dup":
            i = op[1] % len(rows)
            rows.insert(i + 1, list(rows[i]))
        elif kind == "drop" and len(rows) > 1:
            del rows[op[1] % len(rows)]
        elif kind == "add_col":
            header.append(op[1] or "备注")
            rows = [[*r, ""] for r in rows]
        elif kind == "drop_col" and op[1] < len(header):
            del header[op[1]]
            rows = [[c for k, c in enumerate(r) if k != op[1]] for r in rows]
        elif kind == "shuffle":
            op[1].shuffle(rows)
        elif kind == "truncate":
            row = rows[op[1] % len(rows)]
            del row[op[2] + 1:]
    padded = [tuple(c.strip() for c in r) + ("",) * (len(header) - len(r)) for r in rows if any(c.strip() for c in r)]
    if len(set(padded)) < len(padded):
        expect.add("repeats row")
    return header, rows, expect


def _csv(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


@settings(derandomize=True, max_examples=150, deadline=2000,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=MUTATIONS, dated=st.booleans())
def test_a_mutated_drill_log_is_refused_naming_a_row_or_scored_with_its_anomalies_warned(tmp_path, ops, dated):
    header, rows, expect = _mutate(HEADER, DATED if dated else ROWS, ops)
    path = tmp_path / "drill.csv"
    path.write_text(_csv(header, rows), encoding="utf-8")
    try:
        log = read_drill_log(path, PLAN)
    except InputError as err:
        for e in err.problems:
            text = str(e)
            assert text.startswith(f"{path}"), text
            assert "Traceback" not in text
            if "no row has event 'inject'" not in text:  # a whole-file problem has no row
                assert re.match(rf"{re.escape(str(path))}:\d+: ", text), text
        return
    card = drillsim.score(PLAN, log, "armed_robbery")
    assert {r.id for r in card.results} == {r.id for r in PLAN.requirements}
    texts = " | ".join(str(w) for w in card.warnings)
    for anomaly in expect:
        assert anomaly in texts, texts
    times = [row.t for row in log.rows]
    assert times == sorted(times)


@settings(derandomize=True, max_examples=60, deadline=2000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(list(range(1, len(DATED)))))
def test_dated_rows_in_any_order_score_as_the_log_in_order_with_one_warning(tmp_path, order):
    path = tmp_path / "drill.csv"
    path.write_text(_csv(HEADER, DATED), encoding="utf-8")
    clean = drillsim.score(PLAN, read_drill_log(path, PLAN), "armed_robbery")
    path.write_text(_csv(HEADER, [DATED[0], *(DATED[i] for i in order)]), encoding="utf-8")
    log = read_drill_log(path, PLAN)
    card = drillsim.score(PLAN, log, "armed_robbery")
    outcomes = [(r.id, r.outcome, r.latency) for r in card.results]
    assert outcomes == [(r.id, r.outcome, r.latency) for r in clean.results]
    out_of_order = any(DATED[a][0] > DATED[b][0] for a, b in itertools.pairwise(order))
    assert [w for w in log.warnings if "earlier than a row above" in str(w)] != [] or not out_of_order
