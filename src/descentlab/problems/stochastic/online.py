"""Online problems: a new loss ``f_t`` at every round, and the regret of the iterates.

At round ``t = 1, 2, ...`` the optimizer plays its point ``x_{t-1}`` (the start is played in
round 1), suffers ``f_t(x_{t-1})`` and is given ``grad f_t(x_{t-1})``. The regret after ``T``
rounds compares with the best fixed point in hindsight::

    R_T = sum_{t<=T} f_t(x_{t-1}) - min_{x in box} sum_{t<=T} f_t(x)

The problems here are linear, ``f_t(x) = c_t . x`` on a box, so the minimum in hindsight is at a
corner: ``min_x S . x = sum_j min(S_j lo_j, S_j hi_j)`` with ``S = sum_t c_t``. The problem's
``f`` is the average loss ``mean(c) . x`` (its expectation for a random sequence), so ``f - f*``
says how far a point is from the best one.

Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018):

- :func:`reddi_theorem1`: Theorem 1's sequence, ``f_t(x) = C x`` when ``t mod 3 == 1``, else
  ``-x``, on ``[-1, 1]`` with ``C > 2``. The theorem's Adam has ``beta1 = 0``,
  ``beta2 = 1 / (1 + C**2)`` and ``alpha_t = alpha / sqrt(t)``; it goes to ``x = +1``, the worst
  point, while the best is ``-1``.
- :func:`reddi_online`: Section 5's synthetic online problem, ``1010 x`` when
  ``t mod 101 == 1``, else ``-10 x``, on ``[-1, 1]``.
- :func:`reddi_stochastic`: its stochastic twin, ``1010 x`` with probability 0.01, else
  ``-10 x``, drawn per start from the run's seed.

Section 5 runs Adam and AMSGrad with ``beta1 = 0.9``, ``beta2 = 0.99`` and a step size decaying
as ``alpha / sqrt(t)`` (our reading of the paper; the experiments in
:mod:`descentlab.experiments` state the ``alpha`` they use).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.problem import Problem
from descentlab.problems.stochastic.streams import StartStreams

#: ``coefficients(t, uniform, n, d, xp) -> (n, d)``: the ``c_t`` of round ``t`` (a number, or a
#: traced one) for ``n`` starts, in the array namespace ``xp``; ``uniform(position, count)``
#: draws ``(n, count)`` numbers from each start's stream (None for a fixed sequence).
Coefficients = Callable[[object, object, int, int, object], object]


@dataclass(frozen=True)
class OnlineProblem(Problem):
    """A linear online problem ``f_t(x) = c_t . x``; ``random`` when ``c_t`` is drawn."""

    coefficients: Coefficients | None = None
    random: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.coefficients is None or self.bounds is None:
            raise ValueError("an online problem needs coefficients and bounds")


def linear_online(name: str, mean: float, coefficients: Coefficients, random: bool,
                  description: str) -> OnlineProblem:  # fmt: skip
    """A 1-D linear online problem on ``[-1, 1]`` whose average coefficient is ``mean``."""
    return OnlineProblem(
        f=lambda x: mean * x[..., 0],
        grad=lambda x: namespace(x).full_like(x, mean),
        bounds=[(-1.0, 1.0)],
        minimum=-abs(mean),
        minimizers=[[-float(np.sign(mean))]],
        name=name,
        vectorized=True,
        coefficients=coefficients,
        random=random,
        description=description,
    )


def reddi_theorem1(C: float = 3.0) -> OnlineProblem:
    """Theorem 1 of Reddi et al.: ``C x`` when ``t mod 3 == 1``, else ``-x`` (``C > 2``)."""
    if isinstance(C, bool) or not isinstance(C, numbers.Real) or not 2 < C < 1e6:
        raise ValueError(f"C must be a number in (2, 1e6), not {C!r}")

    def coefficients(t, uniform, n, d, xp):
        return xp.full((n, d), xp.where(t % 3 == 1, float(C), -1.0))

    about = f"Reddi et al. (2018), Theorem 1: {C:g} x when t mod 3 == 1, else -x"
    return linear_online("reddi-theorem1", (C - 2.0) / 3.0, coefficients, False, about)


def reddi_online() -> OnlineProblem:
    """Section 5 of Reddi et al.: ``1010 x`` when ``t mod 101 == 1``, else ``-10 x``."""

    def coefficients(t, uniform, n, d, xp):
        return xp.full((n, d), xp.where(t % 101 == 1, 1010.0, -10.0))

    about = "Reddi et al. (2018), Sec. 5: 1010 x when t mod 101 == 1, else -10 x"
    return linear_online("reddi-online", 10.0 / 101.0, coefficients, False, about)


def reddi_stochastic() -> OnlineProblem:
    """Section 5 of Reddi et al.: ``1010 x`` with probability 0.01, else ``-10 x``."""

    def coefficients(t, uniform, n, d, xp):
        big = uniform(t - 1, d) < 0.01
        return xp.where(big, 1010.0, -10.0)

    about = "Reddi et al. (2018), Sec. 5: 1010 x with probability 0.01, else -10 x"
    return linear_online("reddi-stochastic", 0.01 * 1010.0 - 0.99 * 10.0, coefficients, True, about)


ONLINE_PROBLEMS: dict[str, Callable[[], OnlineProblem]] = {
    "reddi-theorem1": reddi_theorem1,
    "reddi-online": reddi_online,
    "reddi-stochastic": reddi_stochastic,
}


@dataclass
class RegretTracker:
    """Losses, coefficient sums and regret of a run's starts, round by round."""

    problem: OnlineProblem
    streams: StartStreams | None
    batch_shape: tuple[int, ...]
    loss: np.ndarray = field(init=False)
    total: np.ndarray = field(init=False)
    rounds: int = 0

    def __post_init__(self) -> None:
        self.loss = np.zeros(self.batch_shape)
        self.total = np.zeros((*self.batch_shape, self.problem.dim))

    def play(self, x: np.ndarray, iteration: int) -> np.ndarray:
        """Round ``iteration + 1`` at the points ``x``: record the loss, return the gradient."""
        n = int(np.prod(self.batch_shape, dtype=int))
        uniform = None if self.streams is None else self.streams.uniform
        c = self.problem.coefficients(iteration + 1, uniform, n, x.shape[-1], np)
        c = c.reshape(x.shape)
        self.loss = self.loss + np.einsum("...i,...i->...", c, x)
        self.total = self.total + c
        self.rounds = iteration + 1
        return c

    @property
    def regret(self) -> np.ndarray:
        """``R_t`` after the rounds played so far (per start)."""
        lo, hi = self.problem.bounds[:, 0], self.problem.bounds[:, 1]
        best = np.minimum(self.total * lo, self.total * hi).sum(axis=-1)
        return self.loss - best
