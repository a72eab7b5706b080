"""Many replications and experiments from Python (``drillsim.replicate``, ``drillsim.experiment``):
the command line's results as pandas tables, in memory until written."""

import json

import pandas as pd
import pytest

import drillsim
from drillsim.sim.seeds import replication_seed
from drillsim.spec.errors import InputError
from tests.clirun import drillsim as cli
from tests.conftest import ROOT

PLAN, SCENARIO, REPS, SEED, CHUNK = "counter-robbery", "robbers-flee", 30, 4, 10


@pytest.fixture(scope="module")
def robbery():
    plan = drillsim.load_plan(PLAN)
    return plan, drillsim.load_scenario(SCENARIO, plan)


@pytest.fixture(scope="module")
def runs(robbery):
    return drillsim.replicate(*robbery, REPS, seed=SEED, chunk=CHUNK)


@pytest.fixture(scope="module")
def command_line(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    ran = cli("run", PLAN, SCENARIO, "--reps", REPS, "--seed", SEED, "--workers", 1, "--examples", 2, "--out", out)
    assert ran.code == 0
    assert "examples" in ran.err and "2/2" in ran.err  # the re-runs have their progress bar
    return out


def test_the_command_line_writes_the_examples_asked_for(command_line):
    written = json.loads((command_line / "summary.json").read_text("utf-8"))["examples"]
    assert len(written) == 2
    assert sorted(p.name for p in (command_line / "examples").iterdir()) == sorted(
        f"replication-{i}" for i in written)


def parquet_table(out):
    return pd.read_parquet(out / "results" / "config=base")


def test_the_results_are_the_table_the_command_line_writes(runs, command_line):
    pd.testing.assert_frame_equal(runs.results, parquet_table(command_line))


def test_the_summary_gives_the_numbers_of_the_command_lines_summary(runs, command_line):
    written = json.loads((command_line / "summary.json").read_text("utf-8"))["requirements"]
    frame = runs.summary.set_index("requirement")
    assert frame.index.tolist() == [r["id"] for r in written]
    for req in written:
        row = frame.loc[req["id"]]
        assert row["replications"] == REPS and row["applicable"] == req["applicable"]
        assert row["met"] == req["outcomes"]["met"] and row["late"] == req["outcomes"]["late"]
        if req["p_met"] is None:
            assert pd.isna(row["p_met"]) and pd.isna(row["p_met_low"])
        else:
            assert (row["p_met"], row["p_met_low"], row["p_met_high"]) == (req["p_met"], *req["p_met_ci95"])
        for k in ("mean", "median", "p90", "p95", "p99"):
            expected = req["latency_min"][k]
            assert pd.isna(row[f"latency_{k}"]) if expected is None else row[f"latency_{k}"] == expected


def test_replication_i_is_the_drill_run_alone_with_its_seed(robbery, runs):
    plan, scenario = robbery
    i = 17
    card = drillsim.score(plan, drillsim.simulate(plan, scenario, replication_seed(SEED, i)))
    rows = runs.results[runs.results["replication"] == i]
    assert rows["outcome"].astype(str).tolist() == [r.outcome.value for r in card.results]
    assert rows["score"].iloc[0] == pytest.approx(card.score)


def test_nothing_is_written_until_asked(robbery, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runs = drillsim.replicate(*robbery, 5, seed=1)
    assert len(runs.results) and len(runs.summary)  # computing the tables writes nothing either
    assert list(tmp_path.iterdir()) == []


def test_the_number_of_workers_does_not_change_the_results(robbery, runs):
    two = drillsim.replicate(*robbery, REPS, seed=SEED, workers=2, chunk=CHUNK)
    pd.testing.assert_frame_equal(two.results, runs.results)
    pd.testing.assert_frame_equal(two.summary, runs.summary)


def test_another_seed_gives_other_results(robbery, runs):
    other = drillsim.replicate(*robbery, REPS, seed=SEED + 1, chunk=CHUNK)
    assert not other.results.equals(runs.results)


def test_write_gives_the_files_of_the_command_line(runs, command_line, tmp_path):
    out = tmp_path / "written"
    files = runs.write(out, examples=2).files
    assert files["summary"] == out / "summary.json" and (out / "report.html").exists()
    assert (out / "summary.json").read_bytes() == (command_line / "summary.json").read_bytes()
    record = json.loads((out / "batch.json").read_text("utf-8"))
    assert (record["reps"], record["seed"], record["chunk"]) == (REPS, SEED, CHUNK)  # --resume can finish it
    pd.testing.assert_frame_equal(parquet_table(out), parquet_table(command_line))
    examples = sorted(p.name for p in (out / "examples").iterdir())
    assert examples == sorted(p.name for p in (command_line / "examples").iterdir()) and examples


def test_write_refuses_an_earlier_runs_folder_unless_overwrite(runs, robbery, tmp_path):
    runs.write(tmp_path, examples=0)
    other = drillsim.replicate(*robbery, 4, seed=9)
    with pytest.raises(InputError, match="holds the results of an earlier run: write with overwrite=True"):
        other.write(tmp_path, examples=0)
    other.write(tmp_path, examples=0, overwrite=True)
    assert parquet_table(tmp_path)["replication"].max() == 3
    assert json.loads((tmp_path / "summary.json").read_text("utf-8"))["reps"] == 4


# An experiment ---------------------------------------------------------------------------------

EXPERIMENT, EXP_REPS = "robbery-staffing", 12


@pytest.fixture(scope="module")
def staffing():
    return drillsim.experiment(EXPERIMENT, reps=EXP_REPS, chunk=5)


@pytest.fixture(scope="module")
def experiment_command_line(tmp_path_factory):
    folder = tmp_path_factory.mktemp("experiment")
    source = (ROOT / "experiments" / f"{EXPERIMENT}.yaml").read_text("utf-8")
    assert "\nreps: 1000\n" in source
    (folder / "few.yaml").write_text(source.replace("\nreps: 1000\n", f"\nreps: {EXP_REPS}\n"), "utf-8")
    out = folder / "out"
    assert cli("experiment", folder / "few.yaml", "--workers", 1, "--out", out).code == 0
    return out


def test_an_experiments_results_are_the_tables_the_command_line_writes(staffing, experiment_command_line):
    names = list(staffing.results["configuration"].cat.categories)
    assert len(names) == 4 and staffing.results["configuration"].value_counts().nunique() == 1
    for name in names:
        mine = staffing.results[staffing.results["configuration"] == name].drop(columns="configuration")
        written = pd.read_parquet(experiment_command_line / "results" / f"config={name}")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), written)


