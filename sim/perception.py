"""Who acts on an event: the one rule that turns a log row into the people who do a task.

A task's performer is, in this order: the receiver of a message, if the task is of the receiver's
role and the event is the message being received or acknowledged; else the actor of the event, if
of the task's role; else whoever of the role perceives the event at its site — the staff on site
there who are present, else the members of an office on duty, else an agency's unit on the scene
(``who: one``: only the least busy of them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillsim.agents.base import Actor
    from drillsim.agents.person import Person
    from drillsim.log.eventlog import Event

    from .model import TaskSpec
    from .replication import Replication

HANDED = ("received", "acknowledged")


def performers(rep: Replication, spec: TaskSpec, row: Event, actor: Actor | None, target: Actor | None,
               site: str) -> Sequence[Person]:
    role = spec.role
    if row.event in HANDED and target is not None and target.performs and target.role == role:
        return (target,)
    if actor is not None and actor.performs and actor.role == role:
        return (actor,)
    return perceivers(rep, role, site, spec.who == "one")


def perceivers(rep: Replication, role: str, site: str, one: bool) -> Sequence[Person]:
    """Who of ``role`` notices an event at ``site``; ``one``: only the least busy of them. An office's
    members notice what happens at a branch only once they know of its incident (told of it), and
    what happens at the offices once they know of an incident anywhere, unless the office
    ``monitors`` every site."""
    people = rep.staff.get((site, role))
    if people is None:
        people = rep.shared.get(role)
        if people is None:
            people = rep.units.get((site, role), ())
        elif role not in rep.model.monitors:
            people = [p for p in people if site in p.knows] if site in rep.flows else [p for p in people if p.knows]
    if len(people) == 1:  # the common case, without building a list
        return people if people[0].present else ()
    present = [p for p in people if p.present]
    if one and len(present) > 1:
        return [min(present, key=_load)]
    return present


def _load(p: Person) -> tuple[int, str]:
    return (p.load, p.name)
