"""Step rules: the step chosen at each iteration from the problem itself, per start.

An optimizer proposes its update ``d`` (gradient descent: ``-step_size * g``; momentum: minus
its change); a rule picks a multiplier ``t`` for every start and the point becomes
``x + t d``. The optimizer's state is scaled to match (momentum's change becomes ``t`` times
as large), so the next update builds on the step actually taken.

- :class:`Armijo`: backtracking from ``initial`` by ``shrink`` until
  ``f(x + t d) <= f(x) + c1 t g.d`` (sufficient decrease);
- :class:`Wolfe`: the strong Wolfe conditions, sufficient decrease and
  ``|g(x + t d).d| <= c2 |g.d|``, by bracketing and bisection (Nocedal & Wright, Alg. 3.5-3.6);
- :class:`Polyak`: gradient descent with step ``(f(x) - f*) / ||g||^2`` (optionally capped),
  for problems whose minimum is known;
- :class:`BarzilaiBorwein`: gradient descent with ``s.s / s.y`` (``"long"``) or ``s.y / y.y``
  (``"short"``), ``s`` and ``y`` the last changes of ``x`` and ``g``.

Every start searches in the same vectorized pass; starts that are done stop evaluating. Each
batch call of ``f`` or ``g`` counts in ``nfev`` / ``njev``. A direction that does not descend
(``g.d >= 0``, possible with momentum) gets ``t = 0``: the start stays, and its momentum is
reset. Line searches need the exact gradient: they are refused with noise or minibatches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descentlab import _validation as check


class StepRule:
    """Base class of the step rules."""

    #: True for a rule that needs the problem's known minimum ``f*`` (Polyak's).
    needs_minimum = False
    #: True for a rule that is a step size of gradient descent, not a search along any update.
    gradient_descent_only = False

    def multipliers(self, ctx: StepContext) -> np.ndarray:
        raise NotImplementedError


@dataclass
class StepContext:
    """What a rule sees for the active starts (flat arrays: ``n`` starts, ``d`` coordinates)."""

    x: np.ndarray  # (n, d)
    f: np.ndarray  # (n,)
    g: np.ndarray  # (n, d)
    d: np.ndarray  # (n, d) the optimizer's proposed update
    value: Any  # value(points (k, d)) -> (k,), counted
    gradient: Any  # gradient(points (k, d)) -> (k, d), counted
    minimum: float | None
    memory: dict = field(default_factory=dict)  # a rule's own state between iterations


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", a, b)


@dataclass(frozen=True)
class Armijo(StepRule):
    """Backtracking line search for sufficient decrease."""

    c1: float = 1e-4
    shrink: float = 0.5
    initial: float = 1.0
    max_tries: int = 60

    def __post_init__(self) -> None:
        _check_c(self.c1, None)
        if not 0 < self.shrink < 1:
            raise ValueError(f"shrink must be in (0, 1), not {self.shrink!r}")
        object.__setattr__(self, "initial", float(check.positive("initial", self.initial)))
        _check_tries(self.max_tries)

    def multipliers(self, ctx: StepContext) -> np.ndarray:
        slope = _dot(ctx.g, ctx.d)
        t = np.full(len(ctx.f), self.initial)
        pending = slope < 0
        t[~pending] = 0.0
        for _ in range(self.max_tries):
            rows = np.flatnonzero(pending)
            if rows.size == 0:
                break
            trial = ctx.value(ctx.x[rows] + t[rows, None] * ctx.d[rows])
            ok = trial <= ctx.f[rows] + self.c1 * t[rows] * slope[rows]
            pending[rows[ok]] = False
            t[rows[~ok]] *= self.shrink
        t[pending] = 0.0  # no sufficient decrease found: stay
        return t


@dataclass(frozen=True)
class Wolfe(StepRule):
    """A line search for the strong Wolfe conditions (``0 < c1 < c2 < 1``)."""

    c1: float = 1e-4
    c2: float = 0.9
    initial: float = 1.0
    max_tries: int = 60
    max_step: float = 1e10

    def __post_init__(self) -> None:
        _check_c(self.c1, self.c2)
        object.__setattr__(self, "initial", float(check.positive("initial", self.initial)))
        _check_tries(self.max_tries)

    def multipliers(self, ctx: StepContext) -> np.ndarray:
        search = _WolfeSearch(self, ctx)
        for first in [True] + [False] * (self.max_tries - 1):
            if not search.step(first):
                break
        return search.result()


class _WolfeSearch:
    """The bracketing and zoom phases of every start at once (0: bracket, 1: zoom, 2: done)."""

    def __init__(self, rule: Wolfe, ctx: StepContext) -> None:
        self.rule, self.ctx = rule, ctx
        n = len(ctx.f)
        self.slope0 = _dot(ctx.g, ctx.d)
        self.phase = np.where(self.slope0 < 0, 0, 2)
        self.accepted = np.zeros(n)
        self.t = np.full(n, rule.initial)
        self.t_prev, self.f_prev = np.zeros(n), ctx.f.copy()
        self.lo, self.hi = np.zeros(n), np.zeros(n)
        self.f_lo = ctx.f.copy()

    def step(self, first: bool) -> bool:
        rows = np.flatnonzero(self.phase < 2)
        if rows.size == 0:
            return False
        zoom = self.phase[rows] == 1
        t = np.where(zoom, 0.5 * (self.lo[rows] + self.hi[rows]), self.t[rows])
        points = self.ctx.x[rows] + t[:, None] * self.ctx.d[rows]
        f = self.ctx.value(points)
        slope = _dot(self.ctx.gradient(points), self.ctx.d[rows])
        self._bracket(rows[~zoom], t[~zoom], f[~zoom], slope[~zoom], first)
        self._zoom(rows[zoom], t[zoom], f[zoom], slope[zoom])
        return True

    def _sufficient(self, rows, t, f) -> np.ndarray:
        return f <= self.ctx.f[rows] + self.rule.c1 * t * self.slope0[rows]

    def _curvature(self, rows, slope) -> np.ndarray:
        return np.abs(slope) <= -self.rule.c2 * self.slope0[rows]

    def _bracket(self, rows, t, f, slope, first: bool) -> None:
        worse = ~self._sufficient(rows, t, f)
        if not first:
            worse |= f >= self.f_prev[rows]
        worse |= ~np.isfinite(f)
        good = ~worse & self._curvature(rows, slope)
        uphill = ~worse & ~good & (slope >= 0)
        self._start_zoom(rows[worse], self.t_prev[rows[worse]], t[worse],
                         self.f_prev[rows[worse]])  # fmt: skip
        self._accept(rows[good], t[good])
        self._start_zoom(rows[uphill], t[uphill], self.t_prev[rows[uphill]], f[uphill])
        go_on = ~(worse | good | uphill)
        on = rows[go_on]
        self.t_prev[on], self.f_prev[on] = t[go_on], f[go_on]
        self.t[on] = np.minimum(2.0 * t[go_on], self.rule.max_step)

    def _start_zoom(self, rows, lo, hi, f_lo) -> None:
        """Zoom between ``lo`` (sufficient decrease, value ``f_lo``) and ``hi``."""
        self.phase[rows] = 1
        self.lo[rows], self.hi[rows], self.f_lo[rows] = lo, hi, f_lo

    def _zoom(self, rows, t, f, slope) -> None:
        high = ~self._sufficient(rows, t, f) | (f >= self.f_lo[rows]) | ~np.isfinite(f)
        self.hi[rows[high]] = t[high]
        low = ~high
        good = low & self._curvature(rows, slope)
        self._accept(rows[good], t[good])
        move = low & ~good
        flip = move & (slope * (self.hi[rows] - self.lo[rows]) >= 0)
        self.hi[rows[flip]] = self.lo[rows[flip]]
        r = rows[move]
        self.lo[r], self.f_lo[r] = t[move], f[move]

    def _accept(self, rows, t) -> None:
        self.phase[rows] = 2
        self.accepted[rows] = t

    def result(self) -> np.ndarray:
        unfinished = self.phase < 2
        # out of tries: the best point known with sufficient decrease (lo), else stay
        self.accepted[unfinished] = np.where(self.phase[unfinished] == 1, self.lo[unfinished], 0.0)
        return self.accepted


@dataclass(frozen=True)
class Polyak(StepRule):
    """Gradient descent with Polyak's step ``(f(x) - f*) / ||g||^2``, at most ``cap``."""

    cap: float | None = None
    needs_minimum = True
    gradient_descent_only = True

    def __post_init__(self) -> None:
        if self.cap is not None:
            object.__setattr__(self, "cap", float(check.positive("cap", self.cap)))

    def multipliers(self, ctx: StepContext) -> np.ndarray:
        squared = _dot(ctx.g, ctx.g)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(squared > 0, (ctx.f - ctx.minimum) / squared, 0.0)
        step = np.maximum(step, 0.0)
        if self.cap is not None:
            step = np.minimum(step, self.cap)
        return _as_multiplier(step, ctx)


