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

Every start searches in the same vectorized pass, written once for both engines on whole
arrays with masks (the JAX engine passes ``lax.while_loop`` as the loop and its traced
functions): each round asks ``f`` (and ``g``) for the starts still searching, which the NumPy
engine evaluates alone (starts that are done stop evaluating) and the JAX engine evaluates with
the rest at their own points. Each batch call of ``f`` or ``g`` counts in ``nfev`` / ``njev``.
A direction that does not descend (``g.d >= 0``, possible with momentum) gets ``t = 0``: the
start stays, and its momentum is reset. Line searches need the exact gradient: they are
refused with noise or minibatches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from descentlab import _validation as check


def python_while(cond, body, state):
    """``lax.while_loop``'s meaning in Python: the loop the NumPy engine runs a search with."""
    while cond(state):
        state = body(state)
    return state


class StepRule:
    """Base class of the step rules."""

    #: True for a rule that needs the problem's known minimum ``f*`` (Polyak's).
    needs_minimum = False
    #: True for a rule that is a step size of gradient descent, not a search along any update.
    gradient_descent_only = False
    #: True for a rule that reads ``f`` at every iterate (a line search compares the trials with
    #: it, Polyak's step divides by it): what an evaluation count charges beside the gradient.
    reads_values = False
    #: What the rule's search has evaluated at the point it accepts (``"f"``, ``"g"``), so that
    #: an evaluation count does not charge the loop's evaluation there again.
    leaves_known: tuple[str, ...] = ()

    def initial_memory(self, n: int, d: int, xp=np, dtype=np.float64) -> dict:
        """What the rule keeps between iterations, before the first (``n`` starts)."""
        return {}

    def multipliers(self, ctx: StepContext) -> tuple[Any, dict, Any]:
        """``(t, memory, calls)``: the multiplier of every start, the memory for the next
        iteration and the batch calls of ``f`` and ``g`` made (an array of two counts)."""
        raise NotImplementedError


@dataclass
class StepContext:
    """What a rule sees (flat arrays: ``n`` starts, ``d`` coordinates), in the namespace ``xp``
    with the loop ``while_loop``: NumPy and :func:`python_while`, or JAX and ``lax.while_loop``."""

    x: Any  # (n, d)
    f: Any  # (n,)
    g: Any  # (n, d)
    d: Any  # (n, d) the optimizer's proposed update (zero for a start that has stopped)
    value: Any  # value(points (n, d), rows (n,) bool) -> (n,), what the rows need (others: any)
    gradient: Any  # gradient(points, rows) -> (n, d), likewise
    minimum: float | None
    memory: dict = field(default_factory=dict)  # the rule's own, from the iteration before
    xp: Any = np
    while_loop: Any = python_while

    def calls(self, values, gradients):
        return self.xp.asarray([values, gradients])


def _dot(a, b):
    return (a * b).sum(axis=-1)


@dataclass(frozen=True)
class Armijo(StepRule):
    """Backtracking line search for sufficient decrease."""

    c1: float = 1e-4
    shrink: float = 0.5
    initial: float = 1.0
    max_tries: int = 60
    reads_values = True
    leaves_known = ("f",)  # the accepted trial is the last one evaluated

    def __post_init__(self) -> None:
        _check_c(self.c1, None)
        if not 0 < self.shrink < 1:
            raise ValueError(f"shrink must be in (0, 1), not {self.shrink!r}")
        object.__setattr__(self, "initial", float(check.positive("initial", self.initial)))
        _check_tries(self.max_tries)

    def multipliers(self, ctx: StepContext):
        xp = ctx.xp
        slope = _dot(ctx.g, ctx.d)
        pending = slope < 0
        start = (xp.where(pending, self.initial, 0.0), pending, 0)

        def more(state):
            _, pending, tries = state
            return xp.any(pending) & (tries < self.max_tries)

        def backtrack(state):
            t, pending, tries = state
            trial = ctx.value(ctx.x + xp.where(pending, t, 0.0)[:, None] * ctx.d, pending)
            short = pending & ~(trial <= ctx.f + self.c1 * t * slope)
            return xp.where(short, t * self.shrink, t), short, tries + 1

        t, pending, tries = ctx.while_loop(more, backtrack, start)
        # no sufficient decrease found: stay
        return xp.where(pending, 0.0, t), ctx.memory, ctx.calls(tries, 0)


@dataclass(frozen=True)
class Wolfe(StepRule):
    """A line search for the strong Wolfe conditions (``0 < c1 < c2 < 1``)."""

    c1: float = 1e-4
    c2: float = 0.9
    initial: float = 1.0
    max_tries: int = 60
    max_step: float = 1e10
    reads_values = True
    leaves_known = ("f", "g")  # every trial is evaluated with its gradient

    def __post_init__(self) -> None:
        _check_c(self.c1, self.c2)
        object.__setattr__(self, "initial", float(check.positive("initial", self.initial)))
        _check_tries(self.max_tries)

    def multipliers(self, ctx: StepContext):
        xp, n = ctx.xp, ctx.f.shape[0]
        slope0 = _dot(ctx.g, ctx.d)
        zeros = xp.zeros(n, dtype=ctx.f.dtype)
        # phase per start: 0 bracket, 1 zoom, 2 done; then accepted, t, t_prev, f_prev, lo,
        # hi, f_lo, and the rounds so far
        start = (xp.where(slope0 < 0, 0, 2), zeros, zeros + self.initial, zeros, ctx.f, zeros,
                 zeros, ctx.f, 0)  # fmt: skip

        def more(state):
            return xp.any(state[0] < 2) & (state[-1] < self.max_tries)

        state = ctx.while_loop(more, lambda state: _wolfe_round(self, ctx, slope0, state), start)
        phase, accepted, lo, rounds = state[0], state[1], state[5], state[-1]
        # out of tries: the best point known with sufficient decrease (lo), else stay
        t = xp.where(phase == 2, accepted, xp.where(phase == 1, lo, 0.0))
        return t, ctx.memory, ctx.calls(rounds, rounds)


