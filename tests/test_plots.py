"""The figures a user reads: no label covers another, nothing is cut off at the edge, every report
between two roles is drawn. Measured on the matplotlib objects, with the renderer's text boxes."""

from __future__ import annotations

import itertools
from xml.etree import ElementTree

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import drillsim
from drillsim.many_runs import run_many
from drillsim.reports.batch import latency_figure
from drillsim.reports.graph_plot import escalation_figure, plot_escalation_graph
from drillsim.reports.timeline import LABELLED, MAX_LABELS_PER_LANE, incident_start, timeline_figure
from drillsim.spec.errors import InputError
from drillsim.spec.plan import DeadlineRequirement
from tests.conftest import make_log

# the demo, and the built-in scenarios with the most labels close together
DENSE = [
    ("counter-robbery", "armed-robbery-injured", 7),
    ("service-incidents", "service-incidents-bank-run", 1),
    ("service-incidents", "service-incidents-system-failure-multi", 1),
    ("service-guideline", "service-guideline-disaster-multi", 5),
    ("atm", "atm-attack", 1),
]


def renderer_of(fig: Figure):
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def text_boxes(fig: Figure) -> list[tuple[str, Bbox]]:
    """Every visible, non-empty text of the figure with its box as drawn."""
    renderer = renderer_of(fig)
    return [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()]


def overlapping(fig: Figure) -> list[tuple[str, str]]:
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(text_boxes(fig), 2) if box_a.overlaps(box_b)]


def drill(plan_id: str, scenario_id: str, seed: int):
    plan = drillsim.load_plan(plan_id)
    log = drillsim.simulate(drillsim.build(plan, drillsim.load_scenario(scenario_id, plan)), seed=seed)
    return plan, log, drillsim.score(plan, log)


@pytest.mark.parametrize(("plan_id", "scenario_id", "seed"), DENSE)
def test_no_timeline_label_covers_another_and_every_event_is_labelled(plan_id, scenario_id, seed):
    plan, log, card = drill(plan_id, scenario_id, seed)
    fig = timeline_figure(plan, log, card)
    assert overlapping(fig) == []
    top = fig.axes[0]
    t0 = incident_start(log)
    labelled = [r for r in log.rows if r.t >= t0 - 1e-9 and r.event in ("inject", "fact", *LABELLED)]
    drawn = [t for t in top.texts if t.get_text()]
    assert len(drawn) == len(labelled)
    assert "left out" not in fig.axes[1].get_xlabel()
    # the labels lie inside the plot, not over the row names or off the page
    renderer = renderer_of(fig)
    for t in drawn:
        box = t.get_window_extent(renderer)
        assert top.bbox.x0 <= box.x0 and box.x1 <= top.bbox.x1 and top.bbox.y0 <= box.y0 and box.y1 <= top.bbox.y1


def test_a_long_log_shows_a_bounded_number_of_labels_and_says_how_many_it_left_out(robbery_plan):
    plan = robbery_plan
    actions = sorted(plan.actions)
    events = [(0, "inject", "robbers-enter")]
    events += [(i * 0.02, "action", actions[i % len(actions)], "teller") for i in range(3000)]
    log = make_log(*events)
    fig = timeline_figure(plan, log, drillsim.score(plan, log))
    drawn = [t for t in fig.axes[0].texts if t.get_text()]
    assert 1 < len(drawn) <= 1 + MAX_LABELS_PER_LANE  # the inject's label and the teller's row
    assert f"{3001 - len(drawn)} event labels left out" in fig.axes[1].get_xlabel()
    assert overlapping(fig) == []


@pytest.fixture(scope="module")
def many_runs(tmp_path_factory):
    plan = drillsim.load_plan("counter-robbery")
    out = tmp_path_factory.mktemp("many")
    result = run_many(plan, drillsim.load_scenario("armed-robbery-injured", plan), 200, 1, out, workers=1,
                      examples=0)
    return plan, result.summary, out


