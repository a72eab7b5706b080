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
stream, which made stream set-up about twice as fast. The customers' generator is made from its
words only when a branch has customers to draw for.
"""

from __future__ import annotations

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


class Streams:
    """A replication's four streams; ``customers`` is drawn in blocks by the customer flow itself."""

    __slots__ = ("_customer_words", "_customers", "comms", "incident", "people")

    def __init__(self, incident: Draws, people: Draws, comms: Draws, customer_words: np.ndarray):
        self.incident = incident
        self.people = people
        self.comms = comms
        self._customer_words = customer_words
        self._customers: np.random.Generator | None = None

    @property
    def customers(self) -> np.random.Generator:
        if self._customers is None:
            self._customers = _generator(self._customer_words)
        return self._customers


def replication_seed(seed: int, index: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(index,))


class _SeedWords(ISeedSequence):
    """Seed material already drawn from a SeedSequence, for one bit generator (numpy's bit
    generators take any ``ISeedSequence``)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words  # uint64, as PCG64 asks for them

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        words = self.words if dtype is np.uint64 else self.words.view(dtype)
        if n_words > len(words):
            raise ValueError(f"a stream has {len(words)} words of seed material, {n_words} were asked for")
        return words[:n_words]


WORDS_PER_STREAM = 4  # uint64: 256 bits, all that PCG64 asks for

# SeedSequence.generate_state without the ``np.errstate`` wrapper around it (a Python-level context
# switch per call; the hashing is unsigned integer arithmetic in C, which raises no float errors)
_generate_state = getattr(np.random.SeedSequence.generate_state, "__wrapped__",
                          np.random.SeedSequence.generate_state)

BLOCK_WORDS = 2 * WORDS_PER_STREAM * len(STREAMS)  # uint32
POOL_SIZE = 4  # SeedSequence's default


def _hash_constants() -> tuple[np.ndarray, np.ndarray]:
    """The constants ``SeedSequence.generate_state`` hashes output word i with: INIT_B times MULT_B
    to the powers i and i + 1, in uint32 (numpy's ``bit_generator.pyx``)."""
    init, mult = 0x8B51F9DD, 0x58F38DED
    powers = [init]
    for _ in range(BLOCK_WORDS):
        powers.append(powers[-1] * mult & 0xFFFFFFFF)
    return np.array(powers[:-1], dtype=np.uint32), np.array(powers[1:], dtype=np.uint32)


_HASH_BEFORE, _HASH_AFTER = _hash_constants()
_POOL_CYCLE = np.arange(BLOCK_WORDS) % POOL_SIZE  # output word i hashes pool word i mod 4
_XSHIFT = np.full(BLOCK_WORDS, 16, dtype=np.uint32)  # an array: shifting by a Python int converts it each time


def _seed_block(ss: np.random.SeedSequence) -> np.ndarray:
    """``ss.generate_state(BLOCK_WORDS)``, the seed material of the four streams: as four NumPy
    operations on the block rather than numpy's step per word (a test checks it against numpy's)."""
    if ss.pool_size != POOL_SIZE:
        return _generate_state(ss, BLOCK_WORDS)
    words = ss.pool[_POOL_CYCLE] ^ _HASH_BEFORE
    words *= _HASH_AFTER
    words ^= words >> _XSHIFT
    return words


def _generator(words: np.ndarray) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(_SeedWords(words)))


def streams(seed: Seed) -> Streams:
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    words, w = _seed_block(ss).view(np.uint64), WORDS_PER_STREAM
    return Streams(Draws(_generator(words[:w])), Draws(_generator(words[w:2 * w])),
                   Draws(_generator(words[2 * w:3 * w])), words[3 * w:])