def _wolfe_round(rule: Wolfe, ctx: StepContext, slope0, state):
    """One round of every start's search: bracketing where phase is 0, zoom where it is 1."""
    xp = ctx.xp
    phase, accepted, t, t_prev, f_prev, lo, hi, f_lo, rounds = state
    active, zoom = phase < 2, phase == 1
    trial = xp.where(zoom, 0.5 * (lo + hi), t)
    points = ctx.x + xp.where(active, trial, 0.0)[:, None] * ctx.d
    f = ctx.value(points, active)
    slope = _dot(ctx.gradient(points, active), ctx.d)
    sufficient = f <= ctx.f + rule.c1 * trial * slope0
    curvature = xp.abs(slope) <= -rule.c2 * slope0
    # bracketing (Nocedal & Wright, Alg. 3.5)
    bracket = active & ~zoom
    worse = bracket & (~sufficient | ((f >= f_prev) & (rounds > 0)) | ~xp.isfinite(f))
    good = bracket & ~worse & curvature
    uphill = bracket & ~worse & ~good & (slope >= 0)
    go_on = bracket & ~(worse | good | uphill)
    # zoom (Alg. 3.6), on the starts that were zooming when the round began
    high = zoom & (~sufficient | (f >= f_lo) | ~xp.isfinite(f))
    zoom_good = zoom & ~high & curvature
    move = zoom & ~high & ~zoom_good
    flip = move & (slope * (hi - lo) >= 0)
    new_hi = xp.where(high, trial, xp.where(flip, lo, hi))
    new_lo = xp.where(move, trial, lo)
    new_f_lo = xp.where(move, f, f_lo)
    # the bracketing starts that begin zooming: between (lo, hi) = (t_prev, trial) when worse,
    # (trial, t_prev) when uphill
    new_lo = xp.where(worse, t_prev, xp.where(uphill, trial, new_lo))
    new_hi = xp.where(worse, trial, xp.where(uphill, t_prev, new_hi))
    new_f_lo = xp.where(worse, f_prev, xp.where(uphill, f, new_f_lo))
    done = good | zoom_good
    phase = xp.where(done, 2, xp.where(worse | uphill, 1, phase))
    accepted = xp.where(done, trial, accepted)
    t = xp.where(go_on, xp.minimum(2.0 * trial, rule.max_step), t)
    return (phase, accepted, t, xp.where(go_on, trial, t_prev), xp.where(go_on, f, f_prev),
            new_lo, new_hi, new_f_lo, rounds + 1)  # fmt: skip


@dataclass(frozen=True)
class Polyak(StepRule):
    """Gradient descent with Polyak's step ``(f(x) - f*) / ||g||^2``, at most ``cap``."""

    cap: float | None = None
    needs_minimum = True
    gradient_descent_only = True
    reads_values = True

    def __post_init__(self) -> None:
        if self.cap is not None:
            object.__setattr__(self, "cap", float(check.positive("cap", self.cap)))

    def multipliers(self, ctx: StepContext):
        xp = ctx.xp
        squared = _dot(ctx.g, ctx.g)
        positive = squared > 0
        step = xp.where(positive, (ctx.f - ctx.minimum) / xp.where(positive, squared, 1.0), 0.0)
        step = xp.maximum(step, 0.0)
        if self.cap is not None:
            step = xp.minimum(step, self.cap)
        return _as_multiplier(step, ctx), ctx.memory, ctx.calls(0, 0)


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

    def initial_memory(self, n: int, d: int, xp=np, dtype=np.float64) -> dict:
        """The point and gradient of the iteration before (none yet: ``seen`` is False)."""
        zeros = xp.zeros((n, d), dtype=dtype)
        return {"x": zeros, "g": zeros, "seen": xp.asarray(False)}

    def multipliers(self, ctx: StepContext):
        xp, previous = ctx.xp, ctx.memory
        memory = {"x": ctx.x, "g": ctx.g, "seen": xp.asarray(True)}
        t = xp.ones_like(ctx.f)  # the optimizer's own step, within the cap
        if self.cap is not None:
            t = xp.minimum(t, _as_multiplier(xp.full_like(ctx.f, self.cap), ctx))
        s, y = ctx.x - previous["x"], ctx.g - previous["g"]
        sy = _dot(s, y)
        top, bottom = (_dot(s, s), sy) if self.formula == "long" else (sy, _dot(y, y))
        step = top / xp.where(bottom != 0, bottom, 1.0)
        usable = previous["seen"] & (sy > 0) & (bottom != 0) & xp.isfinite(step)
        if self.cap is not None:
            step = xp.minimum(step, self.cap)
        bb = _as_multiplier(xp.where(usable, step, 0.0), ctx)
        return xp.where(usable, bb, t), memory, ctx.calls(0, 0)


def _as_multiplier(step, ctx: StepContext):
    """The multiplier of ``d = -s g`` that makes the step ``step``: ``step * ||g||^2 / -g.d``."""
    xp = ctx.xp
    along = -_dot(ctx.g, ctx.d)
    t = step * _dot(ctx.g, ctx.g) / xp.where(along != 0, along, 1.0)
    return xp.where((along != 0) & xp.isfinite(t), t, 0.0)


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