def test_every_deadline_marker_and_its_label_lie_inside_the_latency_plot(many_runs):
    plan, summary, _ = many_runs
    fig = latency_figure(plan, summary)
    ax = fig.axes[0]
    renderer = renderer_of(fig)
    deadlines = {r.id: plan.deadline(r.within) for r in plan.requirements if isinstance(r, DeadlineRequirement)}
    shown = [r for r in summary["requirements"] if r["id"] in deadlines and r["latency_min"]["n"]]
    expected = sorted(deadlines[r["id"]].minutes for r in shown if not deadlines[r["id"]].calendar)
    markers = [ln for ln in ax.lines if ln.get_marker() == "d"]
    assert sorted(float(ln.get_xdata()[0]) for ln in markers) == expected
    for line in markers:
        box = line.get_window_extent(renderer)
        assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1, f"deadline {line.get_xdata()[0]} min is cut off"
    labels = [t for t in ax.texts if t.get_text().endswith(" min")]
    assert sorted(float(t.get_text().split()[0]) for t in labels) == expected
    for t in labels:
        box = t.get_window_extent(renderer)
        assert ax.bbox.x0 <= box.x0 and box.x1 <= ax.bbox.x1 and ax.bbox.y0 <= box.y0 and box.y1 <= ax.bbox.y1
    assert overlapping(fig) == []
    assert "minutes" in ax.get_xlabel()


def test_the_many_run_table_gives_latencies_in_minutes(many_runs):
    html = (many_runs[2] / "report.html").read_text("utf-8")
    for column in ("mean", "median", "p90", "p95", "p99"):
        assert f"<th>{column} (min)</th>" in html



def arrows(fig: Figure) -> list[FancyArrowPatch]:
    return [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]


def test_every_report_between_the_same_roles_is_its_own_labelled_arc():
    plan = drillsim.load_plan("service-incidents")
    head_to_office = [r for r in plan.escalation if (r.from_, r.to) == ("branch_head", "upper_office")]
    assert {r.channel for r in head_to_office} == {"phone", "fax", "electronic"}  # parallel edges
    fig = escalation_figure(plan)
    renderer_of(fig)
    expected = {r.id if rank == 0 else f"{r.id}.fallback{rank}" for r in plan.escalation
                for rank in range(1 + len(r.fallback))}
    drawn = arrows(fig)
    assert len(drawn) == len(expected) and {a.get_gid() for a in drawn} == expected
    paths = [np.round(a.get_path().vertices, 6) for a in drawn]
    for (i, p), (j, q) in itertools.combinations(enumerate(paths), 2):
        assert p.shape != q.shape or not np.allclose(p, q), f"{drawn[i].get_gid()} hides {drawn[j].get_gid()}"
    labels = {t.get_gid().removeprefix("label."): t.get_text() for t in fig.axes[0].texts
              if (t.get_gid() or "").startswith("label.")}
    assert set(labels) == expected
    for rep in head_to_office:
        assert labels[rep.id].startswith(plan.channels[rep.channel].name)
    first_time = plan.deadline("first_time").minutes
    assert f"≤{first_time:g} min" in labels["head-phone-office"]
    assert "fallback 1" in labels["head-phone-office.fallback1"]


@pytest.mark.parametrize("plan_id", ["service-incidents", "branch-security", "counter-robbery"])
def test_no_text_of_the_escalation_drawing_covers_another(plan_id):
    assert overlapping(escalation_figure(drillsim.load_plan(plan_id))) == []


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_the_drawing_is_written_by_its_suffix_and_the_same_each_time(suffix, tmp_path):
    plan = drillsim.load_plan("counter-robbery")
    a = plot_escalation_graph(plan, tmp_path / f"a{suffix}")
    b = plot_escalation_graph(plan, tmp_path / f"b{suffix.upper()}")
    assert a.read_bytes() == b.read_bytes()
    if suffix == ".svg":
        root = ElementTree.parse(a).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        text = a.read_text("utf-8")
        assert "<!-- 大堂经理 -->" in text and 'id="report-head"' in text  # a role's name, a report's arc
    else:
        assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", ["g.pdf", "g", "g.png.txt"])
def test_another_suffix_is_an_error_naming_the_argument(name, tmp_path):
    with pytest.raises(InputError) as err:
        plot_escalation_graph(drillsim.load_plan("counter-robbery"), tmp_path / name)
    message = str(err.value)
    assert message.startswith("--out: ") and name in message and ".png or .svg" in message
    assert not (tmp_path / name).exists()
