"""D-Adaptation for SGD: gradient descent whose step size is a lower bound on the distance
to the solution, from the gradients' correlation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers.learning_rate_free._sums import dot, estimate, norm
from descentlab.schedules import Schedule, step_size, value_at


class DAdaptSGDState(NamedTuple):
    count: int
    s: np.ndarray | float
    x0: np.ndarray | float
    d: np.ndarray | float
    r: np.ndarray | float
    g0_norm: np.ndarray | float


@dataclass(frozen=True)
class DAdaptSGD(Optimizer):
    """D-Adaptation for SGD (Defazio & Mishchenko, 2023), dual averaging with momentum::

        dlr = d lr / ||g(0)||,   g = gradient + weight_decay x
        r   = r + dlr <g, s>,     s = s + dlr g
        d   = max(d, 2 r / ||s||)
        z   = x0 - s,            x = momentum x + (1 - momentum) z

    As ``dadaptation``'s ``DAdaptSGD``; the sums are over a start's coordinates.
    """

    name = "dadapt-sgd"
    couples_coordinates = True
    summary = "dual averaging with step d*lr/norm(g0), d = max(d, 2 <g, s> / norm(s))"
    reference = "Defazio & Mishchenko, Learning-Rate-Free Learning by D-Adaptation, ICML 2023"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        1.0, "multiplier lr of the estimated step", schedule=True)  # fmt: skip
    momentum: float | np.ndarray = hyperparameter(0.0, "weight of the previous point, in [0, 1)")
    d0: float | np.ndarray = hyperparameter(1e-6, "the first estimate d, > 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to g, >= 0")

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, momentum=check.unit_interval, d0=check.positive,
                       weight_decay=check.non_negative)  # fmt: skip

    def init(self, x: np.ndarray) -> DAdaptSGDState:
        return DAdaptSGDState(0, 0.0, x, check.per_row(self.d0), 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        g = grad + check.per_row(self.weight_decay) * x
        # the first gradient's norm scales every step; a start whose first gradient is 0 (a
        # stationary point) does not move and waits for one that is not
        g0_norm = xp.where(state.g0_norm > 0, state.g0_norm, norm(g))
        dlr = xp.where(
            g0_norm > 0,
            state.d * value_at(self.step_size, t) / xp.where(g0_norm > 0, g0_norm, 1.0),
            0.0,
        )
        r = state.r + dlr * dot(g, state.s)
        s = state.s + dlr * g
        d = xp.maximum(state.d, estimate(2 * r, norm(s), state.d))
        mu = check.per_row(self.momentum)
        x_new = mu * x + (1 - mu) * (state.x0 - s)
        return x_new, DAdaptSGDState(t, s, state.x0, d, r, g0_norm)
