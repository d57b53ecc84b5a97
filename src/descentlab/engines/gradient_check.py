"""Is a hand-written gradient right? Compare it with central differences at sampled points."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from descentlab.engines import load_jax_engine, resolve
from descentlab.problems.gradients import CentralDifference, checked_gradient
from descentlab.problems.problem import Problem
from descentlab.problems.starts import uniform_starts

#: Relative errors above this flag a wrong gradient: central differences of a smooth function
#: are good to about 1e-10, a wrong derivative is off by far more.
DEFAULT_THRESHOLD = 1e-6

#: At most this many points: enough to find a wrong derivative, and bounded in memory.
MAX_POINTS = 100_000


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradient`.

    ``errors[k]`` is ``||grad(x_k) - fd(x_k)|| / max(||fd(x_k)||, 1)`` at ``points[k]``.
    """

    points: np.ndarray
    errors: np.ndarray
    threshold: float

    @property
    def max_error(self) -> float:
        return float(np.max(self.errors))

    @property
    def worst_point(self) -> np.ndarray:
        return self.points[int(np.argmax(self.errors))]

    @property
    def ok(self) -> bool:
        return self.max_error <= self.threshold

    def summary(self) -> str:
        verdict = "agrees with" if self.ok else "DISAGREES with"
        return (
            f"gradient {verdict} central differences at {len(self.points)} points: "
            f"largest relative error {self.max_error:.3g} at x = {self.worst_point.tolist()} "
            f"(threshold {self.threshold:g})"
        )


def check_gradient(
    problem: Problem,
    points: object = None,
    *,
    n_points: int = 20,
    seed: object = 0,
    threshold: float = DEFAULT_THRESHOLD,
    engine: str | None = None,
) -> GradientCheck:
    """Compare ``problem``'s gradient with central differences of its ``f``.

    With ``engine="jax"`` (or under ``engines.using("jax")``) the gradient checked is the one
    the JAX engine runs with: the given one traced, or ``jax.grad`` of ``f``.

    The points are ``points`` if given, else ``n_points`` drawn uniformly in the bounds from
    ``seed``. The error at each point is relative to the larger of the gradient's norm and 1,
    so that points near a minimum (gradient near 0) do not inflate it.
    """
    engine = resolve(engine, None)
    if problem.grad is None and engine == "numpy":
        raise ValueError("the problem has no gradient to check (it uses finite differences)")
    threshold = _check_threshold(threshold)
    if points is None:
        if problem.bounds is None:
            raise ValueError("check_gradient needs points, or a problem with bounds to draw them")
        points = uniform_starts(problem.bounds, _check_n_points(n_points), seed)
    x = _check_points(points, problem.dim)
    if engine == "jax":
        given = load_jax_engine().gradient_function(problem, x.shape[-1])(x)
    problem = problem.prepared_for(x)
    if engine == "numpy":
        given = checked_gradient(problem.grad, x)
    reference = CentralDifference(problem.f)(x)
    scale = np.maximum(np.linalg.norm(reference, axis=-1), 1.0)
    errors = np.linalg.norm(given - reference, axis=-1) / scale
    return GradientCheck(x, errors, threshold)


def _check_threshold(threshold: object) -> float:
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, numbers.Real)
        or not math.isfinite(threshold)
        or threshold <= 0
    ):
        raise ValueError(f"threshold must be a finite number > 0, not {threshold!r}")
    return float(threshold)


def _check_n_points(n_points: object) -> int:
    if (
        isinstance(n_points, bool)
        or not isinstance(n_points, numbers.Integral)
        or not 1 <= n_points <= MAX_POINTS
    ):
        raise ValueError(
            f"n_points must be a whole number in [1, {MAX_POINTS:,}] (more points do not make "
            f"the check surer, only slower), not {n_points!r}"
        )
    return int(n_points)


def _check_points(points: object, dim: int | None) -> np.ndarray:
    try:
        x = np.atleast_2d(np.asarray(points, dtype=float))
    except (TypeError, ValueError):
        raise TypeError(f"points must be numbers of shape (n, d), not {points!r}") from None
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"points must have shape (n, d), not {x.shape}")
    if dim is not None and x.shape[1] != dim:
        raise ValueError(
            f"points must have {dim} coordinates each (the problem's dimension), "
            f"not shape {x.shape}"
        )
    if len(x) > MAX_POINTS:
        raise ValueError(f"points must be at most {MAX_POINTS:,}, not {len(x):,}")
    if not np.isfinite(x).all():
        raise ValueError("points must be finite")
    return x
