"""Filled log sheets as one drill: the merged log, what the evaluators add, and its honest scorecard.

``read_sheets(paths, plan)`` reads the sheets of one drill (xlsx and CSV, one per evaluator, room or
role), checks every row, merges them (log.sheets) and reads the exercise, the roles watched, the
rating overrides and the notes. ``DrillSheets.score()`` scores the log with the scorer of simulated
runs, with the roles nobody watched not evaluated, and warns where a time typed to the minute leaves a
deadline's verdict open; ``DrillSheets.evaluation(card)`` is the :class:`Evaluation` of the
After-Action Report. The rules are in docs/log-sheets.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from drillsim.log.drill_log import suggest
from drillsim.log.eventlog import Event, EventLog
from drillsim.log.sheets import Entry, MergedLog, SheetFile, StampConflict, merge_sheets, read_sheet_file
from drillsim.scoring.checks import DeadlineCheck
from drillsim.scoring.evaluation import Evaluation, Exercise, Note, RatingOverride
from drillsim.scoring.outcomes import Outcome, RequirementResult
from drillsim.scoring.scorecard import Scorecard, Scorer
from drillsim.spec.durations import format_minutes
from drillsim.spec.errors import InputError, InputErrors, InputWarning
from drillsim.spec.plan import Plan
from drillsim.spec.scenario import Scenario


@dataclass
class DrillSheets:
    """One drill as its evaluators' sheets record it."""

    plan: Plan
    merged: MergedLog
    exercise: Exercise
    overrides: dict[str, RatingOverride] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    drill_id: str | None = None

    @property
    def log(self) -> EventLog:
        return self.merged.log

    @property
    def observed_roles(self) -> frozenset[str] | None:
        return self.merged.observed

    @property
    def conflicts(self) -> list[StampConflict]:
        return self.merged.conflicts

    def score(self, incident_type: str | None = None) -> Scorecard:
        """The scorecard, as a simulated run's, with honest coverage and the resolution warnings."""
        scorer = Scorer(self.plan)
        card = scorer.score(self.log, incident_type, observed=self.observed_roles)
        card.warnings += resolution_warnings(scorer, card.results, self.log, self.merged)
        return card

    def evaluation(self, card: Scorecard) -> Evaluation:
        return Evaluation(card, self.exercise, self.overrides, self.notes)


def read_sheets(paths: Sequence[str | Path], plan: Plan, scenario: Scenario | None = None,
                day: date | None = None) -> DrillSheets:
    """The filled sheets of one drill (xlsx or csv, mixed); raises :class:`InputErrors` listing every
    row that cannot be understood, with its file, sheet, row and reason."""
    errors: list[InputError] = []
    files: list[SheetFile] = []
    for path in paths:
        try:
            files.append(read_sheet_file(path, plan))
        except InputError as err:
            errors += err.problems
            continue
        errors += files[-1].errors
    exercise, drill_id = _exercise(files, errors)
    if exercise.scenario:
        scenario = _exercise_scenario(files, exercise.scenario, plan, scenario, errors)
    overrides = _overrides(files, plan, errors)
    notes = [Note(e.cells["text"], e.cells.get("by") or None) for f in files for e in f.notes
             if e.cells.get("text")]
    for f in files:
        errors += [InputError(e.source, "a note needs its text", "column 'text'", e.line) for e in f.notes
                   if not e.cells.get("text")]
    merged = None
    try:
        if files:  # else every file is unreadable, and said so
            merged = merge_sheets(files, plan, scenario, day or exercise.date)
    except InputError as err:
        errors += err.problems
    if errors or merged is None:
        names = [str(p) for p in paths]
        raise InputErrors(sorted(errors, key=lambda e: (
            next((i for i, n in enumerate(names) if e.source.startswith(n)), len(names)), e.source, e.line or 0)))
    if exercise.scenario is None and scenario is not None:
        exercise = Exercise(**{**exercise.__dict__, "scenario": scenario.id})
    return DrillSheets(plan, merged, exercise, overrides, notes, drill_id)


def _exercise_scenario(files: list[SheetFile], ref: str, plan: Plan, given: Scenario | None,
                       errors: list[InputError]) -> Scenario | None:
    """The scenario given, else the built-in one the exercise sheet names; one that is neither is an error."""
    from drillsim.spec.catalog import builtin_scenarios
    from drillsim.spec.scenario import load_scenario

    entry = next(f.exercise["scenario"] for f in files if "scenario" in f.exercise)
    if given is not None:
        if ref != given.id:
            errors.append(InputError(entry.source, f"scenario {ref!r} is not the scenario given ({given.id!r}): the "
                                     "sheet records another drill, or --scenario is wrong", "column 'value'",
                                     entry.line))
        return given
    builtin = builtin_scenarios()
    if ref in builtin and load_scenario(builtin[ref]).plan == plan.id:
        return load_scenario(builtin[ref], plan)
    known = {s: s for s, path in builtin.items() if load_scenario(path).plan == plan.id}  # for the message alone
    errors.append(InputError(entry.source, f"unknown scenario {ref!r} of plan {plan.id!r}" + suggest(ref, known)
                             + " (give a scenario file with --scenario)", "column 'value'", entry.line))
    return None


