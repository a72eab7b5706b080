"""The timeline plot of one drill: who did what when, against the plan's deadlines.

Labels are laid out so that none covers another: each row (lane) gets as many tiers above and
below its line as its densest stretch needs, and a label goes to the first tier where it fits.
A row shows at most :data:`MAX_LABELS_PER_LANE` labels (the earliest); the plot says how many it
left out, and the report's event log lists every event.

A long log (more than :data:`MAX_DETAILED_ROWS` rows, or more than :data:`MAX_DETAILED_LANES` people)
is drawn bounded instead, what cannot be read one by one aggregated: a row per role (all its people
at every site; when there are more, the :data:`MAX_LANES` - 2 busiest, the rest in one), shaded by
its count of log rows per time bin (at most :data:`BINS` bins), a marker per kind of event and bin, a
label only on the first of each event in a row (:data:`MAX_KEY_LABELS` in all) and an arrow only on
the first message between two rows (:data:`MAX_ARROWS`). Its cost is then one pass over the rows and a bounded drawing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from drillsim.log.eventlog import Event, EventLog
from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.durations import format_minutes
from drillsim.spec.plan import Plan

from .fonts import use_cjk_font
from .i18n import N_, OUTCOMES

OUTCOME_COLOURS = {
    Outcome.MET: "#2e7d32", Outcome.LATE: "#ef6c00", Outcome.MISSED: "#c62828", Outcome.INCOMPLETE: "#f9a825",
    Outcome.VIOLATED: "#6a1b9a", Outcome.NOT_APPLICABLE: "#9e9e9e", Outcome.PENDING: "#0277bd",
    Outcome.NOT_EVALUATED: "#bdbdbd",
}
"""The colour of each outcome (every outcome has one)."""
MARKERS = {  # event -> (marker, colour)
    "action": ("o", "#1565c0"), "sent": (">", "#00838f"), "received": ("v", "#00838f"),
    "acknowledged": ("d", "#00838f"), "unanswered": ("x", "#c62828"), "lost": ("x", "#c62828"),
    "level": ("*", "#ad1457"), "arrived": ("s", "#4e342e"), "omitted": ("x", "#757575"),
    "learned": ("1", "#6a1b9a"),  # a small tick where the person first knows of the incident
}
SCENE_LANE = "情景 (injects)"
LABELLED = ("action", "level", "arrived", "omitted", "unanswered")
MAX_LABELS_PER_LANE = 40
"""Labels drawn in one row at most; the cost of the plot stays bounded on a long log."""
MAX_TIERS = 5
"""Tiers of labels above and below a row's line at most (the injects' row takes as many as it needs)."""
TIERS = [t for k in range(MAX_TIERS) for t in (k, -k - 1)]  # 0, 1, … above the line; -1, -2, … below
SCENE_TIERS = list(range(-1, -MAX_LABELS_PER_LANE - 1, -1))  # injects read down the page, in order of time
MAX_DETAILED_ROWS = 400
"""Log rows drawn one by one at most (the built-in scenarios' drills have fewer than 200); a longer log
is drawn bounded."""
MAX_DETAILED_LANES = 40
"""People (rows of the plot) drawn one by one at most; with more, the log is drawn bounded."""
MAX_LANES = 30
"""Rows of the bounded drawing at most: the injects', the busiest roles and one for the other roles."""
MAX_KEY_LABELS = 100
"""Labels of the bounded drawing at most, in all."""
MAX_ARROWS = 40
"""Arrows of the bounded drawing at most: the first message between each two of its rows."""
BINS = 120
"""Time bins of the bounded drawing at most, across the plot."""
BIN_STEPS = (5 / 60, 10 / 60, 15 / 60, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 1440.0)
"""The bounded drawing's bin widths, in minutes: the narrowest that makes at most :data:`BINS` bins."""

DPI = 110
WIDTH_IN = 13.0
LABEL_SIZE = 7.0
TICK_SIZE = 8.0
LABEL_GAP_PT = 4.0  # from the marker to its label, sideways and up/down
SCENE_GAP_PT = 8.0  # below the tall inject ticks
LANE_HALF_PT = 15.0  # half a row's height when it has at most one tier each way
REQ_ROW_IN = 0.36
CAPTION = N_("minutes since the incident began; grey bars: the time each deadline allows, dots: the observed response")
"""The axis' caption in the After-Action Report's language (``words``)."""
LEFT_OUT = N_("{left_out} event labels left out (a row shows at most {most}, and only where they fit)")
AGGREGATED = N_("{rows} log rows drawn together: a row per role (×: its people), shaded by its log rows per {step} "
                "(darkest: {most}), a marker per kind of event")
AGGREGATED_LABELS = N_("labelled: only the first of each event in a row; {left_out} event labels left out; "
                       "events.csv lists every event")
OTHER_ROLES = N_("{count} other roles")
"""The bounded drawing's row for the roles not drawn on their own."""


@dataclass
class _Label:
    lane: int
    x: float  # minutes since the incident began
    text: str
    width: float = 0.0  # points
    tier: int = 0  # 0, 1, … above the line; -1, -2, … below
    left: bool = False  # drawn to the left of its marker (near the right edge)
    event: str = ""  # the row's event ("inject" for a fact)


def incident_start(log: EventLog) -> float:
    return next((row.t for row in log.rows if row.event == "inject"), 0.0)


def actor_label(plan: Plan, role: str | None, name: str | None) -> str:
    if role is None or name is None:
        return SCENE_LANE
    role_name = plan.roles[role].name if role in plan.roles else role
    suffix = name.rsplit("-", 1)[-1] if "-" in name else ""
    prefix = name.split("/", 1)[0] + "/" if "/" in name else ""
    return f"{prefix}{role_name}-{suffix}" if suffix.isdigit() else f"{prefix}{role_name}"


def _person_of(row: Event) -> tuple[str | None, str | None]:
    """The role and the person whose row of the plot ``row`` is drawn in: the receiver's for a message taken."""
    if row.event in ("received", "acknowledged"):
        return row.target_role, row.target
    return row.actor_role, row.actor


def _lane_of(plan: Plan, row: Event) -> str:
    return actor_label(plan, *_person_of(row))


def _role_lanes(plan: Plan, rows: list[Event], words: Callable[[str], str]) -> tuple[list[str], Callable[[Event], int]]:
    """The bounded drawing's rows: the injects', then one per role (its people at every site), the
    busiest :data:`MAX_LANES` - 2 if there are more and one for the others; with the row of a log row."""
    count: Counter[str] = Counter()
    people: dict[str, set[str]] = {}
    for r in rows:
        role, name = _person_of(r)
        if role is not None and name is not None:
            count[role] += 1
            people.setdefault(role, set()).add(name)
    kept = list(count)  # in order of first appearance
    if len(kept) > MAX_LANES - 1:
        busiest = {role for role, _ in count.most_common(MAX_LANES - 2)}
        kept = [role for role in kept if role in busiest]
    index = {role: i for i, role in enumerate(kept, 1)}
    names = [SCENE_LANE]
    for role in kept:
        name, n = plan.roles[role].name if role in plan.roles else role, len(people[role])
        names.append(f"{name} ×{n}" if n > 1 else name)
    other = len(names)
    if len(count) > len(kept):
        names.append(words(OTHER_ROLES).format(count=len(count) - len(kept)))

    def lane_of(row: Event) -> int:
        role, name = _person_of(row)
        return 0 if role is None or name is None else index.get(role, other)

    return names, lane_of


def _label_text(plan: Plan, row: Event) -> str:
    if row.event == "fact":
        fact = plan.facts.get(row.what)
        return f"{(fact.name if fact else '') or row.what}={row.value}"
    return str(row.what)


def _assign_tiers(labels: list[_Label], order: list[int], pt_per_min: float, x0: float,
                  width_pt: float) -> list[_Label]:
    """Give each label of one lane the first tier of ``order`` where it overlaps no other label;
    returns those that fit nowhere."""
    taken: dict[int, list[tuple[float, float]]] = {}
    dropped = []
    for lab in sorted(labels, key=lambda la: la.x):
        at = (lab.x - x0) * pt_per_min
        lab.left = at + LABEL_GAP_PT + lab.width > width_pt
        lo = at - LABEL_GAP_PT - lab.width if lab.left else at + LABEL_GAP_PT
        span = (lo - 2.0, lo + lab.width + 2.0)
        for tier in order:
            if all(span[1] <= a or span[0] >= b for a, b in taken.get(tier, ())):
                lab.tier = tier
                taken.setdefault(tier, []).append(span)
                break
        else:
            dropped.append(lab)
    return dropped


def plot_timeline(plan: Plan, log: EventLog, card: Scorecard, path: str | Path,
                  words: Callable[[str], str] | None = None) -> Path:
    """Draw the timeline to ``path`` (PNG); ``words`` as for :func:`timeline_figure`."""
    path = Path(path)
    timeline_figure(plan, log, card, words).savefig(path, dpi=DPI)
    return path


def timeline_figure(plan: Plan, log: EventLog, card: Scorecard, words: Callable[[str], str] | None = None) -> Figure:
    """The timeline: a row per person or body above, a row per requirement below.

    ``words`` (a gettext) puts the outcomes and the axis' caption in one language (the After-Action
    Report's); without it they are as the drill's report shows them.
    """
    use_cjk_font()
    t0 = incident_start(log)
    rows = [r for r in log.rows if r.event != "unfinished" and r.t >= t0 - 1e-9]
    lanes: dict[str, int] = {SCENE_LANE: 0}  # a row of the plot per person, for a short log
    for r in rows if len(rows) <= MAX_DETAILED_ROWS else ():
        lanes.setdefault(_lane_of(plan, r), len(lanes))
    reqs = list(card.results)
    end = max([r.t - t0 for r in rows] + [0.0])
    for res in reqs:
        if res.at is not None:
            end = max(end, res.at - t0)
        if res.since is not None and res.deadline is not None:
            end = max(end, res.since - t0 + res.deadline)
    end = end * 1.05 + 1
    x0 = -1.0

    bounded = len(rows) > MAX_DETAILED_ROWS or len(lanes) > MAX_DETAILED_LANES
    if bounded:
        names, lane_of = _role_lanes(plan, rows, words or str)
    else:
        names = list(lanes)

        def lane_of(row: Event) -> int:
            return lanes[_lane_of(plan, row)]

    per_lane, left_out = _labels(plan, rows, t0, lane_of, bounded)

    fig = Figure(figsize=(WIDTH_IN, 4.0), dpi=DPI)
    renderer = FigureCanvasAgg(fig).get_renderer()
    label_font, tick_font = FontProperties(size=LABEL_SIZE), FontProperties(size=TICK_SIZE)

    def size_pt(text: str, font: FontProperties) -> tuple[float, float]:
        w, h, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        return w * 72 / DPI, h * 72 / DPI

    tick_texts = [*names, *(f"{r.id} {r.title.split(' (')[0]}" for r in reqs)]
    left_in = (max(size_pt(t, tick_font)[0] for t in tick_texts) + 14) / 72 + 0.1
    right_in = 0.25
    width_pt = (WIDTH_IN - left_in - right_in) * 72
    pt_per_min = width_pt / (end - x0)
    tier_pt = max([size_pt(la.text, label_font)[1] for labs in per_lane.values() for la in labs] + [8.0]) + 1.5
    for lane, labs in per_lane.items():
        for la in labs:
            la.width = size_pt(la.text, label_font)[0]
        dropped = _assign_tiers(labs, SCENE_TIERS if lane == 0 else TIERS, pt_per_min, x0, width_pt)
        left_out += len(dropped)
        labs[:] = [la for la in labs if la not in dropped]

    # lane centres in points from the top of the axes (data units of the top axes are points)
    centre, y, bounds = {}, 0.0, [0.0]
    for lane in range(len(names)):
        tiers = [la.tier for la in per_lane.get(lane, ())]
        gap = SCENE_GAP_PT if lane == 0 else LABEL_GAP_PT
        up = max(LANE_HALF_PT, gap + (max(tiers, default=-1) + 1) * tier_pt + 2)
        down = max(LANE_HALF_PT, gap - min(tiers, default=0) * tier_pt + 2)
        centre[lane] = y + up
        y += up + down
        bounds.append(y)
    top_h_in = y / 72
    bottom_h_in = REQ_ROW_IN * max(len(reqs), 3)
    head_in, gap_in, foot_in = 0.45, 0.2, 0.75 if left_out else 0.6
    if bounded:
        foot_in = 0.9
    height_in = head_in + top_h_in + gap_in + bottom_h_in + foot_in
    fig.set_size_inches(WIDTH_IN, height_in)
    ax_w = (WIDTH_IN - left_in - right_in) / WIDTH_IN
    top = fig.add_axes((left_in / WIDTH_IN, (foot_in + bottom_h_in + gap_in) / height_in, ax_w, top_h_in / height_in))
    bottom = fig.add_axes((left_in / WIDTH_IN, foot_in / height_in, ax_w, bottom_h_in / height_in), sharex=top)

    if bounded:
        step, most = _draw_bounded(top, rows, t0, lane_of, per_lane, centre, bounds, x0, end)
    else:
        _draw_rows(top, rows, t0, lane_of, centre)
    for labs in per_lane.values():
        for la in labs:
            dx = -LABEL_GAP_PT if la.left else LABEL_GAP_PT
            gap = SCENE_GAP_PT if la.lane == 0 else LABEL_GAP_PT
            if la.tier >= 0:
                dy, va = gap + la.tier * tier_pt, "bottom"
            else:
                dy, va = -gap + (la.tier + 1) * tier_pt, "top"
            top.annotate(la.text, (la.x, centre[la.lane]), xytext=(dx, dy), textcoords="offset points",
                         fontsize=LABEL_SIZE, ha="right" if la.left else "left", va=va)
    top.set_yticks([centre[i] for i in range(len(names))], names, fontsize=TICK_SIZE)
    top.set_ylim(y, 0)
    top.tick_params(labelbottom=False)
    top.grid(axis="x", alpha=0.3)
    top.set_title(f"{plan.title} — {card.meta.get('scenario', card.incident_type)}", fontsize=10)

    for i, res in enumerate(reqs):
        colour = OUTCOME_COLOURS[res.outcome]
        if res.deadline is not None and res.since is not None:
            bottom.barh(i, res.deadline, left=res.since - t0, height=0.5, color="#e0e0e0", edgecolor="#9e9e9e")
        if res.at is not None:
            bottom.plot(res.at - t0, i, "o", color=colour, markersize=8)
        label = words(OUTCOMES[res.outcome]) if words else res.outcome.value
        bottom.annotate(label, (end, i), xytext=(-4, 0), textcoords="offset points", ha="right",
                        va="center", fontsize=LABEL_SIZE, color=colour)
    bottom.set_yticks(range(len(reqs)), [f"{r.id} {r.title.split(' (')[0]}" for r in reqs], fontsize=TICK_SIZE)
    bottom.set_ylim(max(len(reqs), 3) - 0.5, -0.5)
    bottom.grid(axis="x", alpha=0.3)
    if bounded:
        say = words or str
        xlabel = "\n".join((say(CAPTION) if words else "minutes since the incident began (事发后分钟数)",
                            say(AGGREGATED).format(rows=len(rows), step=format_minutes(step), most=most),
                            say(AGGREGATED_LABELS).format(left_out=left_out)))
    elif words:
        xlabel = words(CAPTION)
        if left_out:
            xlabel += "\n" + words(LEFT_OUT).format(left_out=left_out, most=MAX_LABELS_PER_LANE)
    else:
        xlabel = "minutes since the incident began (事发后分钟数); grey bars: the time each deadline allows"
        if left_out:
            xlabel += (f"\n{left_out} event labels left out (a row shows at most {MAX_LABELS_PER_LANE}, and only "
                       "where they fit); the report's event log lists every event")
    bottom.set_xlabel(xlabel)
    bottom.set_xlim(x0, end)
    return fig


def _labels(plan: Plan, rows: list[Event], t0: float, lane_of: Callable[[Event], int],
            bounded: bool) -> tuple[dict[int, list[_Label]], int]:
    """The labels by row of the plot, and how many were left out: the earliest
    :data:`MAX_LABELS_PER_LANE` of each row; ``bounded``, only the first of each event in a row (a
    fact's first value), and :data:`MAX_KEY_LABELS` in all."""
    per_lane: dict[int, list[_Label]] = {}
    left_out, total, seen = 0, 0, set()  # seen: the labels' (row, event, what), for the bounded drawing
    for r in rows:
        if r.event in ("inject", "fact"):
            lane, event = 0, "inject"
        elif r.event in LABELLED:
            lane, event = lane_of(r), r.event
        else:
            continue
        mine = per_lane.setdefault(lane, [])
        if len(mine) < MAX_LABELS_PER_LANE and not (bounded and (total >= MAX_KEY_LABELS
                                                               or (lane, event, r.what) in seen)):
            mine.append(_Label(lane, r.t - t0, _label_text(plan, r), event=event))
            seen.add((lane, event, r.what))
            total += 1
        else:
            left_out += 1
    return per_lane, left_out


def _draw_rows(top: Axes, rows: list[Event], t0: float, lane_of: Callable[[Event], int],
               centre: dict[int, float]) -> None:
    """Every row of the log: its marker, and an arrow from each message sent to where it was received."""
    marks: dict[str, tuple[list[float], list[float]]] = {}
    sent_at: dict[int, tuple[float, float]] = {}
    for r in rows:
        x = r.t - t0
        if r.event in ("inject", "fact"):
            marks.setdefault("inject", ([], []))
            marks["inject"][0].append(x)
            marks["inject"][1].append(centre[0])
            continue
        yy = centre[lane_of(r)]
        xs, ys = marks.setdefault(r.event, ([], []))
        xs.append(x)
        ys.append(yy)
        if r.event == "sent":
            sent_at[r.ref] = (x, yy)
        elif r.event == "received" and r.ref in sent_at:
            _arrow(top, sent_at[r.ref], (x, yy))
    _draw_marks(top, marks)


def _arrow(top: Axes, start: tuple[float, float], end: tuple[float, float]) -> None:
    top.annotate("", end, start, arrowprops={"arrowstyle": "->", "color": "#00838f", "lw": 0.7})


def _draw_marks(top: Axes, marks: dict[str, tuple[list[float], list[float]]]) -> None:
    for event, (xs, ys) in marks.items():
        marker, colour = ("|", "#212121") if event == "inject" else MARKERS.get(event, ("o", "#616161"))
        top.plot(xs, ys, marker, color=colour, markersize=14 if event == "inject" else 6, linestyle="none")


def bin_step(span: float) -> float:
    """The bounded drawing's bin width for a plot of ``span`` minutes: at most :data:`BINS` bins."""
    wanted = span / BINS
    return next((s for s in BIN_STEPS if s >= wanted), BIN_STEPS[-1] * math.ceil(wanted / BIN_STEPS[-1]))


def _draw_bounded(top: Axes, rows: list[Event], t0: float, lane_of: Callable[[Event], int],
                  per_lane: dict[int, list[_Label]], centre: dict[int, float], bounds: list[float],
                  x0: float, end: float) -> tuple[float, int]:
    """The log aggregated: each row of the plot shaded by its count of log rows per time bin, a marker
    where each kind of event first happens in a bin and at each label, an arrow on the first message
    between two rows. Returns the bin width and the largest count."""
    step = bin_step(end - x0)
    k0 = math.floor(x0 / step)
    nbins = math.ceil(end / step) - k0
    counts: Counter[tuple[int, int]] = Counter()
    first: dict[tuple[str, int, int], float] = {}
    sent_at: dict[int, tuple[float, int]] = {}
    arrows: set[tuple[int, int]] = set()
    for r in rows:
        x = r.t - t0
        kind = "inject" if r.event in ("inject", "fact") else r.event
        lane = 0 if kind == "inject" else lane_of(r)
        b = min(int(x // step) - k0, nbins - 1)
        counts[lane, b] += 1
        first.setdefault((kind, lane, b), x)
        if r.event == "sent":
            sent_at[r.ref] = (x, lane)
        elif r.event == "received" and r.ref in sent_at and len(arrows) < MAX_ARROWS:
            sx, sl = sent_at[r.ref]
            if (sl, lane) not in arrows:
                arrows.add((sl, lane))
                _arrow(top, (sx, centre[sl]), (x, centre[lane]))
    grid = np.zeros((len(bounds) - 1, nbins))
    for (lane, b), n in counts.items():
        grid[lane, b] = n
    most = int(grid.max(initial=0))
    top.pcolormesh([(k0 + i) * step for i in range(nbins + 1)], bounds, np.ma.masked_equal(grid, 0), cmap="Greys",
                   norm=LogNorm(1, max(most, 2)), alpha=0.45, zorder=0.5)
    marks: dict[str, tuple[list[float], list[float]]] = {}
    for (kind, lane, _), x in first.items():
        xs, ys = marks.setdefault(kind, ([], []))
        xs.append(x)
        ys.append(centre[lane])
    for labs in per_lane.values():
        for la in labs:
            xs, ys = marks.setdefault(la.event, ([], []))
            xs.append(la.x)
            ys.append(centre[la.lane])
    _draw_marks(top, marks)
    return step, most
