"""Random streams, one per start, that do not depend on the rest of the batch.

Start ``i`` of a run with seed ``s`` draws from its own stream, so it sees the same noise (and
the same minibatches) alone as in a batch of a million, and many starts are independent
replicates. A stream is SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) started at a key hashed
from ``(s, purpose, i)``: word ``k`` of the stream is ``mix(key + (k + 1) * GAMMA)``. Being
counter-based, every word of every stream is computed in one vectorized expression, with no
Python loop over starts (one NumPy ``Generator`` per start would need one).

Normal variates come from the two 32-bit halves of a word, by the integer table of
:mod:`~descentlab.problems.stochastic.gaussian`: exact integer arithmetic, so that the NumPy
engine and the compiled JAX engine (:func:`stream_words`, :func:`stream_normals`) draw the same
numbers bit for bit, on any machine.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np

from descentlab.problems.stochastic.gaussian import standard_normal, standard_normal_numpy

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
PURPOSES = ("noise", "minibatch", "online")


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: a bijection of 64-bit words that scrambles every bit."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be a whole number in [0, 2**64), not {seed!r}")
    return int(seed)


@dataclass(frozen=True)
class StartStreams:
    """The streams of ``n`` starts, numbered ``first .. first + n - 1``, for one ``purpose``.

    Rerun start ``i`` of a batch alone with ``first=i``: it draws exactly what it drew there.
    """

    seed: int
    n: int
    first: int = 0
    purpose: str = "noise"

    def __post_init__(self) -> None:
        check_seed(self.seed)
        if self.purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {PURPOSES}, not {self.purpose!r}")

    @functools.cached_property
    def keys(self) -> np.ndarray:
        """One 64-bit key per start, shape ``(n,)``."""
        salt = mix(np.asarray([self.seed, PURPOSES.index(self.purpose) + 1], dtype=np.uint64))
        index = np.arange(self.first, self.first + self.n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            return mix(mix(salt[0] + salt[1] * GAMMA) + (index + np.uint64(1)) * GAMMA)

    def words(self, position: int, count: int) -> np.ndarray:
        """Words ``position .. position + count - 1`` of every stream, shape ``(n, count)``.

        The array is a workspace reused by the next call of this object (a run draws the same
        shapes every iteration, and fresh arrays of that size cost more in page faults than the
        arithmetic): use or copy it before drawing again.
        """
        words, scratch = self._workspace("words", count, 2)
        k = np.arange(position + 1, position + count + 1, dtype=np.uint64)[:, None]
        with np.errstate(over="ignore"):  # (count, n): the long axis innermost is fast
            np.add(self.keys, k * GAMMA, out=words)
        for shift, factor in ((30, _M1), (27, _M2), (31, None)):
            np.right_shift(words, np.uint64(shift), out=scratch)
            np.bitwise_xor(words, scratch, out=words)
            if factor is not None:
                np.multiply(words, factor, out=words)
        return words.T

    def uniform(self, position: int, count: int) -> np.ndarray:
        """Uniform numbers in (0, 1), 53 random bits each, shape ``(n, count)`` (a new array)."""
        return ((self.words(position, count) >> np.uint64(11)) + 0.5) * 2.0**-53

    def normal(self, position: int, count: int) -> np.ndarray:
        """Standard normal numbers ``position .. position + count - 1``, shape ``(n, count)``
        (a new array). Word ``k`` gives numbers ``2k`` (its high half) and ``2k + 1`` (its low
        half), so a number depends only on its position in the stream."""
        first_word = position // 2
        words = (position + count + 1) // 2 - first_word
        bits = self.words(first_word, words).T  # (words, n), the workspace
        halves = self._workspace("halves", 2 * words, 1)[0]
        np.right_shift(bits, np.uint64(32), out=halves[0::2])
        np.bitwise_and(bits, _LOW32, out=halves[1::2])
        skip = position - 2 * first_word
        return standard_normal_numpy(halves[skip : skip + count]).T

    def _workspace(self, use: str, count: int, how_many: int) -> list[np.ndarray]:
        """``how_many`` uint64 arrays ``(count, n)`` kept for ``use``."""
        cache = self.__dict__.setdefault("_buffers", {})
        key = (use, count)
        if key not in cache:
            cache[key] = [np.empty((count, self.n), dtype=np.uint64) for _ in range(how_many)]
        return cache[key]


# The same draws for the compiled engine, in the array namespace xp of the keys (traced
# positions, no workspace): equal to StartStreams.words / .normal bit for bit.


def stream_words(keys, first, count: int, xp):
    """Words ``first .. first + count - 1`` of the streams with ``keys`` (uint64, ``(n,)``),
    shape ``(n, count)``; ``first`` may be traced."""
    k = xp.astype(first + xp.arange(1, count + 1), xp.uint64)
    return mix(keys[:, None] + k[None, :] * GAMMA)


def stream_normals(keys, position, count: int, rows, xp, even: bool = False):
    """Normal numbers ``position .. position + count - 1`` of each stream, ``(n, count)``;
    ``even`` says that ``position`` is even, so that whole words are read (quicker); ``rows``
    is the normal numbers' :func:`~descentlab.problems.stochastic.gaussian.table`."""
    first = position // 2
    if even and count % 2 == 0:
        words = stream_words(keys, first, count // 2, xp)
        halves = xp.stack([words >> 32, words & 0xFFFFFFFF], axis=-1)
        return standard_normal(xp.reshape(halves, (keys.shape[0], count)), rows, xp)
    words = stream_words(keys, first, count // 2 + 1, xp)  # enough for either parity
    halves = xp.stack([words >> 32, words & 0xFFFFFFFF], axis=-1)
    halves = xp.reshape(halves, (keys.shape[0], -1))
    skip = position - 2 * first
    taken = xp.take(halves, skip + xp.arange(count), axis=1)
    return standard_normal(taken, rows, xp)
