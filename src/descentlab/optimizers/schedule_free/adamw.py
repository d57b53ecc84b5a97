"""Schedule-free AdamW: Adam's scaling of the step, an average instead of a schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import bias_correction, moving_average
from descentlab.optimizers.schedule_free._averaging import (
    average_weight,
    checks,
    interpolated,
    warmed_step,
)
from descentlab.schedules import Schedule, step_size


class ScheduleFreeAdamWState(NamedTuple):
    count: int
    z: np.ndarray | float
    x: np.ndarray | float
    v: np.ndarray | float
    lr_max: np.ndarray | float
    weight_sum: np.ndarray | float


@dataclass(frozen=True)
class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW (Defazio et al., 2024), the winner of AlgoPerf's self-tuning track::

        y(t)   = beta1 x(t) + (1 - beta1) z(t)
        v(t)   = beta2 v(t-1) + (1 - beta2) g(y(t))**2,  vhat = v / (1 - beta2**t)
        z(t+1) = z(t) - gamma(t) (g / (sqrt(vhat) + eps) + weight_decay y(t))
        x(t+1) = (1 - c(t+1)) x(t) + c(t+1) z(t+1)        (c as in schedule-free SGD)

    Adam without its first moment: ``beta1`` is the interpolation that replaces momentum. The
    runner steps ``y``; users evaluate ``x``. As ``schedulefree``'s
    ``AdamWScheduleFreeReference`` (weight decay at ``y``).
    """

    name = "schedule-free-adamw"
    summary = "z = z - gamma g(y)/(sqrt(vhat)+eps); x = weighted average of z; y = mix of x, z"
    reference = "Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, The Road Less Scheduled, 2024"

    alpha: float | np.ndarray | Schedule = hyperparameter(0.0025, "step size gamma",
                                                          schedule=True)  # fmt: skip
    beta1: float | np.ndarray = hyperparameter(0.9, "interpolation of x and z, in (0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the second moment, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(vhat), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of z at y, >= 0")
    warmup_steps: int = hyperparameter(0, "steps of the linear warm-up of gamma")
    r: float = hyperparameter(0.0, "power of t in the averaging weights, >= 0")
    weight_lr_power: float = hyperparameter(2.0, "power of max gamma in the weights, >= 0")

    def __post_init__(self) -> None:
        self._validate(alpha=step_size, beta1=check.in_range(0.0, 1.0),
                       beta2=check.unit_interval, eps=check.non_negative,
                       weight_decay=check.non_negative, **checks())  # fmt: skip

    def init(self, x: np.ndarray) -> ScheduleFreeAdamWState:
        return ScheduleFreeAdamWState(0, x, x, 0.0, 0.0, 0.0)

    def step(self, y, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        gamma = warmed_step(self, "alpha", t)
        c, lr_max, weight_sum = average_weight(self, gamma, t, state)
        beta2 = check.per_row(self.beta2)
        v = moving_average(state.v, grad**2, beta2)
        vhat = v / bias_correction(beta2, t)
        z = state.z - gamma * check.per_row(self.weight_decay) * y
        z = z - gamma * grad / (xp.sqrt(vhat) + check.per_row(self.eps))
        x = (1.0 - c) * state.x + c * z
        return (interpolated(x, z, self.beta1),
                ScheduleFreeAdamWState(t, z, x, v, lr_max, weight_sum))  # fmt: skip

    def evaluation_point(self, y, state):
        return state.x

    def gradient_point(self, x, state):
        return interpolated(state.x, state.z, self.beta1)
