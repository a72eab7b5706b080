"""Where random numbers come from: one SeedSequence per replication, four streams from it."""

import numpy as np
import pytest

from drillsim.sim.seeds import BLOCK_WORDS, STREAMS, _generate_state, _seed_block, _SeedWords, replication_seed, streams


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
    words = _SeedWords(np.arange(4, dtype=np.uint64))
    assert words.generate_state(4, np.uint64).tolist() == [0, 1, 2, 3]
    assert words.generate_state(8).tolist() == np.arange(4, dtype=np.uint64).view(np.uint32).tolist()
    with pytest.raises(ValueError, match="4 words"):
        words.generate_state(5, np.uint64)


@pytest.mark.parametrize("pool_size", [4, 8])
def test_the_seed_block_is_numpys_generate_state(pool_size):
    for seed in (0, 1, 7, 2**32 + 5, 2**70 + 3, 20240601):
        for index in (0, 1, 2, 999, 2**40):
            ss = np.random.SeedSequence(seed, spawn_key=(index,), pool_size=pool_size)
            assert _seed_block(ss).tolist() == _generate_state(ss, BLOCK_WORDS).tolist()
            assert _seed_block(ss).tolist() == ss.generate_state(BLOCK_WORDS).tolist()
