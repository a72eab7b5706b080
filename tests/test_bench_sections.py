"""The sections of ``make bench`` that drive drillsim as a user does (benchmarks/run.py: the batch on 1 and
2 workers, the command end to end) still run against the code, at a few replications. Counts and keys
only: the times are the benchmark's (docs/performance.md)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import run  # benchmarks/run.py, on the path above


def test_the_batch_section_runs_the_batch_on_one_and_two_workers_and_writes_its_report():
    got = run.batch_speedup(40, 1)
    assert got["replications"] == 40 and got["turns"] == 1
    for one_run in got["workers_1"] + got["workers_2"]:
        assert one_run["batch_seconds"] > 0 and one_run["report_seconds"] > 0
    assert got["speedup_batch"] > 0


def test_the_command_section_runs_drillsim_run_with_and_without_examples():
    got = run.command(40, 1)
    assert set(got["median_seconds"]) == {"default", "no_examples"}
    assert all(seconds > 0 for seconds in got["median_seconds"].values())


def test_the_scoring_section_counts_each_size_in_time_and_in_bytecodes():
    from scoring_sizes import scoring_sizes

    got = scoring_sizes((100, 1_000), rounds=1)
    assert set(got["sizes"]) == {"100", "1000"}
    for size in got["sizes"].values():
        assert size["us_per_row"] > 0 and size["bytecodes_per_row"] > 10
    big, small = got["sizes"]["1000"], got["sizes"]["100"]
    assert got["per_row_ratio_bytecodes"] == round(big["bytecodes_per_row"] / small["bytecodes_per_row"], 3)
    # a log of no rows still makes every requirement's result and the ratings
    assert got["bytecodes_per_log"] > 17 * 50
    # the floor (results made and rated, nothing checked) is below a scorecard, and the allowance is
    # what a ratio of 1.2 leaves at the smallest log's rows
    assert 17 * 10 < got["floor_bytecodes_per_log"] < got["bytecodes_per_log"]
    assert 0 < got["floor_us_per_log"] < got["us_per_log"]
    assert got["allowed_bytecodes_per_log"] == round(0.2 * big["bytecodes_per_row"] * small["rows"])
    assert got["allowed_us_per_log"] == round(0.2 * big["us_per_row"] * small["rows"], 1)


def test_the_long_log_section_scores_a_drill_log_with_the_command_and_reads_its_peak_memory():
    from long_log import long_log

    got = long_log(300, 1)
    assert 200 < got["rows"] < 400 and got["turns"] == 1
    assert got["median_seconds"] > 0 and got["median_peak_mb"] > 50
    assert 0 < got["median_gc_seconds"] < got["median_seconds"]


def test_a_second_run_on_a_day_keeps_the_first_run_s_figures(tmp_path):
    from datetime import UTC, datetime

    morning, noon = datetime(2026, 12, 7, 9, 5, tzinfo=UTC), datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
    first = run.results_path(tmp_path / "results", morning, "-scoring")
    assert first.name == "2026-12-07-scoring.json"
    first.write_text("{}")
    assert run.results_path(tmp_path / "results", noon, "-scoring").name == "2026-12-07T1230-scoring.json"
    assert run.results_path(tmp_path / "results", noon, "").name == "2026-12-07.json"
