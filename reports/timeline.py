"""The timeline plot of one drill: who did what when, against the plan's deadlines."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorecard
from drillsim.sim.eventlog import ACTOR, ACTOR_ROLE, EVENT, REF, TARGET, WHAT, EventLog
from drillsim.sim.plan import Plan

from .fonts import use_cjk_font

OUTCOME_COLOURS = {
    Outcome.MET: "#2e7d32", Outcome.LATE: "#ef6c00", Outcome.MISSED: "#c62828", Outcome.INCOMPLETE: "#f9a825",
    Outcome.VIOLATED: "#6a1b9a", Outcome.NOT_APPLICABLE: "#9e9e9e",
}
MARKERS = {  # event -> (marker, colour)
    "action": ("o", "#1565c0"), "sent": (">", "#00838f"), "received": ("v", "#00838f"),
    "acknowledged": ("d", "#00838f"), "unanswered": ("x", "#c62828"), "lost": ("x", "#c62828"),
    "level": ("*", "#ad1457"), "arrived": ("s", "#4e342e"), "omitted": ("x", "#757575"),
}
SCENE_LANE = "情景 (injects)"


def incident_start(log: EventLog) -> float:
    return next((row[0] for row in log.rows if row[EVENT] == "inject"), 0.0)


def actor_label(plan: Plan, role: str | None, name: str | None) -> str:
    if role is None or name is None:
        return SCENE_LANE
    role_name = plan.roles[role].name if role in plan.roles else role
    suffix = name.rsplit("-", 1)[-1] if "-" in name else ""
    prefix = name.split("/", 1)[0] + "/" if "/" in name else ""
    return f"{prefix}{role_name}-{suffix}" if suffix.isdigit() else f"{prefix}{role_name}"


def plot_timeline(plan: Plan, log: EventLog, card: Scorecard, path: str | Path) -> Path:
    use_cjk_font()
    t0 = incident_start(log)
    rows = [r for r in log.rows if r[EVENT] != "unfinished" and r[0] >= t0 - 1e-9]
    lanes: dict[str, int] = {SCENE_LANE: 0}
    for r in rows:
        if r[EVENT] in ("received", "acknowledged"):
            label = actor_label(plan, r[7], r[TARGET])
        else:
            label = actor_label(plan, r[ACTOR_ROLE], r[ACTOR])
        lanes.setdefault(label, len(lanes))
    reqs = list(card.results)
    end = max([r[0] - t0 for r in rows] + [0.0])
    for res in reqs:
        if res.at is not None:
            end = max(end, res.at - t0)
        if res.since is not None and res.deadline is not None:
            end = max(end, res.since - t0 + res.deadline)
    end = end * 1.05 + 1

    fig = Figure(figsize=(13, 0.42 * (len(lanes) + len(reqs)) + 2.5))
    top, bottom = fig.subplots(2, 1, sharex=True,
                               gridspec_kw={"height_ratios": [max(len(lanes), 3), max(len(reqs), 3)]})
    sent_at: dict[int, tuple[float, int]] = {}
    for r in rows:
        x = r[0] - t0
        if r[EVENT] in ("inject", "fact"):
            y = 0
            top.plot(x, y, "|", color="#212121", markersize=14)
            text = r[WHAT] if r[EVENT] == "inject" else f"{plan.facts[r[WHAT]].name or r[WHAT]}={r[11]}"
            top.annotate(text, (x, y), xytext=(3, 6), textcoords="offset points", fontsize=7, rotation=20)
            continue
        if r[EVENT] in ("received", "acknowledged"):
            y = lanes[actor_label(plan, r[7], r[TARGET])]
        else:
            y = lanes[actor_label(plan, r[ACTOR_ROLE], r[ACTOR])]
        marker, colour = MARKERS.get(r[EVENT], ("o", "#616161"))
        top.plot(x, y, marker, color=colour, markersize=6)
        if r[EVENT] == "sent":
            sent_at[r[REF]] = (x, y)
        elif r[EVENT] == "received" and r[REF] in sent_at:
            sx, sy = sent_at[r[REF]]
            top.annotate("", (x, y), (sx, sy), arrowprops={"arrowstyle": "->", "color": "#00838f", "lw": 0.7})
        if r[EVENT] in ("action", "level", "arrived", "omitted", "unanswered"):
            top.annotate(r[WHAT], (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7)
    top.set_yticks(list(lanes.values()), list(lanes.keys()), fontsize=8)
    top.invert_yaxis()
    top.grid(axis="x", alpha=0.3)
    top.set_title(f"{plan.title} — {card.meta.get('scenario', card.incident_type)}", fontsize=10)

    for i, res in enumerate(reqs):
        colour = OUTCOME_COLOURS[res.outcome]
        if res.deadline is not None and res.since is not None:
            bottom.barh(i, res.deadline, left=res.since - t0, height=0.5, color="#e0e0e0", edgecolor="#9e9e9e")
        if res.at is not None:
            bottom.plot(res.at - t0, i, "o", color=colour, markersize=8)
        bottom.annotate(res.outcome.value, (end, i), xytext=(-4, -3), textcoords="offset points", ha="right",
                        fontsize=7, color=colour)
    bottom.set_yticks(range(len(reqs)), [f"{r.id} {r.title.split(' (')[0]}" for r in reqs], fontsize=8)
    bottom.invert_yaxis()
    bottom.grid(axis="x", alpha=0.3)
    bottom.set_xlabel("minutes since the incident began (事发后分钟数); grey bars: the time each deadline allows")
    bottom.set_xlim(-1, end)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path