def test_an_experiments_tables_give_the_command_lines_comparison(staffing, experiment_command_line):
    written = json.loads((experiment_command_line / "comparison.json").read_text("utf-8"))
    assert staffing.comparison == written
    assert staffing.ranking["configuration"].tolist() == [r["configuration"] for r in written["ranking"]]
    assert staffing.ranking["mean_score"].tolist() == [r["mean_score"] for r in written["ranking"]]
    scores = staffing.differences[staffing.differences["measure"] == "score"]
    expected = [d for d in written["differences"] if d["measure"] == "score"]
    assert scores["mean"].tolist() == [d["mean"] for d in expected]
    assert scores["ci_low"].tolist() == [d["ci95"][0] for d in expected]
    per_config = staffing.summary.set_index(["configuration", "requirement"])
    for name, config in written["configurations"].items():
        for req in config["requirements"]:
            assert per_config.loc[(name, req["id"]), "met"] == req["outcomes"]["met"]
            assert per_config.loc[(name, req["id"]), "applicable"] == req["applicable"]


def test_an_experiment_written_gives_the_command_lines_files(staffing, experiment_command_line, tmp_path):
    files = staffing.write(tmp_path).files
    assert (tmp_path / "comparison.json").read_bytes() == (experiment_command_line / "comparison.json").read_bytes()
    assert files["report"].exists()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results"),
                                  pd.read_parquet(experiment_command_line / "results"))


def test_an_experiment_writes_nothing_until_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = drillsim.experiment(EXPERIMENT, reps=2)
    assert len(run.results) and len(run.summary) and len(run.differences)
    assert list(tmp_path.iterdir()) == []


def test_an_experiments_workers_do_not_change_its_results(staffing):
    two = drillsim.experiment(EXPERIMENT, reps=EXP_REPS, workers=2)
    pd.testing.assert_frame_equal(two.results, staffing.results)
    assert two.comparison == staffing.comparison


@pytest.mark.parametrize(("given", "message"), [({"reps": 1}, "reps: must be a whole number from 2 to 1000000, got 1"),
                                               ({"seed": -1}, "seed: must be a whole number of at least 0, got -1"),
                                               ({"reps": 2.5}, "reps: must be a whole number from 2")])
def test_an_experiments_replacement_settings_are_checked(given, message):
    with pytest.raises(InputError) as err:
        drillsim.experiment(EXPERIMENT, **given)
    assert message in str(err.value)
