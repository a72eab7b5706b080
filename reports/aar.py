"""The After-Action Report of a drill with its Improvement Plan: HTML, PDF and a workbook, in English or Chinese.

``write_aar(plan, log, evaluation, out, lang)`` writes into ``out``:

* ``aar.html`` — the report, with its two figures beside it (``aar-timeline.png``, ``aar-escalation.png``);
* ``aar.pdf`` — the same page through WeasyPrint, with a print stylesheet, the figures and a CJK
  font embedded (the font :func:`~drillsim.reports.fonts.cjk_family` finds);
* ``improvement-plan.xlsx`` — the Improvement Plan for the evaluator to complete.

Its sections: the exercise overview; the summary (score, rating, coverage); per capability the
proposed rating and the evaluator's override with its justification, strengths and areas for
improvement with their clauses' words; the call tree of reports to outside bodies and people; the
timeline of observed actions against their deadlines; the escalation graph with what was observed
on each report; the Improvement Plan; the evaluators' notes; and, when given ``placements``, the
drill against the model (docs/evaluation.md). Every word of it is in ``lang`` (reports/i18n.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

from drillsim.log.eventlog import EventLog
from drillsim.scoring.call_tree import call_tree
from drillsim.scoring.evaluation import Evaluation, Exercise, Note, RatingOverride
from drillsim.scoring.outcomes import FAILURES, Outcome, RequirementResult
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.plan import Plan

from .fonts import cjk_family
from .i18n import OUTCOMES, RATINGS, REACHED, Translator
from .improvement_plan import CAPABILITY_ELEMENTS, improvement_rows, write_improvement_plan
from .templating import render
from .timeline import incident_start, plot_timeline
from .writers import Writer


class Placement(Protocol):
    """Where one observed latency falls among the model's simulated runs (another module computes them)."""

    requirement: str
    observed: float
    """Minutes observed in the drill."""
    percentile: float
    """The share of simulated runs faster than the drill (0–1; ties half); for a miss (``observed`` inf), of
    runs that did not miss it."""
    runs: int
    median: float
    p05: float
    p95: float
    unlikely: bool


@dataclass(frozen=True)
class _Requirement:
    """One requirement as the report shows it: its result, its clause's words, its times in the drill."""

    result: RequirementResult
    quote: str
    outcome: str
    trigger_time: str
    response_time: str


def _clock(log: EventLog, tr: Translator, t0: float, minute: float | None) -> str:
    """A minute of the log as the wall-clock time where the log has one, else as T+ since the incident began."""
    if minute is None:
        return ""
    wall = log.wall_clock(minute)
    return tr.time(wall) if wall is not None else "T+" + tr.minutes(minute - t0)


def edge_observations(plan: Plan, log: EventLog, tr: Translator) -> dict[str, str]:
    """What the drill showed on each arc of the escalation graph (its edge key): when the report first
    reached the role, as time since the incident began, or that it was sent and never reached it."""
    t0 = incident_start(log)
    observed = {}
    for rep in plan.escalation:
        for rank, target in enumerate((rep.to, *rep.fallback)):
            rows = [r for r in log.rows if r.actor_role == rep.from_ and r.target_role == target
                    and r.channel == rep.channel]
            reached = next((r.t for r in rows if r.event == "received"), None)
            sent = sum(r.event == "sent" for r in rows)
            key = f"{rep.id}#{rank}" if rank else rep.id
            if reached is not None:
                observed[key] = tr.gettext("observed: reached at T+{at}").format(at=tr.minutes(reached - t0))
            elif sent:
                observed[key] = tr.gettext("observed: sent {count}×, not reached").format(count=sent)
    return observed


def _plot_escalation(plan: Plan, log: EventLog, tr: Translator, path: Path) -> Path:
    from .graph_plot import DPI, escalation_figure

    title = tr.gettext("{plan} — escalation graph: one arc per report, with its channel, its deadline and what the "
                       "drill observed on it; dashed: fallback").format(plan=plan.title)
    escalation_figure(plan, edge_observations(plan, log, tr), title).savefig(path, dpi=DPI)
    return path


def _capabilities(evaluation: Evaluation, requirements: list[_Requirement]) -> list[dict]:
    """Per capability its ratings, and its requirements met, failed or late, and not evaluated."""
    out = []
    for rating in evaluation.ratings:
        mine = [r for r in requirements if r.result.capability == rating.capability]
        out.append({
            "rating": rating,
            "strengths": [r for r in mine if r.result.outcome is Outcome.MET],
            "improvements": [r for r in mine if r.result.outcome in FAILURES or r.result.outcome is Outcome.LATE],
            "not_evaluated": [r for r in mine if r.result.outcome is Outcome.NOT_EVALUATED],
        })
    return out


def _placements(plan: Plan, tr: Translator, placements: Sequence[Placement]) -> list[dict]:
    titles = {r.id: r.title for r in plan.requirements}
    return [{"unlikely": p.unlikely, "text": _placement_text(tr, p, f"{p.requirement} {titles.get(p.requirement, '')}"
                                                                    .strip())}
            for p in placements]


