"""Where every random number comes from.

A replication draws from four independent streams, one per source of chance: the incident (inject
times, facts), the people (presence, reactions, omissions, task times, travel), communications
(channel latency and failure, agencies) and customers. Changing the staff of a branch therefore
leaves the incident's draws alone, which is what comparing configurations on common random
numbers needs.

Replication ``i`` of a batch with seed ``s`` uses ``SeedSequence(s, spawn_key=(i,))`` — the same
child that ``SeedSequence(s).spawn`` would give — so its results do not depend on how many workers
ran the batch, and it can be re-run alone from its index. Its four streams are seeded from one
block of that sequence's output, 256 bits each: one hash per replication rather than one per
stream, which made stream set-up about twice as fast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.random.bit_generator import ISeedSequence

STREAMS = ("incident", "people", "comms", "customers")
Seed = int | np.random.SeedSequence


BLOCK = 64


class Draws:
    """A ``numpy.random.Generator`` read in blocks, so that single draws cost a list pop.

    ``random()`` is uniform on [0, 1) and ``normal()`` standard normal, as on a Generator; the
    distributions make every other draw from these (``spec.distributions``).
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


class _SeedWords(ISeedSequence):
    """Seed material already drawn from a SeedSequence, for one bit generator (numpy's bit
    generators take any ``ISeedSequence``)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words  # uint32

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        size = n_words * np.dtype(dtype).itemsize // 4
        if size > len(self.words):
            raise ValueError(f"a stream has {len(self.words)} words of seed material, {size} were asked for")
        return self.words[:size].view(dtype)


WORDS_PER_STREAM = 8  # 256 bits: all that PCG64 asks for


def streams(seed: Seed) -> Streams:
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    words = ss.generate_state(WORDS_PER_STREAM * len(STREAMS))
    generators = [np.random.Generator(np.random.PCG64(_SeedWords(words[k * WORDS_PER_STREAM:][:WORDS_PER_STREAM])))
                  for k in range(len(STREAMS))]
    *scalar, customers = generators
    return Streams(*(Draws(g) for g in scalar), customers)
