"""Random streams, one per start, that do not depend on the rest of the batch.

Start ``i`` of a run with seed ``s`` draws from its own stream, so it sees the same noise (and
the same minibatches) alone as in a batch of a million, and many starts are independent
replicates. A stream is SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) started at a key hashed
from ``(s, purpose, i)``: word ``k`` of the stream is ``mix(key + (k + 1) * GAMMA)``. Being
counter-based, every word of every stream is computed in one vectorized expression, with no
Python loop over starts (one NumPy ``Generator`` per start would need one).

Normal variates come from pairs of 32-bit halves of a word by the Box-Muller transform,
evaluated in float32 for speed (the variates have about seven significant digits, their tails
reach about 6.7 standard deviations), then returned as float64.
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass

import numpy as np

GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)
_TWO_PI = np.float32(2 * np.pi)
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
        words, scratch = self._workspace(count, np.uint64, 2)
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
        (a new array). Box-Muller on pairs: word ``k`` gives numbers ``2k`` (cosine branch) and
        ``2k + 1`` (sine branch), so a number depends only on its position in the stream."""
        first_word = position // 2
        words = (position + count + 1) // 2 - first_word
        bits = self.words(first_word, words).T
        scratch = self._workspace(words, np.uint64, 2)[1]
        radius, angle = self._workspace(words, np.float32, 2)
        np.right_shift(bits, np.uint64(32), out=scratch)
        np.copyto(radius, scratch, casting="unsafe")
        np.bitwise_and(bits, _LOW32, out=scratch)
        np.copyto(angle, scratch, casting="unsafe")
        radius += np.float32(0.5)  # (k + 0.5) / 2**32: never 0 or 1
        radius *= np.float32(2.0**-32)
        np.log(radius, out=radius)
        radius *= np.float32(-2.0)
        np.sqrt(radius, out=radius)
        angle *= _TWO_PI * np.float32(2.0**-32)  # the half-step offset is immaterial here
        pairs = np.empty((2 * words, self.n))
        np.multiply(radius, np.cos(angle), out=pairs[0::2])
        np.multiply(radius, np.sin(angle), out=pairs[1::2])
        skip = position - 2 * first_word
        return pairs[skip : skip + count].T

    def _workspace(self, count: int, dtype, how_many: int) -> list[np.ndarray]:
        cache = self.__dict__.setdefault("_buffers", {})
        key = (count, np.dtype(dtype).str)
        if key not in cache:
            cache[key] = [np.empty((count, self.n), dtype=dtype) for _ in range(how_many)]
        return cache[key]
