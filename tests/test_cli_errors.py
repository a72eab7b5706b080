"""Every ordinary command-line mistake gives one clear error line and a non-zero exit, never a
traceback, and never reaches main()'s last line of defence (the "this is a bug" report)."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import drillsim
from drillsim.cli import run_command
from drillsim.many_runs import run_many
from tests.clirun import drillsim as cli
from tests.conftest import ROOT

LOG = ROOT / "examples" / "drill-log-robbery.csv"
EXPERIMENT = ROOT / "experiments" / "robbery-staffing.yaml"
PLAN_FILE = ROOT / "plans" / "counter-robbery.yaml"
NOT_WRITABLE = "/proc/drillsim-cannot-write-here"  # /proc takes no new folders, not even from root
BATCH = ("run", "counter-robbery", "robbers-flee", "--reps", "4", "--seed", "5")


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    """A folder with the things the mistakes need: files where folders belong, earlier results,
    a small batch run and damaged copies of it, bad files to validate."""
    p = tmp_path_factory.mktemp("mistakes")
    (p / "afile").write_text("not a folder\n")
    (p / "adir").mkdir()
    (p / "picture.png").mkdir()
    (p / "earlier").mkdir()
    (p / "earlier" / "scorecard.json").write_text("{}\n")
    (p / "empty.csv").write_text("")
    (p / "broken.yaml").write_text("a: [\n")
    (p / "no-schema.yaml").write_text("id: x\ntitle: x\n")
    (p / "odd-schema.yaml").write_text("schema: drillsim.recipe/1\nid: x\n")
    (p / "bad-experiment.yaml").write_text(
        "schema: drillsim.experiment/1\nid: t\ntitle: t\nplan: counter-robbery\nscenario: robbers-flee\nreps: 4\n"
        "factors:\n  tellers:\n    set: scenario.branches[branch].staffing.teller\n    levels: [2, -1]\n")
    plan = drillsim.load_plan("counter-robbery")
    run_many(plan, drillsim.load_scenario("robbers-flee", plan), 4, 5, p / "batch", workers=1, examples=0)
    part = next((p / "batch" / "results").rglob("part-*.parquet"))
    for name in ("bad-manifest", "corrupt-part", "short-part"):
        shutil.copytree(p / "batch", p / name)
    (p / "bad-manifest" / "batch.json").write_text("{not json")
    (p / "corrupt-part" / part.relative_to(p / "batch")).write_bytes(b"PAR1 this is not what it was")
    table = pq.read_table(part)
    pq.write_table(table.slice(0, table.num_rows - 3), p / "short-part" / part.relative_to(p / "batch"))
    return p


# (name, arguments with {p} for the place, exit status, what the message must say)
MISTAKES = [
    # run
    ("unknown plan", ["run", "no-such-plan", "robbers-flee"], 2, ["no-such-plan", "no built-in plan"]),
    ("unknown scenario", ["run", "counter-robbery", "no-such-scenario"], 2, ["no-such-scenario"]),
    ("plan is a folder", ["run", "{p}/adir", "robbers-flee"], 2, ["adir: is a folder, not a plan file"]),
    ("plan name empty", ["run", "", "robbers-flee"], 2, ["plan: the name is empty"]),
    ("plan name too long", ["run", "x" * 300, "robbers-flee"], 2, ["no such file, and no built-in plan"]),
    ("scenario of another plan", ["run", "counter-robbery", "it-data-leak", "--out", "{p}/new1"], 2,
     ["it-data-leak.yaml", "plan"]),
    ("negative seed", ["run", "counter-robbery", "robbers-flee", "--seed", "-1"], 2, ["--seed"]),
    ("seed not a number", ["run", "counter-robbery", "robbers-flee", "--seed", "seven"], 2, ["--seed"]),
    ("negative replication", ["run", "counter-robbery", "robbers-flee", "--replication", "-1"], 2,
     ["--replication"]),
    ("replication beside reps", ["run", "counter-robbery", "robbers-flee", "--reps", "5", "--replication", "3"], 2,
     ["--replication", "--reps"]),
    ("no replications", ["run", "counter-robbery", "robbers-flee", "--reps", "0"], 2, ["--reps"]),
    ("no workers", ["run", "counter-robbery", "robbers-flee", "--reps", "3", "--workers", "0"], 2, ["--workers"]),
    ("workers for one drill", ["run", "counter-robbery", "robbers-flee", "--workers", "2"], 2,
     ["--workers", "--reps"]),
    ("scheduler for one drill", ["run", "counter-robbery", "robbers-flee", "--scheduler", "tcp://h:8786"], 2,
     ["--scheduler", "--reps"]),
    ("resume one drill", ["run", "counter-robbery", "robbers-flee", "--resume"], 2, ["--resume", "--reps"]),
    ("examples of one drill", ["run", "counter-robbery", "robbers-flee", "--examples", "2"], 2,
     ["--examples", "--reps"]),
    ("negative examples", [*BATCH, "--examples", "-1"], 2, ["--examples"]),
    ("resume and force", [*BATCH, "--resume", "--force", "--out", "{p}/batch"], 2, ["--force", "--resume"]),
    ("out is a file", ["run", "counter-robbery", "robbers-flee", "--out", "{p}/afile"], 2, ["--out", "afile"]),
    ("out under a file", ["run", "counter-robbery", "robbers-flee", "--out", "{p}/afile/run"], 2,
     ["--out", "afile is a file"]),
    ("out not writable", ["run", "counter-robbery", "robbers-flee", "--out", NOT_WRITABLE], 2,
     ["--out", "cannot write"]),
    ("out holds a drill", ["run", "counter-robbery", "robbers-flee", "--out", "{p}/earlier"], 2,
     ["--out", "earlier run", "--force"]),
    ("out holds a batch", [*BATCH, "--out", "{p}/batch"], 2, ["--out", "--resume", "--force"]),
    ("one drill into a batch", ["run", "counter-robbery", "robbers-flee", "--out", "{p}/batch"], 2,
     ["--out", "batch.json", "--force"]),
    ("scheduler not an address", [*BATCH, "--scheduler", "nonsense", "--out", "{p}/new2"], 2,
     ["--scheduler", "nonsense"]),
    ("scheduler of another kind", [*BATCH, "--scheduler", "http://host:8786", "--out", "{p}/new3"], 2,
     ["--scheduler", "http"]),
    ("resume another run", ["run", "counter-robbery", "robbers-flee", "--reps", "4", "--seed", "6", "--resume",
                            "--out", "{p}/batch"], 2, ["batch.json", "other settings"]),
    ("resume, record unreadable", [*BATCH, "--resume", "--out", "{p}/bad-manifest"], 2, ["batch.json"]),
    ("resume, part corrupt", [*BATCH, "--resume", "--out", "{p}/corrupt-part"], 2,
     ["part-00000.parquet", "not a whole Parquet file", "delete it"]),
    ("resume, part truncated", [*BATCH, "--resume", "--out", "{p}/short-part"], 2,
     ["part-00000.parquet", "rows", "delete it"]),
    ("unknown option", ["run", "counter-robbery", "robbers-flee", "--speed", "2"], 2, ["--speed"]),
    ("missing scenario", ["run", "counter-robbery"], 2, ["scenario"]),
    # score
    ("unknown incident type", ["score", "counter-robbery", str(LOG), "--type", "bank_run", "--out", "{p}/s1"], 2,
     ["--type", "bank_run", "armed_robbery"]),
    ("drill log is a folder", ["score", "counter-robbery", "{p}/adir", "--out", "{p}/s2"], 2, ["log", "adir"]),
    ("drill log missing", ["score", "counter-robbery", "{p}/nothing.csv", "--out", "{p}/s3"], 2,
     ["log", "nothing.csv", "does not exist"]),
    ("drill log empty", ["score", "counter-robbery", "{p}/empty.csv", "--out", "{p}/s4"], 2, ["empty.csv"]),
    ("date that does not exist", ["score", "counter-robbery", str(LOG), "--date", "2026-02-30"], 2,
     ["--date", "2026-02-30"]),
    ("date in words", ["score", "counter-robbery", str(LOG), "--date", "yesterday"], 2, ["--date", "yesterday"]),
    ("score into a file", ["score", "counter-robbery", str(LOG), "--out", "{p}/afile"], 2, ["--out", "afile"]),
    ("score over a drill", ["score", "counter-robbery", str(LOG), "--out", "{p}/earlier"], 2,
     ["--out", "--force"]),
    ("score, unknown plan", ["score", "no-such-plan", str(LOG)], 2, ["no-such-plan"]),
    ("score, scenario misspelt", ["score", "counter-robbery", str(LOG), "--scenario", "armed-robery-injured",
                                  "--out", "{p}/sc1"], 2,
     ["armed-robery-injured", "did you mean armed-robbery-injured"]),
    ("score, inject not in the scenario", ["score", "counter-robbery", str(LOG), "--scenario", "explosive-robbery",
                                           "--out", "{p}/sc2"], 2, ["drill-log-robbery.csv:2", "unknown inject"]),
    # graph
    ("graph as text", ["graph", "counter-robbery", "--out", "{p}/x.txt"], 2,
     ["--out", "x.txt", "folder", ".png", ".svg"]),
    ("graph into a file", ["graph", "counter-robbery", "--out", "{p}/afile"], 2, ["--out", "afile", "not a folder"]),
    ("graph, plan file missing", ["graph", "{p}/nothing.yaml", "--out", "{p}/g1"], 2, ["nothing.yaml"]),
    ("graph, reps without scenario", ["graph", "counter-robbery", "--out", "{p}/g2", "--reps", "5"], 2,
     ["--reps", "--scenario"]),
    ("graph, unknown scenario", ["graph", "counter-robbery", "--out", "{p}/g3", "--scenario", "no-such-scenario"], 2,
     ["no-such-scenario"]),
    ("graph onto a folder", ["graph", "counter-robbery", "--out", "{p}/picture.png"], 2, ["--out", "is a folder"]),
    ("graph not writable", ["graph", "counter-robbery", "--out", f"{NOT_WRITABLE}/g.png"], 2,
     ["--out", "cannot write"]),
    ("graph folder not writable", ["graph", "counter-robbery", "--out", f"{NOT_WRITABLE}/g"], 2,
     ["--out", "cannot write"]),
    ("graph under a file", ["graph", "counter-robbery", "--out", "{p}/afile/g.png"], 2, ["--out", "afile"]),
    ("graph, unknown plan", ["graph", "no-such-plan", "--out", "{p}/g.png"], 2, ["no-such-plan"]),
    # experiment
    ("unknown experiment", ["experiment", "no-such-experiment", "--out", "{p}/e1"], 2,
     ["no-such-experiment", "built-in experiment"]),
    ("experiment is a plan", ["experiment", str(PLAN_FILE), "--out", "{p}/e2"], 2,
     ["counter-robbery.yaml", "drillsim.experiment/1"]),
    ("experiment factor wrong", ["experiment", "{p}/bad-experiment.yaml", "--out", "{p}/e3"], 2,
     ["bad-experiment.yaml", "factors.tellers.levels[1]"]),
    ("experiment, no workers", ["experiment", str(EXPERIMENT), "--workers", "0"], 2, ["--workers"]),
    ("experiment into a batch", ["experiment", str(EXPERIMENT), "--out", "{p}/batch"], 2, ["--out", "--resume"]),
    ("experiment into a file", ["experiment", str(EXPERIMENT), "--out", "{p}/afile"], 2, ["--out", "afile"]),
    # programme
    ("unknown programme", ["programme", "no-such-programme", "--out", "{p}/pr1"], 2, ["no-such-programme"]),
    ("programme is an experiment", ["programme", str(EXPERIMENT), "--out", "{p}/pr2"], 2,
     ["robbery-staffing.yaml", "drillsim.programme/1"]),
    ("programme into a file", ["programme", "security-work-2026", "--out", "{p}/afile"], 2, ["--out", "afile"]),
    # validate: each bad file is a FAIL line naming it, and the exit status is 1
    ("validate broken YAML", ["validate", "{p}/broken.yaml"], 1, ["broken.yaml:2", "YAML"]),
    ("validate without schema", ["validate", "{p}/no-schema.yaml"], 1, ["no-schema.yaml", "schema"]),
    ("validate unknown schema", ["validate", "{p}/odd-schema.yaml"], 1, ["odd-schema.yaml", "drillsim.recipe/1"]),
    ("validate a folder", ["validate", "{p}/adir"], 1, ["adir"]),
    ("validate a missing file", ["validate", "{p}/nothing.yaml"], 1, ["nothing.yaml", "no such file"]),
    ("validate a bad experiment", ["validate", "{p}/bad-experiment.yaml"], 1,
     ["bad-experiment.yaml", "factors.tellers.levels[1]"]),
    # anything
    ("unknown command", ["simulate", "counter-robbery"], 2, ["simulate"]),
    ("demo into a file", ["demo", "--out", "{p}/afile"], 2, ["--out", "afile"]),
]


@pytest.mark.parametrize(("args", "status", "says"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_mistake_is_one_clear_error(place, args, status, says):
    ran = cli(*(a.format(p=place) for a in args))
    assert ran.code == status, ran.text
    assert "Traceback" not in ran.text and "a bug in drillsim" not in ran.text, ran.text
    for words in says:
        assert words in ran.err, f"{words!r} not in: {ran.err}"
    first = ran.err.splitlines()[0]
    assert first.startswith("FAIL " if args[0] == "validate" else "error: "), ran.err


def test_the_corpus_is_large_and_distinct():
    assert len(MISTAKES) >= 40
    assert len({m[0] for m in MISTAKES}) == len({tuple(m[1]) for m in MISTAKES}) == len(MISTAKES)


def test_validate_dispatches_every_kind_by_its_schema():
    files = [PLAN_FILE, ROOT / "scenarios" / "robbers-flee.yaml", ROOT / "programmes" / "security-work-2026.yaml",
             *sorted((ROOT / "experiments").glob("*.yaml"))]
    ran = cli("validate", *files)
    assert ran.code == 0, ran.text
    for kind in ("plan counter-robbery", "scenario robbers-flee", "programme security-work-2026",
                 "experiment escalation-variants", "experiment robbery-staffing"):
        assert kind in ran.out


def test_validate_prints_the_warnings_of_files_it_accepts(tmp_path):
    scenario = tmp_path / "nobody.yaml"
    text = (ROOT / "scenarios" / "robbers-flee.yaml").read_text("utf-8")
    named = "    name: 城西支行营业室\n"
    scenario.write_text(text.replace(named, named + "    staffing: {guard: 0}\n"), "utf-8")
    ran = cli("validate", scenario)
    assert ran.code == 0, ran.text
    assert f"warn {scenario}:" in ran.out and "no branch has anyone of role 'guard'" in ran.out


def test_list_shows_the_builtin_experiments():
    ran = cli("list")
    assert ran.code == 0
    lines = [line.split() for line in ran.out.splitlines()]
    assert ["experiment", "escalation-variants"] in [line[:2] for line in lines]
    assert ["experiment", "robbery-staffing"] in [line[:2] for line in lines]


def test_a_real_bug_is_reported_as_one_and_its_traceback_kept(monkeypatch, tmp_path, capsys):
    """main()'s last line of defence: an unexpected exception is called a bug, exit 1, and its
    traceback goes to a file the message names, not to the screen."""
    import drillsim.api

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("simulated defect")

    monkeypatch.setattr(drillsim.api, "run_drill", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert run_command(["run", "counter-robbery", "robbers-flee", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "a bug in drillsim" in err and "ZeroDivisionError: simulated defect" in err and "Traceback" not in err
    (kept,) = tmp_path.glob("drillsim-bug-*.txt")
    assert kept.name in err
    text = kept.read_text("utf-8")
    assert "Traceback" in text and "simulated defect" in text and "command: drillsim run counter-robbery" in text


def test_the_list_of_commands_gives_each_its_docstring_s_first_paragraph_on_one_line(monkeypatch):
    from drillsim.cli import app

    monkeypatch.setenv("COLUMNS", "400")  # wide enough for every summary on one line
    ran = cli("--help")
    assert ran.code == 0, ran.text
    panel = ran.out.split("─ Commands ")[1].split("╰")[0].splitlines()[1:]
    expected = {info.name or info.callback.__name__.replace("_", "-"):
                " ".join(inspect.getdoc(info.callback).split("\n\n")[0].split())
                for info in app.registered_commands}
    expected.update({info.name: info.typer_instance.info.help for info in app.registered_groups})
    assert len(panel) == len(expected)  # one line each
    assert dict(line.strip("│ ").split(None, 1) for line in panel) == expected


def test_a_command_s_summary_is_its_docstring_s_first_paragraph_alone():
    import typer

    from drillsim.cli import _one_line_summaries

    group = typer.Typer()

    @group.command()
    def drill() -> None:
        """Play a drill of a plan,
        and score it.

        More on it, in --help alone."""

    _one_line_summaries(group)
    assert group.registered_commands[0].short_help == "Play a drill of a plan, and score it."


@pytest.mark.parametrize(("args", "earlier"), [
    (["stress", "counter-robbery", "armed-robbery-injured"], "stress.json"),
    (["design", "counter-robbery", str(ROOT / "examples" / "design-robbery.yaml")], "design.json"),
    (["calibrate", "counter-robbery"], "calibration.json"),
    (["msel", "counter-robbery", "armed-robbery-injured"], "msel.html"),
    (["msel", "counter-robbery", "armed-robbery-injured"], "msel.xlsx"),
], ids=["stress", "design", "calibrate", "msel-html", "msel-xlsx"])
def test_a_command_refuses_a_folder_holding_its_own_earlier_results_unless_forced(tmp_path, args, earlier):
    (tmp_path / earlier).write_text("{}\n")
    ran = cli(*args, "--out", tmp_path)
    assert ran.code == 2, ran.text
    assert ran.err.startswith(f"error: --out: {tmp_path} holds the results of an earlier run ({earlier}): add "
                              "--force to replace them"), ran.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [earlier]  # refused before any work


def test_a_folder_named_after_a_built_in_plan_does_not_hide_it(tmp_path, monkeypatch):
    # `--out counter-robbery` leaves such a folder where the next command is typed
    (tmp_path / "counter-robbery").mkdir()
    monkeypatch.chdir(tmp_path)
    ran = cli("run", "counter-robbery", "armed-robbery-injured", "--out", str(tmp_path / "out"))
    assert ran.code == 0, ran.text
