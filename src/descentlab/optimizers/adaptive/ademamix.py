"""AdEMAMix: Adam with a second, much slower moving average of the gradients mixed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import bias_correction, moving_average
from descentlab.schedules import Schedule, coefficient, step_size, value_at


class AdEMAMixState(NamedTuple):
    count: int
    m1: np.ndarray | float
    m2: np.ndarray | float
    v: np.ndarray | float


@dataclass(frozen=True)
class AdEMAMix(Optimizer):
    """AdEMAMix (Pagliardini, Ablin & Grangier, 2024): a fast and a slow EMA of the gradients::

        m1 = beta1 m1 + (1 - beta1) g,   m2 = beta3 m2 + (1 - beta3) g   (m2 not corrected)
        v  = beta2 v + (1 - beta2) g**2
        x  = x - eta ((m1hat + alpha m2) / (sqrt(vhat) + eps) + weight_decay x)

    ``beta3`` near 1 remembers gradients of thousands of steps ago; ``alpha`` and ``beta3``
    accept schedules (the paper warms them up). As ``optax.contrib.ademamix``.
    """

    name = "ademamix"
    summary = "Adam with (m1hat + alpha m2), m2 a slow EMA of g (beta3 ~ 0.9999)"
    reference = "Pagliardini, Ablin & Grangier, The AdEMAMix Optimizer: Better, Faster, Older, 2024"

    eta: float | np.ndarray | Schedule = hyperparameter(0.001, "step size eta(t)", schedule=True)
    beta1: float | np.ndarray = hyperparameter(0.9, "decay of the fast EMA, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the second moment, in [0, 1)")
    beta3: float | np.ndarray | Schedule = hyperparameter(0.9999, "decay of the slow EMA")
    alpha: float | np.ndarray | Schedule = hyperparameter(5.0, "weight of the slow EMA, >= 0")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(vhat), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")

    def __post_init__(self) -> None:
        self._validate(eta=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       beta3=coefficient, eps=check.non_negative,
                       weight_decay=check.non_negative)  # fmt: skip
        if not isinstance(self.alpha, Schedule):
            self._validate(alpha=check.non_negative)

    def init(self, x: np.ndarray) -> AdEMAMixState:
        return AdEMAMixState(0, 0.0, 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        beta1, beta2 = check.per_row(self.beta1), check.per_row(self.beta2)
        m1 = moving_average(state.m1, grad, beta1)
        m2 = moving_average(state.m2, grad, value_at(self.beta3, t))
        v = moving_average(state.v, grad**2, beta2)
        m1hat, vhat = m1 / bias_correction(beta1, t), v / bias_correction(beta2, t)
        direction = (m1hat + value_at(self.alpha, t) * m2) / (
            xp.sqrt(vhat) + check.per_row(self.eps)
        )
        x_new = x - value_at(self.eta, t) * (direction + check.per_row(self.weight_decay) * x)
        return x_new, AdEMAMixState(t, m1, m2, v)
