"""numpy's `SeedSequence` hashing in Python integers, for the model's many small streams.

A run makes a dozen generators, each `default_rng(SeedSequence([seed, purpose, key]))`
(`model.stream`). numpy's `SeedSequence` spends most of a generator's time (~17-23 µs on
the reference machine) on Python-level conversions and tiny uint32 arrays around a few
dozen integer operations; the same operations on Python ints, masked to 32 bits, take
about half of it (the generator ~11-15 µs, `PCG64`'s own set-up included). `Words`
gives `PCG64` the very words `SeedSequence` would (O'Neill's seed_seq mixing, as numpy
implements it: a pool of 4 words, hashed with `INIT_A`/`MULT_A`, words drawn with
`INIT_B`/`MULT_B`), so every generator is the same stream, bit for bit
(tests/test_seeds.py compares them with numpy's on many entropies).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.random.bit_generator import ISpawnableSeedSequence

_MASK = 0xFFFFFFFF
_POOL = 4  # numpy's default pool size (128 bits)
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875  # hashing entropy into the pool
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED  # drawing state words from the pool
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715  # mixing a hashed word into a pool word


def uint32_words(entropy: list[int]) -> list[int]:
    """The entropy as numpy assembles it: each int as 32-bit words, lowest first (0: one)."""
    words: list[int] = []
    for n in entropy:
        if n < 0:
            raise ValueError("expected non-negative integer")
        if n == 0:
            words.append(0)
        while n > 0:
            words.append(n & _MASK)
            n >>= 32
    return words


def _schedule(init: int, mult: int, count: int) -> tuple[tuple[int, int], ...]:
    """The running hash constant's (value, next value) at each of `count` hashes.

    The constant moves on by one multiplication a hash whatever is hashed: its values are
    the same for every entropy, made once.
    """
    out = []
    h = init
    for _ in range(count):
        after = (h * mult) & _MASK
        out.append((h, after))
        h = after
    return tuple(out)


_FILL = _schedule(_INIT_A, _MULT_A, _POOL)  # hashing the first words into the pool
# mixing every pool word into every other: (source, destination, constants) in order
_CROSS = tuple((src, dst, *hc) for (src, dst), hc in zip(
    [(s, d) for s in range(_POOL) for d in range(_POOL) if s != d],
    _schedule(_INIT_A, _MULT_A, _POOL * _POOL)[_POOL:], strict=True))
_DRAW = _schedule(_INIT_B, _MULT_B, 8)  # drawing a PCG64's 4 uint64 (8 uint32) words


def mixed_pool(words: list[int]) -> list[int]:
    """The pool `SeedSequence(entropy)` mixes from its words (`uint32_words`).

    A hashed word is the word xor the running constant, times the constant's next value,
    xor its own upper half; a mix of y into x is `_MIX_L * x - _MIX_R * y`, xor its
    upper half; all modulo 2**32. The constants' values are scheduled once (`_schedule`).
    """
    pool: list[int] = []
    for i, (h, after) in enumerate(_FILL):  # the first words, then zeros, hashed
        v = (((words[i] if i < len(words) else 0) ^ h) * after) & _MASK
        pool.append(v ^ (v >> 16))
    for src, dst, h, after in _CROSS:  # every pool word mixed into every other
        v = ((pool[src] ^ h) * after) & _MASK
        r = (_MIX_L * pool[dst] - _MIX_R * (v ^ (v >> 16))) & _MASK
        pool[dst] = r ^ (r >> 16)
    if len(words) > _POOL:  # words beyond the pool's size, mixed into each pool word
        h = _CROSS[-1][3]
        for word in words[_POOL:]:
            for dst in range(_POOL):
                after = (h * _MULT_A) & _MASK
                v = ((word ^ h) * after) & _MASK
                h = after
                r = (_MIX_L * pool[dst] - _MIX_R * (v ^ (v >> 16))) & _MASK
                pool[dst] = r ^ (r >> 16)
    return pool


def state_words(pool: list[int], n_words: int) -> list[int]:
    """`SeedSequence.generate_state(n_words)` (uint32) of a pool: its words in turn, hashed."""
    schedule = _DRAW if n_words <= len(_DRAW) else _schedule(_INIT_B, _MULT_B, n_words)
    out: list[int] = []
    for i in range(n_words):
        h, after = schedule[i]
        v = ((pool[i % _POOL] ^ h) * after) & _MASK
        out.append(v ^ (v >> 16))
    return out


class Words(ISpawnableSeedSequence):
    """A seed sequence of non-negative int entropy: numpy's `SeedSequence(entropy)`'s words.

    `generate_state` gives the same words as numpy's (which a bit generator seeds itself
    from); `spawn`, rarely needed, is numpy's own, from the same entropy.
    """

    def __init__(self, entropy: list[int]) -> None:
        """Hash `entropy` (non-negative ints) into the pool now; ValueError for a negative."""
        self.entropy = list(entropy)
        self.pool = mixed_pool(uint32_words(self.entropy))
        self._numpy: np.random.SeedSequence | None = None

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        """`n_words` words of state, uint32 or uint64 (two uint32 words each, low first)."""
        kind = np.dtype(dtype)
        if kind == np.dtype(np.uint32):
            return np.array(state_words(self.pool, n_words), dtype=np.uint32)
        if kind != np.dtype(np.uint64):
            raise ValueError("only support uint32 or uint64")
        w = state_words(self.pool, 2 * n_words)
        return np.array([w[2 * k] | (w[2 * k + 1] << 32) for k in range(n_words)],
                        dtype=np.uint64)

    def spawn(self, n_children: int) -> list[np.random.SeedSequence]:
        """Children of the same entropy: numpy's own (`SeedSequence.spawn`)."""
        if self._numpy is None:
            self._numpy = np.random.SeedSequence(self.entropy)
        return self._numpy.spawn(n_children)


def generator(entropy: list[int]) -> np.random.Generator:
    """`np.random.default_rng(np.random.SeedSequence(entropy))`, the same stream, faster."""
    return np.random.Generator(np.random.PCG64(Words(entropy)))
