"""The model's streams: `seeds.generator` is numpy's `default_rng(SeedSequence(entropy))`."""

from __future__ import annotations

import random
import zlib

import numpy as np
import pytest

from bargainsim.model import stream
from bargainsim.seeds import Words, generator


def _entropies(count: int) -> list[list[int]]:
    """Entropy lists of 1 to 7 ints: zeros, ones, 32-bit words and ints of up to 200 bits."""
    rnd = random.Random(20261201)
    out = [[0], [0, 0, 0], [2**32], [2**32 - 1, 7, zlib.crc32(b"disney")], [0] * 9]
    for _ in range(count):
        out.append([rnd.choice([0, 1, rnd.getrandbits(32), rnd.getrandbits(rnd.randint(1, 200))])
                    for _ in range(rnd.choice([1, 2, 3, 3, 3, 5, 7]))])
    return out


def test_the_same_state_words_as_numpy() -> None:
    for entropy in _entropies(2000):
        ours, theirs = Words(entropy), np.random.SeedSequence(entropy)
        for n in (1, 3, 8, 11):
            assert np.array_equal(ours.generate_state(n), theirs.generate_state(n))
            got, want = ours.generate_state(n, np.uint64), theirs.generate_state(n, np.uint64)
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_the_same_streams_as_numpy() -> None:
    for entropy in _entropies(500):
        ours, theirs = generator(entropy), np.random.default_rng(np.random.SeedSequence(entropy))
        assert ours.bit_generator.state == theirs.bit_generator.state
        assert np.array_equal(ours.standard_normal(7), theirs.standard_normal(7))


def test_model_streams_and_their_children() -> None:
    for seed in (0, 1, 12345, 2**31 + 7, 2**40 + 3):
        entropy = [seed, 3, zlib.crc32(b"netflix")]
        want = np.random.default_rng(np.random.SeedSequence(entropy))
        assert stream(seed, "shocks", "netflix").random(5).tolist() == want.random(5).tolist()
    ours, theirs = generator([9, 1, 0]), np.random.default_rng(np.random.SeedSequence([9, 1, 0]))
    for a, b in zip(ours.spawn(2), theirs.spawn(2), strict=True):
        assert a.random() == b.random()


def test_numpy_s_errors() -> None:
    with pytest.raises(ValueError):
        stream(-1, "members")
    with pytest.raises(ValueError):
        Words([1]).generate_state(2, np.float64)
