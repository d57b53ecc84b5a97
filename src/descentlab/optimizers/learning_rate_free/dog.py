"""DoG: gradient descent whose step is the distance travelled over the gradients' size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers.learning_rate_free._sums import dot, norm
from descentlab.schedules import Schedule, step_size, value_at


class DoGState(NamedTuple):
    count: int
    x0: np.ndarray | float
    rbar: np.ndarray | float  # the largest distance from the start so far
    G: np.ndarray | float  # the sum of squared gradient norms


@dataclass(frozen=True)
class DoG(Optimizer):
    """DoG, "distance over gradients" (Ivgi, Hinder & Carmon, 2023)::

        rbar(t) = max(r_eps, max_{k <= t} ||x(k) - x(0)||),   r_eps = reps_rel (1 + ||x(0)||)
        G(t)    = sum_{k <= t} ||g(k)||**2
        x(t+1)  = x(t) - lr rbar(t) / sqrt(G(t) + eps) g(t),   g = gradient + weight_decay x

    As ``optax.contrib.dog`` (``init_step=("heuristic", reps_rel)``) and ``dog-optimizer``'s
    ``DoG``; the norms are over a start's coordinates.
    """

    name = "dog"
    couples_coordinates = True
    summary = "x = x - lr * max distance from x0 / sqrt(sum of norm(g)^2) * g"
    reference = "Ivgi, Hinder & Carmon, DoG is SGD's Best Friend: A Parameter-Free Dynamic Step Size Schedule, ICML 2023"  # noqa: E501

    step_size: float | np.ndarray | Schedule = hyperparameter(
        1.0, "multiplier lr of the step", schedule=True)  # fmt: skip
    reps_rel: float | np.ndarray = hyperparameter(1e-6, "first distance, relative to 1 + ||x0||")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to the sum of squared norms, >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to g, >= 0")

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, reps_rel=check.positive, eps=check.non_negative,
                       weight_decay=check.non_negative)  # fmt: skip

    def init(self, x: np.ndarray) -> DoGState:
        return DoGState(0, x, check.per_row(self.reps_rel) * (1 + norm(x)), 0.0)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        g = grad + check.per_row(self.weight_decay) * x
        rbar = xp.maximum(state.rbar, norm(x - state.x0))
        G = state.G + dot(g, g)
        eta = value_at(self.step_size, t) * rbar / xp.sqrt(G + check.per_row(self.eps))
        return x - eta * g, DoGState(t, state.x0, rbar, G)
