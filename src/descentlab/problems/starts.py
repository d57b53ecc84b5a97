"""Where runs begin: given points, or uniform draws inside the bounds from a seed."""

from __future__ import annotations

import numbers

import numpy as np

from descentlab.problems.problem import Problem


def random_state(seed: object) -> np.random.RandomState:
    """An explicit ``RandomState`` for ``seed`` (an int, None, or a RandomState itself)."""
    if isinstance(seed, np.random.RandomState):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        try:
            return np.random.RandomState(seed)
        except ValueError:
            raise ValueError(f"seed must be an int in [0, 2**32), not {seed!r}") from None
    raise TypeError(f"seed must be an int, None or a numpy RandomState, not {seed!r}")


def uniform_starts(bounds: np.ndarray, starts: int | None, seed: object) -> np.ndarray:
    """``lo + rand(d) * (hi - lo)``, or ``(starts, d)`` such rows, drawn from one stream.

    With ``starts=None`` this is exactly the tutorials' ``seed(s); rand(d)`` start; the first of
    ``n`` starts is the same point.
    """
    rng = random_state(seed)
    lo, hi = bounds[:, 0], bounds[:, 1]
    shape = (len(bounds),) if starts is None else (starts, len(bounds))
    return lo + rng.rand(*shape) * (hi - lo)


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
