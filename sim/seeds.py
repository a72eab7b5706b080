"""Where every random number comes from.

A replication draws from four independent streams, one per source of chance: the incident (inject
times, facts), the people (presence, reactions, omissions, task times, travel), communications
(channel latency and failure, agencies) and customers. Changing the staff of a branch therefore
leaves the incident's draws alone, which is what comparing configurations on common random
numbers needs.

Replication ``i`` of a batch with seed ``s`` uses ``SeedSequence(s, spawn_key=(i,))`` — the same
child that ``SeedSequence(s).spawn`` would give — so its results do not depend on how many workers
ran the batch, and it can be re-run alone from its index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STREAMS = ("incident", "people", "comms", "customers")
Seed = int | np.random.SeedSequence | np.random.Generator


BLOCK = 64


class Draws:
    """A ``numpy.random.Generator`` read in blocks, so that single draws cost a list pop.

    ``random()`` is uniform on [0, 1) and ``normal()`` standard normal, as on a Generator; the
    distributions make every other draw from these (``sim.distributions``).
    """

    __slots__ = ("_normals", "_uniforms", "generator")

    def __init__(self, generator: np.random.Generator):
        self.generator = generator
        self._uniforms: list[float] = []
        self._normals: list[float] = []

    def random(self) -> float:
        if not self._uniforms:
            self._uniforms = self.generator.random(BLOCK).tolist()
        return self._uniforms.pop()

    def normal(self) -> float:
        if not self._normals:
            self._normals = self.generator.standard_normal(BLOCK).tolist()
        return self._normals.pop()


@dataclass(slots=True, frozen=True)
class Streams:
    incident: Draws
    people: Draws
    comms: Draws
    customers: np.random.Generator  # drawn in blocks by the customer flow itself


def replication_seed(seed: int, index: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(index,))


def streams(seed: Seed) -> Streams:
    if isinstance(seed, np.random.Generator):
        generators = seed.spawn(len(STREAMS))
    else:
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        generators = [np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, k)))
                      for k in range(len(STREAMS))]
    *scalar, customers = generators
    return Streams(*(Draws(g) for g in scalar), customers)
