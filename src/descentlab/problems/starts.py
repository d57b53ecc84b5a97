"""Where runs begin: given points, or uniform draws inside the bounds from a seed."""

from __future__ import annotations

import numbers
import random

import numpy as np

from descentlab.problems.problem import Problem

#: Up to this many numbers from an int seed are drawn by :func:`legacy_rand`, without loading
#: ``numpy.random`` (about 9 ms, most of what a tutorial command adds to importing NumPy).
SMALL_DRAW = 64


def random_state(seed: object) -> np.random.RandomState:
    """An explicit ``RandomState`` for ``seed`` (an int, None, or a RandomState itself)."""
    if seed is None:
        return np.random.RandomState()
    if _is_int(seed):
        _check_seed(seed)
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise TypeError(f"seed must be an int, None or a numpy RandomState, not {seed!r}")


def _is_int(seed: object) -> bool:
    return isinstance(seed, numbers.Integral) and not isinstance(seed, bool)


def _check_seed(seed: int) -> None:
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), not {seed!r}")


def legacy_rand(seed: int, count: int) -> list[float]:
    """``numpy.random.RandomState(seed).rand(count)``, bit for bit, from the standard library.

    NumPy's legacy seeding of an int is the Mersenne Twister's ``init_genrand``, and its
    ``rand`` builds each double from two 32-bit words exactly as :meth:`random.Random.random`
    does; so the generator's state is set from the seed here and Python's twister draws.
    """
    _check_seed(seed)
    words = [int(seed)]
    for i in range(1, 624):
        word = words[-1]
        words.append((1812433253 * (word ^ (word >> 30)) + i) & 0xFFFFFFFF)
    twister = random.Random()
    twister.setstate((3, (*words, 624), None))
    return [twister.random() for _ in range(count)]


def uniform_starts(bounds: np.ndarray, starts: int | None, seed: object) -> np.ndarray:
    """``lo + rand(d) * (hi - lo)``, or ``(starts, d)`` such rows, drawn from one stream.

    With ``starts=None`` this is exactly the tutorials' ``seed(s); rand(d)`` start; the first of
    ``n`` starts is the same point.
    """
    lo, hi = bounds[:, 0], bounds[:, 1]
    shape = (len(bounds),) if starts is None else (starts, len(bounds))
    count = len(bounds) * (1 if starts is None else starts)
    if _is_int(seed) and count <= SMALL_DRAW:
        draws = np.reshape(legacy_rand(seed, count), shape)
    else:
        draws = random_state(seed).rand(*shape)
    return lo + draws * (hi - lo)


def check_starts(starts: object) -> int | None:
    """``starts`` if it is None or a whole number >= 1, else a ValueError saying so."""
    if starts is not None and (
        isinstance(starts, bool) or not isinstance(starts, numbers.Integral) or starts < 1
    ):
        raise ValueError(f"starts must be a whole number >= 1, not {starts!r}")
    return starts


def initial_points(problem: Problem, x0: object, seed: object, starts: int | None) -> np.ndarray:
    """The starting points of a run as a float array of shape ``(..., d)``."""
    check_starts(starts)
    if x0 is None:
        if problem.bounds is None:
            raise ValueError("x0 is required when the problem has no bounds to draw starts from")
        return uniform_starts(problem.bounds, starts, seed)
    if starts is not None:
        raise ValueError("give either x0 or starts, not both (x0 already holds the starts)")
    x = np.array(x0, dtype=float)
    if x.ndim == 0:
        x = x.reshape(1)
    if problem.dim is not None and x.shape[-1] != problem.dim:
        raise ValueError(
            f"x0 must have {problem.dim} coordinates (the problem's dimension) in its last axis, "
            f"not shape {x.shape}"
        )
    if not np.isfinite(x).all():
        raise ValueError("x0 must be finite")
    return x
