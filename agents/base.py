"""What every actor shares: a role, an instance name, a site, and the replication it lives in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillsim.sim.engine import Replication


class Agent:
    __slots__ = ("name", "rep", "role", "site")

    def __init__(self, rep: Replication, role: str, name: str, site: str):
        self.rep = rep
        self.role = role
        self.name = name
        self.site = site

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


@dataclass(slots=True, eq=False)
class Message:
    """One attempt to pass a report along one escalation edge."""

    report: str
    sender: Agent
    target: Agent
    channel: str
    ref: int
    fields: tuple[str, ...]
    site: str
