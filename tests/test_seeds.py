"""Where random numbers come from: one SeedSequence per replication, four streams from it."""

import numpy as np
import pytest

from drillsim.sim.seeds import STREAMS, _SeedWords, replication_seed, streams


def first_draws(s):
    return [s.incident.random(), s.people.random(), s.comms.random(), float(s.customers.random())]


def test_streams_repeat_for_a_replication_and_differ_between_streams_and_replications():
    a, again, b = first_draws(streams(replication_seed(1, 0))), first_draws(streams(replication_seed(1, 0))), \
        first_draws(streams(replication_seed(1, 1)))
    assert a == again
    assert len(set(a)) == len(STREAMS)  # four streams, four different numbers
    assert not set(a) & set(b)


def test_an_int_seed_is_its_seed_sequence():
    assert first_draws(streams(7)) == first_draws(streams(np.random.SeedSequence(7)))


def test_seed_words_refuse_to_stretch():
    words = _SeedWords(np.arange(8, dtype=np.uint32))
    assert words.generate_state(4, np.uint64).tolist() == np.arange(8, dtype=np.uint32).view(np.uint64).tolist()
    with pytest.raises(ValueError, match="8 words"):
        words.generate_state(5, np.uint64)
