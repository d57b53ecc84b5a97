"""What many starts found: statuses, best and median values, and the distinct minima."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from descentlab.problems.problem import Problem
from descentlab.results.result import Result

#: At most this many distinct minima are listed; the rest are counted together.
MAX_MINIMA = 20


@dataclass(frozen=True)
class Minimum:
    """A group of final points within the tolerance of its best point."""

    x: np.ndarray
    fun: float
    count: int
    known: int | None  # index into the problem's minimizers, when it matches one


@dataclass(frozen=True)
class MultiStartSummary:
    n_starts: int
    status_counts: dict[str, int]
    best: float
    median: float
    minima: list[Minimum] = field(default_factory=list)
    unlisted: int = 0  # finite final points in groups beyond MAX_MINIMA

    def lines(self) -> list[str]:
        """A plain-text report, one line per item."""
        counts = ", ".join(f"{n} {status}" for status, n in self.status_counts.items())
        unfinished = self.n_starts - self.status_counts.get("converged", 0)
        heading = (
            f"{len(self.minima)} distinct minima found:"
            if unfinished == 0
            else f"{len(self.minima)} groups of final points ({unfinished} starts had not "
            "converged: more iterations or a tolerance tell minima apart):"
        )
        lines = [
            f"{self.n_starts} starts: {counts}; best f = {self.best:.6g}, "
            f"median f = {self.median:.6g}",
            heading,
        ]
        for m in self.minima:
            known = "" if m.known is None else f"  (known minimizer #{m.known})"
            starts = "start" if m.count == 1 else "starts"
            where = np.array2string(m.x, precision=5)
            lines.append(f"  f = {m.fun:.6g} at {where}: {m.count} {starts}{known}")
        if self.unlisted:
            lines.append(f"  ... and {self.unlisted} more starts in other groups")
        return lines


def summarize(
    result: Result, problem: Problem | None = None, tol: float = 1e-3
) -> MultiStartSummary:
    """Group the final points of ``result`` into distinct minima.

    Points are grouped greedily: the lowest remaining final point opens a group, and every
    point within ``tol * max(1, max|x_i|)`` of it joins. A group is matched to a known minimizer
    of ``problem`` within the same distance. Diverged starts are counted, not grouped.
    """
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be finite and > 0, not {tol!r}")
    x = result.x.reshape(-1, result.x.shape[-1])
    fun = np.ravel(result.fun)
    statuses, counts = np.unique(np.ravel(result.status), return_counts=True)
    finite = np.isfinite(fun) & np.isfinite(x).all(axis=-1)
    minima, unlisted = _group(x[finite], fun[finite], tol, problem)
    return MultiStartSummary(
        n_starts=len(fun),
        status_counts={str(s): int(n) for s, n in zip(statuses, counts, strict=True)},
        best=float(np.min(fun[finite])) if finite.any() else float("nan"),
        median=float(np.median(fun[finite])) if finite.any() else float("nan"),
        minima=minima,
        unlisted=unlisted,
    )


def _group(x: np.ndarray, fun: np.ndarray, tol: float, problem: Problem | None):
    order = np.argsort(fun, kind="stable")
    x, fun = x[order], fun[order]
    free = np.ones(len(fun), dtype=bool)
    minima: list[Minimum] = []
    while free.any() and len(minima) < MAX_MINIMA:
        first = int(np.argmax(free))
        radius = tol * max(1.0, float(np.max(np.abs(x[first]))))
        members = free & (np.max(np.abs(x - x[first]), axis=-1) <= radius)
        free &= ~members
        known = _known(x[first], radius, problem)
        minima.append(Minimum(x[first], float(fun[first]), int(members.sum()), known))
    return minima, int(free.sum())


def _known(point: np.ndarray, radius: float, problem: Problem | None) -> int | None:
    if problem is None or problem.minimizers is None:
        return None
    distances = np.max(np.abs(problem.minimizers - point), axis=-1)
    nearest = int(np.argmin(distances))
    return nearest if distances[nearest] <= radius else None
