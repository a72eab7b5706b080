"""The scorecard as tables in the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from drillsim.scoring.outcomes import Outcome
from drillsim.scoring.scorecard import Scorecard
from drillsim.spec.durations import format_minutes

from .bounds import MAX_WARNINGS

STYLES = {Outcome.MET: "green", Outcome.LATE: "yellow", Outcome.MISSED: "red", Outcome.INCOMPLETE: "yellow",
          Outcome.VIOLATED: "bold magenta", Outcome.NOT_APPLICABLE: "dim", Outcome.PENDING: "cyan",
          Outcome.NOT_EVALUATED: "dim italic"}
"""The style of each outcome (every outcome has one)."""
RATING_STYLES = {"P": "bold green", "S": "green", "M": "yellow", "U": "bold red"}


def print_scorecard(card: Scorecard, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=f"{card.plan_title} — requirements", show_lines=False)
    for col in ("id", "requirement", "outcome", "latency", "deadline", "detail"):
        table.add_column(col, overflow="fold")
    for r in card.results:
        style = STYLES[r.outcome]
        table.add_row(r.id + (" ★" if r.critical else ""), r.title.split(" (")[0], f"[{style}]{r.outcome.value}[/]",
                      format_minutes(r.latency) if r.latency is not None else "",
                      format_minutes(r.deadline) if r.deadline is not None else "", r.detail)
    console.print(table)
    caps = Table(title="capabilities (HSEEP P/S/M/U)")
    for col in ("capability", "rating", "performance", "applicable"):
        caps.add_column(col)
    for c in card.capabilities:
        caps.add_row(f"{c.name} ({c.id})", f"[{RATING_STYLES.get(c.rating or '', 'dim')}]{c.rating or 'n/a'}[/]",
                     "" if c.performance is None else f"{100 * c.performance:.0f}%", str(c.applicable))
    console.print(caps)
    queued = [f for f in card.flow if f.max_waiting > 1 or f.unanswered]
    if queued:
        flow = Table(title="message flow: receivers where reports queued or went unanswered")
        for col in ("receiver", "attempts", "received", "unanswered", "mean wait", "max wait", "most at once"):
            flow.add_column(col)
        for f in queued:
            flow.add_row(f"{f.name} ({f.receiver})", str(f.attempts), str(f.received), str(f.unanswered),
                         format_minutes(f.mean_wait) if f.mean_wait is not None else "",
                         format_minutes(f.max_wait) if f.max_wait is not None else "", str(f.max_waiting))
        console.print(flow)
    for w in card.warnings[:MAX_WARNINGS]:
        console.print(Text.assemble(("warning: ", "bold yellow"), str(w)), highlight=False)
    if len(card.warnings) > MAX_WARNINGS:
        console.print(f"… and {len(card.warnings) - MAX_WARNINGS} more warnings: the scorecard (scorecard.json) "
                      "lists them all", highlight=False)
    score = "—" if card.score is None else f"{card.score:.1f}/100"
    if card.now is not None:
        still_open = ", ".join(card.pending) or "none"
        console.print(f"as of minute {card.now:g}: pending (still open, not scored): {still_open}", highlight=False)
    cap = f"  (capped: critical failure {', '.join(card.critical_failures)})" if card.capped else ""
    console.print(f"score [bold]{score}[/]  rating [{RATING_STYLES.get(card.rating or '', '')}]{card.rating}[/]{cap}")
