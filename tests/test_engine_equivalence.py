"""The engine plays drills the same in distribution as the recorded one (scripts/equivalence.py).

Four scenarios that between them reach much of the engine — the demo robbery (retries, unanswered
calls, customers), three branches of the service guideline (phone fallbacks, many retries), the IT
grading office (tasks that interrupt the job in hand) and a counter-security robbery (an office that
monitors the branch) — run 150 replications after the recorded ones, and every statistic is
compared with ``tests/data/engine_reference.json`` by a Welch z with a Bonferroni bound. After an
intended change of behaviour, record again with ``.venv/bin/python scripts/equivalence.py --record``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import equivalence

SCENARIOS = ["armed-robbery-injured", "service-guideline-system-multi", "it-outage-one-province",
             "counter-security-robbery"]
REPS = 150


def test_the_engine_plays_the_recorded_distributions():
    comparisons, missing = equivalence.check(SCENARIOS, REPS)
    assert missing == []
    assert len(comparisons) > 200
    flagged = equivalence.flagged(comparisons)
    assert flagged == [], "\n" + equivalence.table(flagged)


def test_a_shifted_or_constant_statistic_is_a_difference_and_an_equal_one_is_not():
    stat = equivalence.Stat(300, 10.0, 4.0)
    shifted = equivalence.Stat(150, 11.0, 4.0)
    assert equivalence.welch_z(stat, stat) == 0.0
    assert equivalence.welch_z(stat, shifted) == 1.0 / (4.0 / 300 + 4.0 / 150) ** 0.5
    constant = equivalence.Stat(300, 1.0, 0.0)
    assert equivalence.welch_z(constant, constant) is None
    assert equivalence.welch_z(constant, equivalence.Stat(150, 0.0, 0.0)) == float("-inf")


def test_a_statistic_defined_less_often_is_compared_by_its_share():
    recorded = {"latency R": equivalence.Stat(300, 5.0, 1.0), "met R": equivalence.Stat(300, 1.0, 0.0)}
    present = {"latency R": equivalence.Stat(100, 5.0, 1.0)}  # defined in 100 of 150; never met
    found = {c.statistic: c.z for c in equivalence.compare(recorded, 300, present, 150, "s")}
    assert found["latency R"] == 0.0
    assert found["met R"] == float("-inf")
    assert found["latency R (share defined)"] < -5  # 2/3 against always
