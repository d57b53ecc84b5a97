"""The numbers behind the pictures, computed without drawing anything.

Each view in :mod:`descentlab.plot` draws from one of these pure functions, so that what is
drawn can be tested (and reused) without a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab.problems.calls import call_user
from descentlab.problems.outputs import as_values
from descentlab.problems.problem import Problem, as_bounds
from descentlab.results import statistics
from descentlab.results.result import Result

#: Values spanning more than this ratio (95th over 5th percentile) get log-spaced levels.
LOG_LEVELS_SPREAD = 200.0


@dataclass(frozen=True)
class Grid:
    """The objective on a regular grid over a 2-D box: ``z[i, j] = f(x[j], y[i])``."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray


def box(problem: Problem, bounds: object = None, dim: int | None = None) -> np.ndarray:
    """The box to draw: ``bounds`` if given, else the problem's; ``dim`` pairs when given."""
    chosen = problem.bounds if bounds is None else bounds
    if chosen is None:
        raise ValueError("plotting needs bounds: give bounds= or a problem with bounds")
    chosen = as_bounds(chosen)
    if dim is not None and len(chosen) != dim:
        raise ValueError(
            f"this view draws {dim}-D problems: bounds (or the problem) must have {dim} "
            f"[lo, hi] pair{'s' if dim > 1 else ''}, not {len(chosen)}"
        )
    return chosen


def line_values(problem: Problem, bounds: object = None, resolution: int = 400):
    """``(x, f(x))`` over the 1-D domain."""
    ((lo, hi),) = box(problem, bounds, dim=1)
    x = np.linspace(lo, hi, resolution)
    points = x[:, np.newaxis]
    return x, drawable_values(problem, points)


def grid_values(problem: Problem, bounds: object = None, resolution: int = 200) -> Grid:
    """The objective on a ``resolution x resolution`` grid over the 2-D box."""
    (xlo, xhi), (ylo, yhi) = box(problem, bounds, dim=2)
    x, y = np.linspace(xlo, xhi, resolution), np.linspace(ylo, yhi, resolution)
    points = np.stack(np.meshgrid(x, y), axis=-1)
    return Grid(x, y, drawable_values(problem, points))


def drawable_values(problem: Problem, points: np.ndarray) -> np.ndarray:
    """``f`` at ``points`` (vectorized safely), or a clear error when there is nothing to draw."""
    with np.errstate(all="ignore"):
        raw = call_user("objective", problem.prepared_for(points).f, points)
        values = as_values(raw, points.shape[:-1])
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError(
            f"the objective {problem.name!r} has no finite value in the box drawn "
            f"({box_text(points)}): nothing to draw"
        )
    return values


def box_text(points: np.ndarray) -> str:
    lo = points.reshape(-1, points.shape[-1]).min(axis=0)
    hi = points.reshape(-1, points.shape[-1]).max(axis=0)
    return " x ".join(f"[{a:.4g}, {b:.4g}]" for a, b in zip(lo, hi, strict=True))


def wants_log_levels(z: np.ndarray) -> bool:
    """True when the values are positive and span orders of magnitude (Rosenbrock)."""
    finite = z[np.isfinite(z)]
    if finite.size == 0 or finite.min() < 0:
        return False
    positive = finite[finite > 0]
    if positive.size == 0:
        return False
    low, high = np.percentile(positive, [5, 95])
    return bool(high / low > LOG_LEVELS_SPREAD)


def contour_levels(z: np.ndarray, n: int = 50, log: bool | None = None) -> np.ndarray:
    """``n`` levels over the values: linear, or log-spaced when ``log`` (default: automatic)."""
    finite = z[np.isfinite(z)]
    if finite.size == 0 or finite.min() == finite.max():
        shown = "no finite value" if finite.size == 0 else f"the constant value {finite[0]:.6g}"
        raise ValueError(f"the objective has {shown} over the box: contours need values that vary")
    if log is None:
        log = wants_log_levels(z)
    if not log:
        return np.linspace(finite.min(), finite.max(), n)
    positive = finite[finite > 0]
    return np.geomspace(positive.min(), positive.max(), n)


def run_path(result: Result, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The recorded points ``(K, d)`` and values ``(K,)`` of one start (flat index)."""
    if result.path is None:
        raise ValueError("the result has no recorded path: run with record='all' or every k")
    d = result.path.shape[-1]
    path = result.path.reshape(len(result.path), -1, d)
    values = np.asarray(result.path_fun).reshape(len(result.path), -1)
    if not 0 <= start < path.shape[1]:
        raise ValueError(f"start must be in [0, {path.shape[1]}), not {start}")
    return path[:, start], values[:, start]


@dataclass(frozen=True)
class Convergence:
    """One run's curve: the x values (iterations or evaluations) and the y values."""

    x: np.ndarray
    y: np.ndarray
    ylabel: str


def convergence(result: Result, problem: Problem, against: str = "iteration", start=None):
    """``f - f*`` (or ``f`` when ``f*`` is unknown) of the best start, per recorded iteration.

    ``against="nfev"`` counts function evaluations instead of iterations (one per iteration
    after the start's, as the runner makes them).
    """
    if against not in ("iteration", "nfev"):
        raise ValueError(f"against must be 'iteration' or 'nfev', not {against!r}")
    if start is None:
        start = _recorded_index(result, result.best())
    _, values = run_path(result, start)
    x = np.asarray(result.path_iter, dtype=float)
    if against == "nfev":
        x = x + 1.0
    if problem.minimum is None:
        return Convergence(x, values, "f(x)")
    gap = values - problem.minimum
    return Convergence(x, np.maximum(gap, np.finfo(float).tiny), "f(x) - f*")


@dataclass(frozen=True)
class Band:
    """Many replicates' curves summarized: the median and a band (``kind``) over ``n`` starts."""

    x: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    ylabel: str
    n: int
    kind: str


def convergence_band(result: Result, problem: Problem, against: str = "iteration",
                     kind: str = "iqr") -> Band:  # fmt: skip
    """``f - f*`` (or ``f``) over all recorded starts: median and interquartile range
    (``kind="iqr"``) or the 95% interval of the median (``"ci95"``), per recorded iteration."""
    if against not in ("iteration", "nfev"):
        raise ValueError(f"against must be 'iteration' or 'nfev', not {against!r}")
    if result.path_fun is None:
        raise ValueError("the result has no recorded path: run with record='all' or every k")
    values = np.asarray(result.path_fun, dtype=float).reshape(len(result.path_iter), -1)
    ylabel = "f(x)"
    if problem.minimum is not None:
        values, ylabel = np.maximum(values - problem.minimum, np.finfo(float).tiny), "f(x) - f*"
    median, low, high = statistics.band(values, kind)
    x = np.asarray(result.path_iter, dtype=float) + (1.0 if against == "nfev" else 0.0)
    return Band(x, median, low, high, ylabel, values.shape[1], kind)


def _recorded_index(result: Result, flat_start: int) -> int:
    """Where start ``flat_start`` sits in the recorded paths (0 when it was not recorded)."""
    if result.record_starts is None:
        return flat_start
    hits = np.flatnonzero(result.record_starts == flat_start)
    return int(hits[0]) if hits.size else 0


def thinned(count: int, keep: int) -> np.ndarray:
    """At most ``keep`` evenly spread indices out of ``count``."""
    if count <= keep:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, keep).round().astype(int))
