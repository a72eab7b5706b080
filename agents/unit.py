"""An agency's unit on the scene (a vendor's engineer, a fire crew): once it has arrived it does
the duties and reports the plan gives its agency's role, one at a time, as a person does — repairs
an ATM and reports back, say. It is named as its agency is, by the role's id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .person import Person

if TYPE_CHECKING:
    from drillsim.sim.replication import Replication


class Unit(Person):
    __slots__ = ()

    def __init__(self, rep: Replication, role: str, site: str):
        super().__init__(rep, role, role, site, present=True, answers=True, office=False)
