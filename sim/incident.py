"""The incident in one replication: its facts, the injects that change them, the elapsed clocks
that facts run, and the level declared.

Facts change in two steps, so that every change of one moment is made before any is announced:
:meth:`Incident.change` sets a value, :meth:`Incident.announce` logs the changes at the sites they
reach and starts or stops the clocks they run. An inject and a duty that ``sets`` facts both go
through them.

An inject comes at a time from the start, after another inject, or after an event of the drill
(:meth:`Incident.follow`): the last is feedback, what people do changing how the incident develops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import simpy

if TYPE_CHECKING:
    from drillsim.agents.base import Actor
    from drillsim.log.eventlog import Event

    from .model import InjectRuntime
    from .replication import Replication

Changes = list[tuple[str, Any]]


class Incident:
    __slots__ = ("clock_started", "env", "facts", "followed", "model", "rep", "rng", "since", "started")

    def __init__(self, rep: Replication, rng: Any):
        self.rep = rep
        self.env = rep.env
        self.model = model = rep.model
        self.rng = rng  # the incident stream: inject times and the facts they draw
        self.facts: dict[str, Any] = dict(model.initial_facts)
        self.since: dict[str, float] = {}  # fact -> when it took its present value
        self.started: set[str] = set()  # branches the incident has disrupted
        self.clock_started: dict[str, tuple[float, float]] = {}  # elapsed fact -> (started at, value then)
        self.followed: set[tuple[str, str]] = set()  # (inject, site): the event it follows has come there

    def begin(self) -> None:
        for inject in self.model.followers.get(None, ()):
            self._schedule(inject, None)

    def follow(self, row: Event) -> None:
        """An event was logged of a kind some inject follows (``after: {event: …}``): each such inject
        that selects it, at one of its branches where no event has brought it yet, is scheduled
        there, ``at`` counted from now. ``Replication.emit`` calls it after the event's own triggers."""
        site = row.site
        for inject in self.model.follows[row.event]:
            if site in inject.branches and (inject.id, site) not in self.followed and inject.selects(row):
                self.followed.add((inject.id, site))
                self._schedule(inject, (site,))

    # Facts --------------------------------------------------------------------------------------

    def change(self, name: str, value: Any, changed: Changes) -> None:
        """Set a fact; a new value is added to ``changed``, to be announced."""
        if self.facts[name] != value:
            self.facts[name] = value
            self.since[name] = self.env.now
            changed.append((name, value))

    def announce(self, changed: Changes, sites: tuple[str, ...]) -> None:
        """Everyone at every site the change reaches learns it; the clocks the facts run start or stop."""
        for name, value in changed:
            for site in sites:
                self.rep.emit("fact", name, None, value=value, site=site)
            for clock in self.model.clocks_run_by.get(name, ()):
                self._clock(clock, bool(value), sites[0])

    def set_by(self, facts: tuple[tuple[str, Any], ...], site: str) -> None:
        """A duty's action makes facts so (``sets:``) at the site it was done for."""
        changed: Changes = []
        for name, value in facts:
            self.change(name, value, changed)
        self.announce(changed, (site,))

    # Injects ------------------------------------------------------------------------------------

    def _schedule(self, inject: InjectRuntime, sites: tuple[str, ...] | None) -> None:
        """Draw when an inject comes (at ``sites``; None: at its branches): counted from the start,
        from the inject it follows, or from the event it follows."""
        delay = inject.at(self.rng)
        if delay:
            self.env.timeout(delay, (inject, sites)).callbacks.append(self._happen)
        else:
            self._play(inject, sites)

    def _happen(self, timeout: simpy.Timeout) -> None:
        self._play(*timeout._value)

    def _play(self, inject: InjectRuntime, sites: tuple[str, ...] | None) -> None:
        """The inject happens at its branches, or at ``sites``: the site of the event that brought it
        or its leader. Its followers come at their branches, or at those of them among ``sites``."""
        if inject.condition is not None and not inject.condition(self.facts):
            return  # it does not happen, nor does anything that comes after it
        at = inject.branches if sites is None else sites
        changed: Changes = []
        for name, draw in inject.facts:
            self.change(name, draw(self.rng), changed)
        halls: list[tuple[str, Changes]] = []  # each branch's own count, announced there alone
        for site in at:
            if inject.disrupts and site not in self.started:
                self.started.add(site)
                flow = self.rep.flows[site]
                flow.close()
                in_hall = flow.in_hall(self.env.now)  # drawn even if no fact counts them: the stream moves on
                if "customers_in_hall" in self.facts:
                    hall: Changes = []
                    self.change("customers_in_hall", in_hall, hall)
                    halls.append((site, hall))
            self.rep.emit("inject", inject.id, None, site=site)
        self.announce(changed, at)
        for site, hall in halls:
            self.announce(hall, (site,))
        for follower in self.model.followers.get(inject.id, ()):
            if sites is None:
                self._schedule(follower, None)
            elif there := tuple(site for site in sites if site in follower.branches):
                self._schedule(follower, there)

    # Elapsed facts ------------------------------------------------------------------------------

    def _clock(self, name: str, running: bool, site: str) -> None:
        """The fact that runs an elapsed fact changed: start it, or stop it and log its value."""
        _, per_unit, _ = self.model.clocks[name]
        if running and name not in self.clock_started:
            run = self.clock_started[name] = (self.env.now, self.facts[name])
            self.env.process(self._tick(name, run, site))
        elif not running and name in self.clock_started:
            started, base = self.clock_started.pop(name)
            self.facts[name] = base + (self.env.now - started) / per_unit
            self.rep.emit("fact", name, None, value=round(self.facts[name], 6), site=site)

    def _tick(self, name: str, run: tuple[float, Any], site: str):
        """Log the clock at each of its marks past its value when ``run`` started, while that run lasts
        (it may have stopped, and another started, before this process starts or between marks)."""
        _, per_unit, marks = self.model.clocks[name]
        started, base = run
        for mark in marks:
            if mark <= base:
                continue
            yield self.env.timeout(started + (mark - base) * per_unit - self.env.now)
            if self.clock_started.get(name) is not run:
                return  # stopped (and perhaps restarted) meanwhile
            self.facts[name] = mark
            self.rep.emit("fact", name, None, value=mark, site=site)

    # The level ----------------------------------------------------------------------------------

    def declare_level(self, by: Actor) -> None:
        rank = self.model.grade(self.facts, self.facts["type"])
        if rank and rank != self.facts["level"]:  # a graded incident keeps a level until it ends
            self.facts["level"] = rank
            name = self.model.level_names[rank]
            self.rep.emit("level", name, by, value=name)