def _exercise(files: list[SheetFile], errors: list[InputError]) -> tuple[Exercise, str | None]:
    """The exercise the sheets describe; an item two sheets give differently is an error."""
    found: dict[str, Entry] = {}
    people: dict[str, list[str]] = {"participants": [], "evaluators": []}
    for f in files:
        for key, entry in f.exercise.items():
            value = entry.cells["value"]
            if key in people:
                people[key] += [p for p in _names(value) if p not in people[key]]
            elif key in found and found[key].cells["value"] != value:
                first = found[key]
                errors.append(InputError(entry.source, f"{key} {value!r} differs from {first.cells['value']!r} "
                                         f"({first.source}:{first.line}): the sheets record one drill",
                                         "column 'value'", entry.line))
            else:
                found.setdefault(key, entry)
    when = None
    if "date" in found:
        entry = found["date"]
        try:
            when = date.fromisoformat(entry.cells["value"][:10])
        except ValueError:
            errors.append(InputError(entry.source, f"{entry.cells['value']!r} is not a date (write 2026-03-12)",
                                     "column 'value'", entry.line))
    text = {k: e.cells["value"] for k, e in found.items()}
    exercise = Exercise(text.get("name", ""), when, text.get("branch"), text.get("scope"), text.get("scenario"),
                        tuple(people["participants"]), tuple(people["evaluators"]))
    return exercise, text.get("drill")


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[;；、,，\n]+", text) if n.strip()]


def _overrides(files: list[SheetFile], plan: Plan, errors: list[InputError]) -> dict[str, RatingOverride]:
    """The ratings the evaluators gave in place of the proposed ones, each with its justification."""
    out: dict[str, tuple[RatingOverride, Entry]] = {}
    known = {c: f"{c} ({name})" for c, name in plan.capabilities.items()}
    for f in files:
        for e in f.ratings:
            cid, rating = e.cells.get("capability", ""), e.cells.get("rating", "").upper()
            if not rating and not e.cells.get("justification"):
                continue  # a capability the evaluator did not re-rate
            if cid not in plan.capabilities:
                errors.append(InputError(e.source, f"unknown capability {cid!r}" + suggest(cid, known),
                                         "column 'capability'", e.line))
                continue
            try:
                override = RatingOverride(cid, rating, e.cells.get("justification", ""), e.cells.get("by") or None)
            except ValueError as err:
                column = "rating" if rating not in ("P", "S", "M", "U") else "justification"
                errors.append(InputError(e.source, str(err), f"column {column!r}", e.line))
                continue
            if cid in out and out[cid][0].rating != rating:
                first = out[cid][1]
                errors.append(InputError(e.source, f"{cid} is rated {rating} here and {out[cid][0].rating} in "
                                         f"{first.source}:{first.line}: agree on one rating", "column 'rating'",
                                         e.line))
                continue
            out.setdefault(cid, (override, e))
    return {cid: o for cid, (o, _) in out.items()}


# Times typed to the minute ---------------------------------------------------------------------------


def resolution_warnings(scorer: Scorer, results: list[RequirementResult], log: EventLog,
                        merged: MergedLog) -> list[InputWarning]:
    """A warning for each deadline whose verdict depends on where in a typed minute its stamps fall.

    The log holds a time typed to the minute at the start of the minute (``10:03`` is 10:03:00);
    the latency could be up to the response's width longer and the trigger's width shorter. When
    met at one end and late at the other, the warning names the requirement and both readings.
    """
    out = []
    for check, r in zip(scorer.checks, results, strict=True):
        if not isinstance(check, DeadlineCheck) or r.outcome not in (Outcome.MET, Outcome.LATE):
            continue
        if r.at is None or r.since is None or r.latency is None or r.deadline is None or r.at < r.since:
            continue
        response = _row_at(log, r.at, check.req.response.event, check.response)
        trigger = _row_at(log, r.since, check.req.trigger.event, check.trigger)
        stamps = [merged.stamp_of(row) if row else None for row in (response, trigger)]
        widths = [(s.width if s else timedelta(0)) / timedelta(minutes=1) for s in stamps]
        shortest, longest = max(0.0, r.latency - widths[1]), r.latency + widths[0]
        if not shortest <= r.deadline + 1e-9 < longest:
            continue
        typed = " and ".join(f"{what} {s}" for what, s in zip(("the response", "the trigger"), stamps, strict=True)
                             if s and s.width)
        place = next(s for s in stamps if s and s.width)
        out.append(InputWarning(place.source, f"{r.id}: the verdict depends on the second in the minute typed "
                                f"({typed}): at the earliest reading the latency is {format_minutes(shortest)}, "
                                f"met; at the latest {format_minutes(longest)}, late by "
                                f"{format_minutes(longest - r.deadline)}; scored as typed (the minute's start): "
                                f"{r.outcome.value}. Type the seconds to settle it", "column 'time'", place.line))
    return out


def _row_at(log: EventLog, t: float, event: str, match) -> Event | None:
    return next((row for row in log.rows if row.event == event and abs(row.t - t) < 1e-9 and match(row)), None)
