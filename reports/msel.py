"""The Master Scenario Events List (MSEL) of a scenario, for the drill's controllers: one row per
inject in scenario order, with when it comes, who delivers and who perceives it, what the plan
expects of them and which requirements that serves; written as HTML and as an xlsx workbook.

Everything is derived from the plan and the scenario (docs/msel.md says how each column is): the
scenario says when an inject comes and what it makes so; the plan's triggers say who acts on it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from drillsim.spec.distributions import Distribution, Empirical, Exponential, Fixed, Lognormal, Triangular, Uniform
from drillsim.spec.plan import Duty, Plan, Report, Requirement, can_start, emits
from drillsim.spec.scenario import FactDraw, Inject, Scenario
from drillsim.spec.schema import LEARNED, Selector

from .i18n import N_, NP_, Translator
from .templating import render

PHRASES: dict[str, str | tuple[str, str]] = {
    "title": NP_("abbreviation: title of the MSEL page and name of its sheet", "MSEL"), "seq": N_("No."),
    "time": N_("Scenario time"), "inject": N_("Inject"),
    "from": NP_("column of the MSEL: who delivers the inject", "From"),
    "to": NP_("column of the MSEL: whom the inject reaches", "To"), "delivery": N_("Delivery method"),
    "actions": N_("Expected actions"), "requirements": N_("Requirements"), "contingency": N_("Contingency"),
    "controller": N_("Controller (exercise control)"), "on_scene": N_("observed on scene"),
    "in_person": N_("in person, by the controller"), "after": N_("after inject {inject} + {time}"),
    "from_start": N_("{time} after start"), "only_if": N_("only if {condition}"),
    "only_after": N_("only if inject {inject} happened"),
    "after_event": N_("after the first {event} at the branch + {time}"),
    "only_after_event": N_("only if {event} happens"), "sets": N_("sets"), "chance": N_("{p:.0%} chance"),
    "if": N_("if"), "later": N_("{delay} later, if"), "later_plain": N_("{delay} later"),
    "learns": N_("on learning of the incident"), "by": N_("by"),
    "min": N_("min"), "s": N_("s"), "h": N_("h"), "d": N_("d"), "uniform": N_("uniform"),
    "triangular": N_("{low}–{high} {unit}, most likely {mode} (triangular)"),
    "exponential": N_("mean {mean} {unit} (exponential)"),
    "lognormal": N_("median {median} {unit}, 90 % by {p90} {unit} (lognormal)"),
    "empirical": N_("one of {values} {unit} (empirical)"), "none": N_("—"),
    "heading": N_("Master Scenario Events List"), "plan": N_("Plan"), "scenario": N_("Scenario"), "start": N_("Start"),
}
"""Column headings and phrases of the MSEL by key, in English: the catalogue's message ids (reports/i18n.py).
A word the catalogue holds in another sense is ``(context, word)``, marked ``NP_`` (gettext's ``msgctxt``)."""
COLUMNS = ("seq", "time", "inject", "from", "to", "delivery", "actions", "requirements", "contingency")
WIDTHS = {"seq": 6, "time": 26, "inject": 40, "from": 18, "to": 24, "delivery": 20, "actions": 60,
          "requirements": 18, "contingency": 30}
"""Column widths of the workbook, in characters."""


@dataclass(frozen=True)
class MselRow:
    """One inject as the controllers read it: texts, and tuples of texts shown one a line."""

    seq: int
    inject: str
    time: str
    text: str
    sender: str
    receivers: tuple[str, ...]
    delivery: tuple[str, ...]
    actions: tuple[str, ...]
    requirements: tuple[str, ...]
    contingency: str | None

    def cells(self, none: str) -> dict[str, str]:
        """The row's cells by column, as the workbook and the page show them (``none`` in an empty one)."""
        return {"seq": str(self.seq), "time": self.time, "inject": f"{self.inject}: {self.text}" if self.text
                else self.inject, "from": self.sender, "to": "\n".join(self.receivers) or none,
                "delivery": "\n".join(self.delivery) or none, "actions": "\n".join(self.actions) or none,
                "requirements": ", ".join(self.requirements) or none, "contingency": self.contingency or ""}


def msel_words(lang: str) -> dict[str, str]:
    """The MSEL's words in ``lang``, by key of ``PHRASES``: the catalogue's (an ``InputError`` naming ``--lang``
    for a language it does not have)."""
    tr = Translator(lang)
    return {key: tr.pgettext(*phrase) if isinstance(phrase, tuple) else tr.gettext(phrase)
            for key, phrase in PHRASES.items()}


# Times --------------------------------------------------------------------------------------------

def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _unit_of(values: tuple[float, ...]) -> tuple[str, float]:
    """The unit a controller reads these minutes in: seconds below a minute, hours from two hours, days
    from two days (when every value is a whole number of quarters of it), else minutes."""
    top = max(values)
    for unit, size in (("d", 1440.0), ("h", 60.0)):
        if top >= 2 * size and all(v % (size / 4) == 0 for v in values):
            return unit, size
    if 0 < top < 1:
        return "s", 1 / 60
    return "min", 1.0


def _amount(minutes: float, words: dict[str, str]) -> str:
    unit, size = _unit_of((minutes,))
    return f"{_number(minutes / size)} {words[unit]}"


def describe_time(dist: Distribution, words: dict[str, str]) -> str:
    """A distribution of minutes as a controller reads it: ``10 min``, ``5–15 min (uniform)``."""
    unit, size = _unit_of(dist.params)
    n = [_number(p / size) for p in dist.params]
    u = words[unit]
    if isinstance(dist, Fixed):
        return f"{n[0]} {u}"
    if isinstance(dist, Uniform):
        return f"{n[0]}–{n[1]} {u} ({words['uniform']})"
    if isinstance(dist, Triangular):
        return words["triangular"].format(low=n[0], mode=n[1], high=n[2], unit=u)
    if isinstance(dist, Exponential):
        return words["exponential"].format(mean=n[0], unit=u)
    if isinstance(dist, Lognormal):
        return words["lognormal"].format(median=n[0], p90=n[1], unit=u)
    if isinstance(dist, Empirical):
        return words["empirical"].format(values=", ".join(n), unit=u)
    raise ValueError(f"no controller's wording for a {dist.kind} distribution")


def _bounds(dist: Distribution) -> tuple[float, float]:
    """The earliest and latest value a distribution draws (latest: infinite for an unbounded one)."""
    if isinstance(dist, Exponential | Lognormal):
        return (0.0, float("inf"))
    return (min(dist.params), max(dist.params))


def _earliest(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Each inject's earliest and latest minute, counted along ``after``."""
    found: dict[str, tuple[float, float]] = {}
    for inj in scenario.injects:
        lo, hi = _bounds(inj.at)
        follows_event = isinstance(inj.after, Selector)  # after an event of the drill: any time from the start on
        base = (0.0, float("inf")) if follows_event else found[inj.after] if inj.after else (0.0, 0.0)
        found[inj.id] = (base[0] + lo, base[1] + hi)
    return found


def _clock(scenario: Scenario, lo: float, hi: float) -> str:
    start = scenario.start

    def at(m: float) -> str:
        t = start + timedelta(minutes=m)
        return f"{t:%H:%M}" if t.date() == start.date() else f"{t:%m-%d %H:%M}"

    return at(lo) if lo == hi else f"{at(lo)}–{at(hi)}"


def _time(inj: Inject, scenario: Scenario, span: tuple[float, float], words: dict[str, str]) -> str:
    time = describe_time(inj.at, words)
    if isinstance(inj.after, Selector):
        return words["after_event"].format(event=_selected(inj.after), time=time)
    if inj.after:
        return words["after"].format(inject=inj.after, time=time)
    text = words["from_start"].format(time=time)
    return text + (f" ({_clock(scenario, *span)})" if span[1] != float("inf") else "")


# Conditions and facts ------------------------------------------------------------------------------

def _glossed(condition: str, plan: Plan) -> str:
    """A condition as written, with the Chinese names of the facts it reads: ``power_out (停电)``."""
    names = sorted(n for n in _names(condition) if n in plan.facts and plan.facts[n].name)
    gloss = "; ".join(f"{n}: {plan.facts[n].name}" for n in names)
    return f"{condition.strip()}" + (f" ({gloss})" if gloss else "")


def _fact_value(plan: Plan, name: str, value: Any, words: dict[str, str]) -> str:
    label = plan.facts[name].name or name
    if isinstance(value, FactDraw):
        return f"{label} = {words['chance'].format(p=value.chance)}"
    if isinstance(value, Distribution):  # a number drawn: its parameters as written
        return f"{label} = {value.kind} {', '.join(_number(p) for p in value.params)}"
    if isinstance(value, bool):
        return f"{label} = {'是' if value else '否'}"
    return f"{label} = {value}"


def _inject_text(inj: Inject, plan: Plan, words: dict[str, str]) -> str:
    facts = ", ".join(_fact_value(plan, k, v, words) for k, v in inj.facts.items())
    parts = [p for p in (inj.description.strip(), f"[{words['sets']}: {facts}]" if facts else "") if p]
    return " ".join(parts)


def _selected(sel: Selector) -> str:
    """The events an inject follows, as written: ``action use_fire_extinguisher``, ``sent → fire``."""
    parts = [sel.event, "/".join(sel.what or ()), "/".join(sel.actor or ()),
             "→ " + "/".join(sel.target) if sel.target else "", "/".join(sel.channel or ()),
             f"= {sel.value}" if sel.value is not None else ""]
    return " ".join(p for p in parts if p)


def _contingency(inj: Inject, contingent: set[str], plan: Plan, words: dict[str, str]) -> str | None:
    if inj.when:
        return words["only_if"].format(condition=_glossed(inj.when, plan))
    if isinstance(inj.after, Selector):
        return words["only_after_event"].format(event=_selected(inj.after))
    if inj.after in contingent:
        return words["only_after"].format(inject=inj.after)
    return None


# Who acts on an inject -------------------------------------------------------------------------------

def _matches(on: Selector, inj: Inject, opener: bool) -> bool:
    """Whether the inject, or a fact it sets, starts a task or requirement with trigger ``on``."""
    if on.event == "inject":
        return (on.what is None or inj.id in on.what) and (not on.first or opener)
    if on.event != "fact" or on.actor or on.target or on.channel:
        return False
    for name, value in inj.facts.items():
        if on.what is not None and name not in on.what:
            continue
        if on.value is None or isinstance(value, FactDraw | Distribution) or on.value == value:
            return True
    return False


class Facts:
    """The facts as a controller can know them at an inject: the plan's defaults, then each constant an
    inject sets, in scenario order; a fact drawn by chance or from a distribution is unknown. ``level``
    is none at the first inject, then the level the grading rules give on the facts before the inject
    (what can have been declared by then)."""

    def __init__(self, plan: Plan, scenario: Scenario):
        self.plan = plan
        self.values: dict[str, Any] = {**plan.initial_facts, "type": scenario.incident.type, "level": 0}
        self.unknown: set[str] = set()
        self.played = False
        self.later: set[str] = set()
        """Facts an inject still to come (in scenario order) may change."""

    def play(self, inj: Inject, later: set[str]) -> None:
        self.later = later
        if self.played and "level" not in self.unknown:
            self.values["level"] = self.plan.grade(self.values, self.values["type"])
        self.played = True
        if self.unknown:
            self.unknown.add("level")
        for name, value in inj.facts.items():
            if isinstance(value, FactDraw | Distribution):
                self.unknown.add(name)
            else:
                self.values[name] = value
                self.unknown.discard(name)

    def holds(self, condition: str | None) -> bool | None:
        """Whether a condition holds on these facts: None when it reads a fact that is unknown."""
        if condition is None:
            return True
        if _names(condition) & self.unknown:
            return None
        return bool(self.plan.compile(condition)(self.values))


def _names(condition: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(condition.strip(), mode="eval")) if isinstance(n, ast.Name)}


def _matching(plan: Plan, inj: Inject, opener: bool) -> list[Duty | Report]:
    """The duties and reports whose trigger the inject, or a fact it sets, matches (whatever their condition)."""
    return [t for t in (*plan.duties, *plan.escalation) if t.on.event != LEARNED and _matches(t.on, inj, opener)]


def _triggered(plan: Plan, inj: Inject, sites: tuple[str, ...], opener: bool, informed: set[tuple[str, str]],
               facts: Facts) -> list[Duty | Report]:
    """The plan's duties and reports this inject starts: those whose trigger it (or a fact it sets)
    matches, and, for the roles it is the first to reach at one of its ``sites`` (``informed``: the
    (site, role) pairs reached before), those they start on learning of the incident; without those
    whose condition (read at the trigger) is false on the facts known then."""
    def starts(t: Duty | Report) -> bool:
        if t.delay:  # its condition is read later: false only if no inject to come can change what it reads
            return facts.holds(t.when) is not False or bool(_names(t.when or "") & (facts.later | {"level"}))
        return facts.holds(t.when) is not False

    tasks = [t for t in _matching(plan, inj, opener) if starts(t)]
    reached = {r for t in tasks for r in _roles(t)}
    if opener:
        reached |= {rid for rid, role in plan.roles.items() if role.kind == "staff"}
    new = {(site, role) for site in sites for role in reached} - informed
    informed |= new
    first = {role for _, role in new}
    learned = [t for t in (*plan.duties, *plan.escalation) if t.on.event == LEARNED and set(_roles(t)) & first
               and starts(t)]
    return tasks + learned


def _roles(task: Duty | Report) -> tuple[str, ...]:
    return task.roles if isinstance(task, Duty) else (task.from_,)


def _role_name(plan: Plan, rid: str) -> str:
    return f"{plan.roles[rid].name} ({rid})"


def _action(plan: Plan, task: Duty | Report, facts: Facts, words: dict[str, str]) -> str:
    if isinstance(task, Duty):
        what = f"{plan.action_labels.get(task.do, task.do)} ({task.do})"
        head = " / ".join(_role_name(plan, r) for r in task.roles)
    else:
        what = (f"{task.id} → {plan.roles[task.to].name} {words['by']} {plan.channels[task.channel].name}"
                + (f" [{', '.join(plan.report_fields.get(f, f) for f in task.carries)}]" if task.carries else ""))
        head = _role_name(plan, task.from_)
    terms = []
    if task.on.event == LEARNED:
        terms.append(words["learns"])
    if task.delay:
        delay = _amount(task.delay, words)
        terms.append(words["later"].format(delay=delay) + f" {task.when}" if task.when
                     else words["later_plain"].format(delay=delay))
    elif facts.holds(task.when) is None:
        terms.append(f"{words['if']} {task.when}")
    return f"{head}: {what}" + (f" ({'; '.join(terms)})" if terms else "")


def _served(plan: Plan, inj: Inject, opener: bool, tasks: list[Duty | Report], facts: Facts) -> list[str]:
    """Requirements that select this inject or a fact it sets (a deadline's trigger, an order's step),
    that judge what a task it starts does, or that forbid what a task its trigger matches would do if
    its condition held (the audible alarm the teller must not sound when there is an explosive); without
    those whose condition (``applies_if`` read at the trigger, a prohibition's ``while``) is false on
    the facts known at the inject."""
    emitted = [e for t in tasks for e in emits(t, plan)]
    tempted = [e for t in _matching(plan, inj, opener) for e in emits(t, plan)]
    grades = any(isinstance(t, Duty) and t.do == "grade" for t in tasks)

    def judged(req: Requirement) -> bool:
        if req.kind == "classification":
            return grades
        selectors = [getattr(req, part) for part in req.selectors]
        events = tempted if req.kind == "prohibition" else emitted
        return any(_matches(sel, inj, opener) for sel in selectors) or any(
            can_start(e, sel) for e in events for sel in selectors)

    def applies(req: Requirement) -> bool:
        if req.applies_when == "trigger" and facts.holds(req.applies_if) is False:
            return False
        return req.kind != "prohibition" or facts.holds(req.while_) is not False

    return [r.id for r in plan.requirements if judged(r) and applies(r)]


def _receivers(plan: Plan, scenario: Scenario, inj: Inject, tasks: list[Duty | Report]) -> tuple[str, ...]:
    roles = list(dict.fromkeys(r for t in tasks for r in _roles(t)))
    names = tuple(_role_name(plan, r) for r in roles)
    if len(scenario.branches) > 1 or inj.branches:
        sites = [b.name or b.id for b in scenario.branches if inj.branches is None or b.id in inj.branches]
        return (*names, f"@ {', '.join(sites)}")
    return names


def _delivery(plan: Plan, tasks: list[Duty | Report], words: dict[str, str]) -> tuple[str, ...]:
    kinds = {plan.roles[r].kind for t in tasks for r in _roles(t)}
    out = []
    if "staff" in kinds:
        out.append(words["on_scene"])
    if kinds - {"staff"}:
        out.append(words["in_person"])
    return tuple(out)


def msel_rows(plan: Plan, scenario: Scenario, lang: str = "en") -> list[MselRow]:
    """The MSEL: one row per inject, in scenario order (docs/msel.md)."""
    words = msel_words(lang)
    spans = _earliest(scenario)
    opening: dict[str, str] = {}  # branch -> the inject that can come first there: the incident's first
    for inj in sorted(scenario.injects, key=lambda i: spans[i.id][0]):  # stable: scenario order on a tie
        if inj.when is None and not isinstance(inj.after, Selector):
            for b in scenario.sites_of(inj):
                opening.setdefault(b, inj.id)
    openers = set(opening.values())
    informed: set[tuple[str, str]] = set()
    contingent: set[str] = set()
    facts = Facts(plan, scenario)
    to_come: list[set[str]] = []  # for each inject, the facts the injects after it set
    after: set[str] = set()
    for inj in reversed(scenario.injects):
        to_come.append(after)
        after = after | set(inj.facts)
    to_come.reverse()
    rows = []
    for seq, (inj, later) in enumerate(zip(scenario.injects, to_come, strict=True), 1):
        if inj.when or isinstance(inj.after, Selector) or inj.after in contingent:
            contingent.add(inj.id)
        opener = inj.id in openers
        facts.play(inj, later)
        sites = scenario.sites_of(inj)
        tasks = _triggered(plan, inj, sites, opener, informed, facts)
        rows.append(MselRow(
            seq=seq, inject=inj.id, time=_time(inj, scenario, spans[inj.id], words),
            text=_inject_text(inj, plan, words), sender=words["controller"],
            receivers=_receivers(plan, scenario, inj, tasks), delivery=_delivery(plan, tasks, words),
            actions=tuple(_action(plan, t, facts, words) for t in tasks),
            requirements=tuple(_served(plan, inj, opener, tasks, facts)),
            contingency=_contingency(inj, contingent, plan, words)))
    return rows


# Files ----------------------------------------------------------------------------------------------

def _write_xlsx(rows: list[MselRow], words: dict[str, str], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = words["title"]
    sheet.append([words[c] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEEEEE")
    for row in rows:
        cells = row.cells(words["none"])
        sheet.append([row.seq, *(cells[c] for c in COLUMNS[1:])])
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = wrap
    for i, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS[column]
    sheet.freeze_panes = "A2"
    book.save(path)
    return path


def write_msel(plan: Plan, scenario: Scenario, out: str | Path, lang: str = "en") -> dict[str, Path]:
    """Write ``msel.html`` and ``msel.xlsx`` into ``out``; returns them by kind (``html``, ``xlsx``)."""
    words = msel_words(lang)  # a language the catalogue does not have is refused before anything is written
    rows = msel_rows(plan, scenario, lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    html = out / "msel.html"
    html.write_text(render("msel.html.j2", plan=plan, scenario=scenario, words=words, columns=COLUMNS,
                           rows=[(r, r.cells(words["none"])) for r in rows], lang=lang), encoding="utf-8")
    return {"html": html, "xlsx": _write_xlsx(rows, words, out / "msel.xlsx")}
