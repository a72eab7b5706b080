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


@dataclass(slots=True, frozen=True)
class Streams:
    incident: np.random.Generator
    people: np.random.Generator
    comms: np.random.Generator
    customers: np.random.Generator


def replication_seed(seed: int, index: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(index,))


def streams(seed: Seed) -> Streams:
    if isinstance(seed, np.random.Generator):
        return Streams(*seed.spawn(len(STREAMS)))
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    children = [np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, k)) for k in range(len(STREAMS))]
    return Streams(*(np.random.default_rng(c) for c in children))
