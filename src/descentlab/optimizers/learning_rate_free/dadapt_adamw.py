"""D-Adaptation for AdamW: the step size estimated from the gradients' correlation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace, power
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import moving_average
from descentlab.optimizers.learning_rate_free._sums import dot, estimate, total
from descentlab.schedules import Schedule, step_size, value_at


class DAdaptAdamWState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float
    s: np.ndarray | float
    d: np.ndarray | float
    r: np.ndarray | float


@dataclass(frozen=True)
class DAdaptAdamW(Optimizer):
    """D-Adaptation for AdamW (Defazio & Mishchenko, 2023)::

        dlr = d lr sqrt(1 - beta2**t) / (1 - beta1**t),   b = sqrt(beta2)
        r   = b r + (1 - b) dlr <g, s / (sqrt(v) + eps)>       (v before this step)
        m   = beta1 m + (1 - beta1) dlr g,   v = beta2 v + (1 - beta2) g**2
        s   = b s + (1 - b) dlr g
        d   = max(d, r / ((1 - b) ||s||_1))
        x   = x - m / (sqrt(v) + eps) - weight_decay dlr x

    As ``optax.contrib.dadapt_adamw`` and ``dadaptation``'s ``DAdaptAdam(decouple=True,
    use_bias_correction=True)``; the sums are over a start's coordinates.
    """

    name = "dadapt-adamw"
    couples_coordinates = True
    summary = "AdamW with step d*lr, d = max(d, r / sum(abs(s))) from the gradients' correlation"
    reference = "Defazio & Mishchenko, Learning-Rate-Free Learning by D-Adaptation, ICML 2023"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        1.0, "multiplier lr of the estimated step", schedule=True)  # fmt: skip
    beta1: float | np.ndarray = hyperparameter(0.9, "decay of the first moment, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the second moment, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(v), >= 0")
    d0: float | np.ndarray = hyperparameter(1e-6, "the first estimate d, > 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       eps=check.non_negative, d0=check.positive,
                       weight_decay=check.non_negative)  # fmt: skip

    def init(self, x: np.ndarray) -> DAdaptAdamWState:
        zeros = 0.0 * x  # arrays: the first step reads sqrt(v)
        return DAdaptAdamWState(0, zeros, zeros, zeros, check.per_row(self.d0), 0.0)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        beta1, beta2, eps = (check.per_row(v) for v in (self.beta1, self.beta2, self.eps))
        b = beta2**0.5
        bc = (1 - power(beta2, t)) ** 0.5 / (1 - power(beta1, t))
        dlr = state.d * value_at(self.step_size, t) * bc
        r = b * state.r + (1 - b) * dlr * dot(grad, state.s / (xp.sqrt(state.v) + eps))
        m = moving_average(state.m, dlr * grad, beta1)
        v = moving_average(state.v, grad**2, beta2)
        s = moving_average(state.s, dlr * grad, b)
        d = xp.maximum(state.d, estimate(r, (1 - b) * total(xp.abs(s)), state.d))
        x_new = x - m / (xp.sqrt(v) + eps) - check.per_row(self.weight_decay) * dlr * x
        return x_new, DAdaptAdamWState(t, m, v, s, d, r)
