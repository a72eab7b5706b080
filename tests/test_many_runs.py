"""Many replications: the same results whatever the executor, resumable, statistically sound."""

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

import drillsim
from drillsim.experiment_runs import run_experiment
from drillsim.many_runs import run_many, worst_examples
from drillsim.runner import BatchJob, Configuration, iterate_batch
from drillsim.scoring.aggregate import LogHistogram, wilson
from drillsim.sim.engine import run_replication
from drillsim.sim.seeds import replication_seed
from drillsim.spec import catalog
from drillsim.spec.errors import InputError
from drillsim.spec.plan import load_plan
from drillsim.spec.scenario import load_scenario
from drillsim.spec.yamlio import load_yaml
from tests.conftest import DATA

REPS, CHUNK = 60, 20


@pytest.fixture(scope="module")
def robbery():
    plan = drillsim.load_plan("counter-robbery")
    return plan, drillsim.load_scenario("robbers-flee", plan)


def table(folder):
    frame = pd.read_parquet(folder / "results")
    return frame.sort_values(["replication", "requirement"]).reset_index(drop=True)


def summary(folder):
    return json.loads((folder / "summary.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def serial(robbery, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    run_many(*robbery, REPS, 5, out, workers=1, chunk=CHUNK, examples=1)
    return out


def test_two_workers_give_the_same_results_as_one(robbery, serial, tmp_path):
    run_many(*robbery, REPS, 5, tmp_path, workers=2, chunk=CHUNK, examples=2)
    pd.testing.assert_frame_equal(table(tmp_path), table(serial))
    two, one = summary(tmp_path), summary(serial)
    assert len(two.pop("examples")) == 2 and len(one.pop("examples")) == 1
    assert two == one
    for i in worst_examples(two["requirements"], 2):  # written by forked processes, as one writes them alone
        written = tmp_path / "examples" / f"replication-{i}"
        assert (written / "report.html").exists() and (written / "timeline.png").exists()
        alone = drillsim.score(robbery[0], run_replication(drillsim.build(*robbery), replication_seed(5, i)))
        card = json.loads((written / "scorecard.json").read_text("utf-8"))
        assert card["score"] == pytest.approx(alone.score, abs=0.01)


def test_a_dask_cluster_gives_the_same_results(robbery, serial, tmp_path):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        run_many(*robbery, REPS, 5, tmp_path, scheduler=client, chunk=CHUNK, examples=1)
    pd.testing.assert_frame_equal(table(tmp_path), table(serial))
    assert summary(tmp_path) == summary(serial)


def test_resume_after_an_interruption_gives_the_same_table(robbery, tmp_path):
    reps, chunk = 120, 10  # 12 chunks; 2 workers keep at most 6 in flight, so an early stop leaves some undone
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    run_many(*robbery, reps, 5, whole, workers=2, chunk=chunk, examples=1)
    job = BatchJob((Configuration("base", *robbery),), reps, 5, chunk)
    for _ in iterate_batch(job, cut, workers=2):
        break  # interrupted as soon as the first chunk is in
    parts = sorted((cut / "results").rglob("*.parquet"))
    assert 1 <= len(parts) < 12 and not list((cut / "results").rglob("*.tmp"))
    with pytest.raises(InputError, match="--resume"):
        run_many(*robbery, reps, 5, cut, workers=2, chunk=chunk, examples=1)
    run_many(*robbery, reps, 5, cut, workers=2, chunk=chunk, resume=True, examples=1)
    pd.testing.assert_frame_equal(table(cut), table(whole))
    assert summary(cut) == summary(whole)
    assert len(table(cut)) == reps * len(robbery[0].requirements)  # nothing repeated, nothing missing


def test_resume_refuses_a_different_run(robbery, serial, tmp_path):
    shutil.copytree(serial, tmp_path / "run")
    with pytest.raises(InputError, match="other settings"):
        run_many(*robbery, REPS, 6, tmp_path / "run", workers=1, chunk=CHUNK, resume=True)


def test_one_replication_can_be_rerun_alone(robbery, serial):
    plan, scenario = robbery
    frame = table(serial)
    model = drillsim.build(plan, scenario)
    for i in (0, 37):
        card = drillsim.score(plan, run_replication(model, replication_seed(5, i)))
        rows = frame[frame.replication == i].set_index("requirement")
        for r in card.results:
            assert rows.loc[r.id, "outcome"] == r.outcome.value
        assert rows["score"].iloc[0] == pytest.approx(card.score)


def test_the_summary_names_the_three_worst_late_runs_of_each_requirement(robbery, serial):
    s = summary(serial)
    frame = table(serial)
    for r in s["requirements"]:
        late = frame[(frame.requirement == r["id"]) & (frame.outcome == "late")]
        worst = late.sort_values(["latency_min", "replication"], ascending=[False, True]).head(3)
        assert [ex["replication"] for ex in r["worst_late"]] == worst.replication.tolist()
        assert [ex["latency_min"] for ex in r["worst_late"]] == pytest.approx(worst.latency_min.tolist(), abs=1e-4)
    assert any(len(r["worst_late"]) == 3 for r in s["requirements"])


def test_examples_are_the_worst_late_runs_critical_requirements_first(serial):
    s = summary(serial)
    by_rank = [[r["worst_late"][k]["replication"] for r in sorted(s["requirements"], key=lambda r: not r["critical"])
                if len(r["worst_late"]) > k] for k in range(3)]
    order = list(dict.fromkeys(i for rank in by_rank for i in rank))
    assert sorted(map(int, s["examples"])) == sorted(order[:1])  # the serial run writes one example
    for page in s["examples"].values():
        assert (serial / page).exists()
    assert worst_examples(s["requirements"], 4) == order[:4]
    assert worst_examples(s["requirements"], 0) == []
    report = (serial / "report.html").read_text("utf-8")
    (written,) = s["examples"]
    assert report.count('<a href="examples/') == sum(ex["replication"] == int(written) for r in s["requirements"]
                                                     for ex in r["worst_late"])


def test_examples_take_each_requirements_worst_first_critical_ones_before_the_rest():
    def req(critical, *reps):
        return {"critical": critical, "worst_late": [{"replication": i, "latency_min": 9.0} for i in reps]}

    reqs = [req(False, 1, 2, 3), req(True, 4, 5), req(False), req(True, 4, 6, 7)]
    assert worst_examples(reqs, 10) == [4, 1, 5, 6, 2, 7, 3]
    assert worst_examples(reqs, 3) == [4, 1, 5]


def test_no_examples_are_written_when_none_are_asked_for(robbery, tmp_path):
    result = run_many(*robbery, 20, 5, tmp_path, workers=1, examples=0)
    assert result.summary["examples"] == {}
    assert not (tmp_path / "examples").exists()
    assert "--replication I" in (tmp_path / "report.html").read_text("utf-8")


def test_confidence_interval_covers_the_exact_probability(tmp_path):
    """A report passes a delay Exp(mean 2) then a channel Exp(mean 3) that loses 10 %: P(received
    within 5 min) = 0.9 * P(X + Y <= 5), the hypoexponential distribution."""
    plan = load_plan(DATA / "chain-plan.yaml")
    scenario = load_scenario(DATA / "chain-scenario.yaml", plan)
    l1, l2, t = 1 / 2, 1 / 3, 5.0
    exact = 0.9 * (1 - (l2 * math.exp(-l1 * t) - l1 * math.exp(-l2 * t)) / (l2 - l1))
    result = run_many(plan, scenario, 4000, 11, tmp_path, workers=2, chunk=500, examples=0)
    req = result.summary["requirements"][0]
    lo, hi = req["p_met_ci95"]
    assert lo <= exact <= hi
    assert hi - lo < 0.035
    # latency of those received: mean of X + Y given X + Y <= 5 is below 5
    assert 0 < req["latency_min"]["median"] < 5


def test_configurations_share_the_incident_draws(robbery, tmp_path):
    plan, scenario = robbery
    more_staff = scenario.model_copy(update={"branches": (scenario.branches[0].model_copy(
        update={"staffing": {"teller": 4, "guard": 2}}),)})
    model_a, model_b = drillsim.build(plan, scenario), drillsim.build(plan, more_staff)
    for i in range(5):
        a = run_replication(model_a, replication_seed(3, i))
        b = run_replication(model_b, replication_seed(3, i))
        injects = [[(r.t, r.what) for r in log.rows if r.event in ("inject", "fact")] for log in (a, b)]
        assert injects[0] == injects[1]


def test_experiment_compares_configurations_on_paired_replications(tmp_path):
    exp = tmp_path / "exp.yaml"
    exp.write_text("""schema: drillsim.experiment/1
id: t
title: 网点负责人在岗
plan: counter-robbery
scenario: armed-robbery-injured
reps: 80
seed: 3
design: grid
factors:
  tellers:
    set: scenario.branches[branch].staffing.teller
    levels: [2, 0]
  guards:
    set: plan.roles.guard.count
    levels: [1]
""", encoding="utf-8")
    result = run_experiment(exp, tmp_path / "out", workers=2, chunk=40)
    c = result.comparison
    names = ["tellers=2, guards=1", "tellers=0, guards=1"]
    assert list(c["configurations"]) == names and c["baseline"] == names[0]
    alarm = next(d for d in c["differences"] if d["measure"] == "ROB-01")  # only tellers press the silent alarm
    p_base = c["configurations"][names[0]]["requirements"][0]["p_met"]
    assert alarm["n"] == 80 and alarm["mean"] == pytest.approx(-p_base) and alarm["ci95"][1] < 0
    score = next(d for d in c["differences"] if d["measure"] == "score")
    assert score["ci95"][1] < 0
    assert [r["configuration"] for r in c["ranking"]] == names
    assert (tmp_path / "out" / "report.html").exists() and (tmp_path / "out" / "compliance.png").exists()
    frame = pd.read_parquet(tmp_path / "out" / "results")
    assert set(frame["config"]) == set(names)


def test_experiment_errors_name_the_factor(tmp_path):
    exp = tmp_path / "exp.yaml"
    exp.write_text("schema: drillsim.experiment/1\nid: t\ntitle: t\nplan: counter-robbery\nscenario: robbers-flee\n"
                   "factors:\n  tellers:\n    set: scenario.branches[branch].staffing.teller\n    levels: [2, -1]\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as err:
        run_experiment(exp, tmp_path / "out", workers=1)
    assert "factors.tellers.levels[1]" in str(err.value) and "tellers=-1" in str(err.value)
    assert err.value.line == 9


def test_wilson_and_histogram_percentiles():
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-3) and hi == pytest.approx(0.5962, abs=1e-3)
    rng = np.random.default_rng(0)
    values = rng.lognormal(1.0, 0.8, 50_000)
    d = LogHistogram()
    for chunk in np.array_split(values, 7):
        d.add(chunk)
    for q in (50, 90, 95, 99):
        assert d.percentile(q) == pytest.approx(np.percentile(values, q), rel=0.006)
    assert d.summary()["mean"] == pytest.approx(values.mean(), abs=1e-4)  # rounded to 4 places


def test_the_command_line_reruns_one_replication_of_a_batch(serial, tmp_path):
    import subprocess
    import sys

    frame = table(serial)
    subprocess.run([sys.executable, "-m", "drillsim", "run", "counter-robbery", "robbers-flee", "--seed", "5",
                    "--replication", "37", "--out", str(tmp_path)], check=True, capture_output=True)
    card = json.loads((tmp_path / "scorecard.json").read_text("utf-8"))
    rows = frame[frame.replication == 37].set_index("requirement")
    for r in card["requirements"]:
        assert rows.loc[r["id"], "outcome"] == r["outcome"]


@pytest.mark.parametrize("name", sorted(catalog.builtin_experiments()))
def test_every_builtin_experiment_shows_an_effect_in_each_configuration(name, tmp_path):
    """Each configuration differs from the baseline in some measure (a requirement met, or the
    score) by more than its 95 % interval allows; with few replications, as a quick check."""
    data, _ = load_yaml(catalog.builtin_experiments()[name])
    data["reps"] = 80
    small = tmp_path / f"{name}.yaml"
    small.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    c = run_experiment(small, tmp_path / "out", workers=1, chunk=80).comparison
    for config in c["configurations"]:
        if config == c["baseline"]:
            continue
        seen = [d["measure"] for d in c["differences"] if d["configuration"] == config and d["ci95"]
                and (d["ci95"][0] > 0 or d["ci95"][1] < 0)]
        assert seen, f"{name}: configuration {config!r} shows no measured difference from {c['baseline']!r}"


def test_one_example_is_written_unless_asked_otherwise(robbery, tmp_path):
    result = run_many(*robbery, 40, 5, tmp_path, workers=1)
    assert len(result.summary["examples"]) == 1
    assert len(list((tmp_path / "examples").iterdir())) == 1

