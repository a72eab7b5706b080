"""Who acts on an event: the one rule that turns a log row into the people who do a task.

A task's performer is, in this order: the receiver of a message, if the task is of the receiver's
role and the event is the message being received or acknowledged; else the actor of the event, if
of the task's role; else whoever of the role perceives the event at its site — the staff on site
there who are present (and staff of other branches who have come to its scene), else the members of
an office on duty, else an agency's unit on the scene (``who: one``: only the least busy of them).

A duty may name several roles (``role: [guard, lobby_manager]``): "of the task's role" is then of
any of them, and the perceivers are those of each role; ``who: one`` takes the least busy of them
all, a tie going to the first-listed role, then to the name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillsim.agents.base import Actor
    from drillsim.agents.person import Person

    from .model import TaskSpec
    from .replication import Replication

HANDED = ("received", "acknowledged")


def performers(rep: Replication, spec: TaskSpec, given: Actor | None, doer: Actor | None, site: str
               ) -> Sequence[Person]:
    """Who does ``spec`` for an event at ``site``: ``given`` is the receiver of the message if the
    event is one being received or acknowledged, ``doer`` the event's actor, each only if it performs
    (else None); :meth:`Replication._dispatch` works them out once per event."""
    if spec.several:
        return _of_roles(rep, spec, given, doer, site)
    role = spec.role
    if given is not None and given.role == role:
        return (given,)
    if doer is not None and doer.role == role:
        return (doer,)
    return perceivers(rep, role, site, spec.one)


def _of_roles(rep: Replication, spec: TaskSpec, given: Actor | None, doer: Actor | None, site: str
              ) -> Sequence[Person]:
    roles = spec.roles
    if given is not None and given.role in roles:
        return (given,)
    if doer is not None and doer.role in roles:
        return (doer,)
    found = [p for role in roles for p in perceivers(rep, role, site, False)]
    if spec.one and len(found) > 1:
        return [min(found, key=lambda p: (p.load, roles.index(p.role), p.name))]
    return found


def stand_in(rep: Replication, spec: TaskSpec, tried: set[str], site: str) -> Person | None:
    """Who does a duty of several roles that its performer omitted: the least busy present person of
    a role not ``tried`` (ties as in :func:`performers`), or None."""
    found = [p for role in spec.roles if role not in tried for p in perceivers(rep, role, site, False)]
    return min(found, key=lambda p: (p.load, spec.roles.index(p.role), p.name)) if found else None


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
    if rep.visitors:  # staff of other branches come to a scene there (``go_to_scene``)
        present = [p for p in people if p.present] + [p for p in rep.visitors.get(site, ()) if p.role == role]
    elif len(people) == 1:  # the common case, without building a list
        return people if people[0].present else ()
    else:
        present = [p for p in people if p.present]
    if one and len(present) > 1:
        return [min(present, key=_load)]
    return present


def _load(p: Person) -> tuple[int, str]:
    return (p.load, p.name)