def _placement_text(tr: Translator, p: Placement, name: str) -> str:
    """Where the drill falls among the simulated runs: a miss, or a latency slower or faster than most."""
    if p.runs == 0:
        return tr.gettext("{requirement}: no simulated run to compare with").format(requirement=name)
    if math.isinf(p.observed):  # missed: percentile is the share of runs that did not miss it, ties half
        return tr.gettext("{requirement} was missed: the model misses it in {share} of {runs} runs").format(
            requirement=name, share=tr.percent(2 * (1 - p.percentile)), runs=p.runs)
    slower = p.percentile >= 0.5
    text = tr.gettext("{requirement} took {observed}: slower than {percentile} of {runs} simulated runs "
                      "(median {median}; 90% of runs between {p05} and {p95})") if slower else tr.gettext(
        "{requirement} took {observed}: faster than {percentile} of {runs} simulated runs "
        "(median {median}; 90% of runs between {p05} and {p95})")
    return text.format(requirement=name, observed=tr.minutes(p.observed),
                       percentile=tr.percent(p.percentile if slower else 1 - p.percentile), runs=p.runs,
                       median=tr.minutes(p.median), p05=tr.minutes(p.p05), p95=tr.minutes(p.p95))


def aar_html(plan: Plan, log: EventLog, evaluation: Evaluation, tr: Translator, figures: Mapping[str, str],
             placements: Sequence[Placement] | None = None) -> str:
    """The report's page; ``figures`` names the timeline and escalation images (``timeline``, ``escalation``)."""
    card = evaluation.card
    t0 = incident_start(log)
    quotes = {r.id: r.quote for r in plan.requirements}
    requirements = [
        _Requirement(r, quotes.get(r.id, ""), tr.gettext(OUTCOMES[r.outcome]), _clock(log, tr, t0, r.since),
                     _clock(log, tr, t0, r.at))
        for r in card.results
    ]
    cover = evaluation.coverage
    coverage = tr.gettext("{evaluated} of {total} requirements evaluated ({share})").format(
        evaluated=cover.evaluated, total=cover.total, share=tr.percent(cover.share))
    if cover.not_evaluated:
        coverage += tr.gettext("; not evaluated: {ids}").format(ids=", ".join(cover.not_evaluated))
    roles = {rid: role.name for rid, role in plan.roles.items()}
    return render(
        "aar.html.j2", _=tr, tr=tr, plan=plan, card=card, exercise=evaluation.exercise, coverage=coverage,
        incident_type=plan.incident_types[card.incident_type].name, font=cjk_family(),
        rating_name=lambda r: tr.gettext(RATINGS[r]) if r else tr.gettext("not rated"),
        capabilities=_capabilities(evaluation, requirements), roles=roles,
        deadlines=[r for r in requirements if r.result.kind == "deadline" and r.result.outcome is not
                   Outcome.NOT_APPLICABLE],
        calls=call_tree(plan, log, card), reached=lambda s: tr.gettext(REACHED[s]),
        clock=lambda m: _clock(log, tr, t0, m),
        improvements=improvement_rows(plan, evaluation, tr), elements=[tr.gettext(e) for e in CAPABILITY_ELEMENTS],
        notes=evaluation.notes, placements=None if placements is None else _placements(plan, tr, placements),
        figures=figures, version=version("drillsim"),
    )


def write_aar(plan: Plan, log: EventLog, evaluation: Evaluation, out: str | Path, lang: str = "en",
              placements: Sequence[Placement] | None = None) -> dict[str, Path]:
    """Write the After-Action Report of a drill into ``out``: HTML, PDF and the Improvement Plan workbook.

    ``evaluation`` is the drill's scorecard with the evaluator's additions (exercise, overrides,
    notes); ``lang`` is ``en`` or ``zh`` (another raises :class:`~drillsim.spec.errors.InputError`
    naming ``--lang``); ``placements``, if given, adds the section comparing the drill with the
    model's simulated runs. Returns the files written, by name.
    """
    from weasyprint import HTML  # loads Pango: only when a report is written

    tr = Translator(lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    timeline = plot_timeline(plan, log, evaluation.card, out / "aar-timeline.png", tr.gettext)
    escalation = _plot_escalation(plan, log, tr, out / "aar-escalation.png")
    html = aar_html(plan, log, evaluation, tr, {"timeline": timeline.name, "escalation": escalation.name}, placements)
    page = out / "aar.html"
    page.write_text(html, encoding="utf-8")
    pdf = out / "aar.pdf"
    HTML(string=html, base_url=str(out.resolve())).write_pdf(pdf)
    workbook = write_improvement_plan(plan, evaluation, tr, out / "improvement-plan.xlsx")
    return {"aar_timeline": timeline, "aar_escalation": escalation, "aar_html": page, "aar_pdf": pdf,
            "improvement_plan": workbook}


def aar_writer(exercise: Exercise, overrides: Mapping[str, RatingOverride] | None = None,
               notes: Sequence[Note] = (), lang: str = "en",
               placements: Sequence[Placement] | None = None) -> Writer:
    """A drill's writer of its After-Action Report (``write_drill(…, writers=[*DEFAULT_WRITERS, aar_writer(…)])``)."""
    Translator(lang)  # a wrong language is refused when the writer is made, not after the drill's other files

    def write(plan: Plan, log: EventLog, card: Scorecard, out: Path) -> dict[str, Path]:
        evaluation = Evaluation(card, exercise, dict(overrides or {}), list(notes))
        return write_aar(plan, log, evaluation, out, lang, placements)

    return Writer("aar", write)
