"""Summaries over replicates: medians with intervals, bands, first hits and decay rates.

Stochastic runs are compared over many starts (each its own seeded stream), so a number worth
printing is a median with an interval, never one run. Everything here is plain NumPy and ignores
nothing silently: NaN (a diverged start) counts as the worst value, not as a missing one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BANDS = ("iqr", "ci95")
#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Summary:
    """A median and an interval ``[low, high]`` over ``n`` replicates; ``band`` says which."""

    median: float
    low: float
    high: float
    n: int
    band: str

    def text(self, digits: int = 3) -> str:
        return f"{self.median:.{digits}g} [{self.low:.{digits}g}, {self.high:.{digits}g}]"


def worst_as_inf(samples: np.ndarray) -> np.ndarray:
    """NaN (a start that diverged or broke) becomes +inf, so it sorts as the worst value."""
    samples = np.asarray(samples, dtype=float)
    return np.where(np.isnan(samples), np.inf, samples)


def median_interval(samples: object, level: float = 0.95) -> Summary:
    """The median of ``samples`` and a distribution-free interval for it.

    The interval is between two order statistics chosen with the normal approximation of the
    binomial (``n/2 -+ z sqrt(n)/2``); it needs no assumption on the distribution and at least
    6 samples. Only ``level=0.95`` is offered.
    """
    if level != 0.95:
        raise ValueError(f"level must be 0.95, not {level!r}")
    values = np.sort(worst_as_inf(np.ravel(samples)))
    n = values.size
    if n < 6:
        raise ValueError(f"a median interval needs at least 6 samples, not {n}")
    lo, hi = _median_ranks(n)
    return Summary(float(np.median(values)), float(values[lo]), float(values[hi]), n, "ci95")


def _median_ranks(n: int) -> tuple[int, int]:
    """The ranks of the order statistics that bound a 95% interval of the median of ``n``."""
    half = Z95 * math.sqrt(n) / 2.0
    return max(math.floor(n / 2.0 - half), 0), min(math.ceil(n / 2.0 + half), n - 1)


def quartiles(samples: object) -> Summary:
    """The median and the interquartile range of ``samples``."""
    values = worst_as_inf(np.ravel(samples))
    if values.size == 0:
        raise ValueError("quartiles need at least one sample")
    low, median, high = np.percentile(values, [25, 50, 75])
    return Summary(float(median), float(low), float(high), values.size, "iqr")


def band(values: np.ndarray, kind: str = "iqr") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, low and high over the last axis of ``values`` (rows: iterations, columns:
    replicates): the interquartile range (``"iqr"``) or the 95% interval of the median
    (``"ci95"``)."""
    if kind not in BANDS:
        raise ValueError(f"band must be one of {', '.join(BANDS)}, not {kind!r}")
    values = worst_as_inf(values)
    n = values.shape[-1]
    if kind == "iqr":
        low, median, high = np.percentile(values, [25, 50, 75], axis=-1)
        return median, low, high
    if n < 6:
        raise ValueError(f"band='ci95' needs at least 6 replicates, not {n}")
    ordered = np.sort(values, axis=-1)
    lo, hi = _median_ranks(n)
    return np.median(values, axis=-1), ordered[..., lo], ordered[..., hi]


def first_reach(values: np.ndarray, iterations: np.ndarray, target: float) -> np.ndarray:
    """Per column of ``values`` (rows: recorded iterations), the first recorded iteration at
    which the value is ``<= target``; NaN where it never is."""
    values = np.asarray(values, dtype=float)
    hit = values <= target
    first = np.argmax(hit, axis=0)
    reached = hit.any(axis=0)
    return np.where(reached, np.asarray(iterations, dtype=float)[first], np.nan)


def iterations_per_decade(iterations: np.ndarray, errors: np.ndarray, high: float, low: float):
    """How many iterations one decade of error reduction takes, from a least-squares line
    through ``log10(error)`` over the recorded iterations whose error lies in ``[low, high]``.
    NaN when fewer than 3 points lie there or the error does not fall."""
    errors = np.asarray(errors, dtype=float)
    inside = (errors <= high) & (errors >= low) & (errors > 0)
    if inside.sum() < 3:
        return math.nan
    slope = np.polyfit(np.asarray(iterations, dtype=float)[inside], np.log10(errors[inside]), 1)[0]
    return -1.0 / slope if slope < 0 else math.nan


def disjoint(a: Summary, b: Summary) -> int:
    """-1 when ``a``'s interval lies wholly below ``b``'s, +1 when above, 0 when they meet."""
    if a.high < b.low:
        return -1
    if a.low > b.high:
        return 1
    return 0
