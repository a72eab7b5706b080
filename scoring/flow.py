"""How messages flowed to each receiving role: how many, how long they waited, how many at once.

Read from the log alone, so a real drill's log gives the same table. A message is a ``sent`` row
closed by the ``received``, ``unanswered`` or ``lost`` row with the same ``ref`` (simulated logs)
or, without refs, by the next such row with the same sender, receiver, report and channel.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from drillsim.log.eventlog import EventLog
from drillsim.spec.plan import Plan

CLOSING = ("received", "unanswered", "lost")
MESSAGE = frozenset(("sent", *CLOSING))


@dataclass(frozen=True, slots=True)
class FlowRow:
    receiver: str
    name: str
    attempts: int
    received: int
    unanswered: int
    mean_wait: float | None
    """Minutes from sending to being received, over received messages."""
    max_wait: float | None
    max_waiting: int
    """The most messages on their way to, or waiting at, this role at one moment."""


def message_flow(log: EventLog, plan: Plan) -> list[FlowRow]:
    opened: dict[object, deque[float]] = defaultdict(deque)
    waits: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"sent": 0, "received": 0, "unanswered": 0})
    changes: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for row in log.rows:
        event = row.event
        if event not in MESSAGE:
            continue
        receiver = row.target_role
        key = row.ref if row.ref is not None else (row.actor, receiver, row.what, row.channel)
        if event == "sent":
            opened[key].append(row.t)
            counts[receiver]["sent"] += 1
            changes[receiver].append((row.t, 1))
        elif opened[key]:
            sent_at = opened[key].popleft()
            changes[receiver].append((row.t, -1))
            if event == "received":
                waits[receiver].append(row.t - sent_at)
                counts[receiver]["received"] += 1
            elif event == "unanswered":
                counts[receiver]["unanswered"] += 1
    out = []
    for receiver, c in counts.items():
        level = peak = 0
        for _, step in sorted(changes[receiver]):  # by time; at one moment, the closed before the sent
            level += step
            if level > peak:
                peak = level
        w = waits[receiver]
        name = plan.roles[receiver].name if receiver in plan.roles else receiver
        out.append(FlowRow(receiver, name, c["sent"], c["received"], c["unanswered"],
                           sum(w) / len(w) if w else None, max(w) if w else None, peak))
    return sorted(out, key=lambda r: (-r.max_waiting, r.receiver))
