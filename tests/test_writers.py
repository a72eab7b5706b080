"""A drill's outputs are a list of writers: the default list writes the five files, a custom writer is called."""

from pathlib import Path

import drillsim
from drillsim.reports.writers import DEFAULT_WRITERS, Writer


def _drill():
    plan = drillsim.load_plan("counter-robbery")
    log = drillsim.simulate(plan, drillsim.load_scenario("armed-robbery-injured", plan), seed=7)
    return plan, log, drillsim.score(plan, log)


def test_the_default_writers_write_the_log_the_scorecard_and_the_report(tmp_path):
    plan, log, card = _drill()
    files = drillsim.write_drill(plan, log, card, tmp_path / "drill").files
    assert {k: v.name for k, v in files.items()} == {
        "log_csv": "events.csv", "log_parquet": "events.parquet", "scorecard": "scorecard.json",
        "timeline": "timeline.png", "report": "report.html"}
    assert sorted(p.name for p in (tmp_path / "drill").iterdir()) == sorted(p.name for p in files.values())
    assert [w.name for w in DEFAULT_WRITERS] == ["log_csv", "log_parquet", "scorecard", "report"]


def test_a_writer_added_to_the_list_is_called_with_the_drill_and_its_file_returned(tmp_path):
    plan, log, card = _drill()
    seen = []

    def rating(plan_, log_, card_, out: Path) -> dict[str, Path]:
        seen.append((plan_, log_, card_, out))
        path = out / "rating.txt"
        path.write_text(card_.rating, encoding="utf-8")
        return {"rating": path}

    out = tmp_path / "drill"
    files = drillsim.write_drill(plan, log, card, out, writers=[*DEFAULT_WRITERS, Writer("rating", rating)]).files
    assert seen == [(plan, log, card, out)]
    assert files["rating"] == out / "rating.txt" and files["rating"].read_text("utf-8") == card.rating
    assert len(files) == 6


def test_only_the_writers_given_write(tmp_path):
    plan, log, card = _drill()
    scorecard_only = [w for w in DEFAULT_WRITERS if w.name == "scorecard"]
    files = drillsim.write_drill(plan, log, card, tmp_path, writers=scorecard_only).files
    assert list(files) == ["scorecard"] and [p.name for p in tmp_path.iterdir()] == ["scorecard.json"]