@dataclass(frozen=True)
class BarzilaiBorwein(StepRule):
    """Gradient descent with a Barzilai-Borwein step: ``"long"`` ``s.s / s.y`` (BB1) or
    ``"short"`` ``s.y / y.y`` (BB2); the first step (and any with ``s.y <= 0``) is the
    optimizer's own. ``cap`` bounds every step, those fallbacks included."""

    formula: str = "long"
    cap: float | None = None
    gradient_descent_only = True

    def __post_init__(self) -> None:
        check.one_of("formula", self.formula, ("long", "short"))
        if self.cap is not None:
            object.__setattr__(self, "cap", float(check.positive("cap", self.cap)))

    def multipliers(self, ctx: StepContext) -> np.ndarray:
        previous = ctx.memory.get("bb")
        ctx.memory["bb"] = (ctx.x.copy(), ctx.g.copy())
        t = np.ones(len(ctx.f))  # the optimizer's own step, within the cap
        if self.cap is not None:
            t = np.minimum(t, _as_multiplier(np.full(len(ctx.f), self.cap), ctx))
        if previous is None:
            return t
        s, y = ctx.x - previous[0], ctx.g - previous[1]
        sy = _dot(s, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = _dot(s, s) / sy if self.formula == "long" else sy / _dot(y, y)
        usable = (sy > 0) & np.isfinite(step)
        if self.cap is not None:
            step = np.minimum(step, self.cap)
        return np.where(usable, _as_multiplier(np.where(usable, step, 0.0), ctx), t)


def _as_multiplier(step: np.ndarray, ctx: StepContext) -> np.ndarray:
    """The multiplier of ``d = -s g`` that makes the step ``step``: ``step * ||g||^2 / -g.d``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = step * _dot(ctx.g, ctx.g) / -_dot(ctx.g, ctx.d)
    return np.where(np.isfinite(t), t, 0.0)


def _check_c(c1: float, c2: float | None) -> None:
    if not (isinstance(c1, int | float) and 0 < c1 < 1):
        raise ValueError(f"c1 must be in (0, 1), not {c1!r}")
    if c2 is not None and not (isinstance(c2, int | float) and c1 < c2 < 1):
        raise ValueError(f"c2 must be in (c1, 1) = ({c1:g}, 1), not {c2!r}")


def _check_tries(tries: int) -> None:
    if isinstance(tries, bool) or not isinstance(tries, int) or tries < 1:
        raise ValueError(f"max_tries must be a whole number >= 1, not {tries!r}")


STEP_RULES = {"armijo": Armijo, "wolfe": Wolfe, "polyak": Polyak, "bb": BarzilaiBorwein}

__all__ = ["STEP_RULES", "Armijo", "BarzilaiBorwein", "Polyak", "StepContext", "StepRule",
           "Wolfe"]  # fmt: skip
