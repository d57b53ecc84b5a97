"""Schedule-free SGD: gradients at an interpolation, users at an average of the iterates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers.schedule_free._averaging import (
    average_weight,
    checks,
    interpolated,
    warmed_step,
)
from descentlab.schedules import Schedule, step_size


class ScheduleFreeState(NamedTuple):
    count: int
    z: np.ndarray | float  # the base method's iterate
    x: np.ndarray | float  # the average users evaluate
    lr_max: np.ndarray | float
    weight_sum: np.ndarray | float


@dataclass(frozen=True)
class ScheduleFreeSGD(Optimizer):
    """Schedule-free SGD (Defazio et al., 2024): no schedule, an average instead::

        y(t)   = beta x(t) + (1 - beta) z(t)            (the point the gradient is taken at)
        z(t+1) = z(t) - gamma(t) (g(y(t)) + weight_decay y(t))
        x(t+1) = (1 - c(t+1)) x(t) + c(t+1) z(t+1),   c = w(t) / sum of w,
        w(t)   = t**r max(gamma)**weight_lr_power

    ``gamma(t)`` rises linearly over ``warmup_steps``, then stays. The runner steps ``y``;
    users evaluate ``x``, which results, records and pictures show (the bridges' ``eval()``).
    As ``schedulefree``'s ``SGDScheduleFreeReference``.
    """

    name = "schedule-free-sgd"
    summary = "z = z - gamma g(y); x = average of z weighted by gamma^2; y = beta x + (1-beta) z"
    reference = "Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, The Road Less Scheduled, 2024"

    step_size: float | np.ndarray | Schedule = hyperparameter(1.0, "step size gamma",
                                                              schedule=True)  # fmt: skip
    beta: float | np.ndarray = hyperparameter(0.9, "interpolation of x and z, in (0, 1)")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty on y, >= 0")
    warmup_steps: int = hyperparameter(0, "steps of the linear warm-up of gamma")
    r: float = hyperparameter(0.0, "power of t in the averaging weights, >= 0")
    weight_lr_power: float = hyperparameter(2.0, "power of max gamma in the weights, >= 0")

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, beta=check.in_range(0.0, 1.0),
                       weight_decay=check.non_negative, **checks())  # fmt: skip

    def init(self, x: np.ndarray) -> ScheduleFreeState:
        return ScheduleFreeState(0, x, x, 0.0, 0.0)

    def step(self, y, grad, state):
        t = state.count + 1
        gamma = warmed_step(self, "step_size", t)
        c, lr_max, weight_sum = average_weight(self, gamma, t, state)
        g = grad + check.per_row(self.weight_decay) * y
        z = state.z - gamma * g
        x = (1.0 - c) * state.x + c * z
        return interpolated(x, z, self.beta), ScheduleFreeState(t, z, x, lr_max, weight_sum)

    def evaluation_point(self, y, state):
        return state.x

    def gradient_point(self, x, state):
        return interpolated(state.x, state.z, self.beta)
