"""Adan: adaptive Nesterov momentum from the gradients and their differences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import at_first_step, bias_correction, moving_average
from descentlab.schedules import Schedule, step_size, value_at


class AdanState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float
    n: np.ndarray | float
    g_prev: np.ndarray | float


@dataclass(frozen=True)
class Adan(Optimizer):
    """Adan (Xie et al., 2022; TPAMI 2024), with the betas as the official code writes them
    (the paper's are ``1 - beta``)::

        d = g(t) - g(t-1)                              (0 at the first step)
        m = beta1 m + (1 - beta1) g
        v = beta2 v + (1 - beta2) d
        n = beta3 n + (1 - beta3) (g + beta2 d)**2
        x = (x - eta (mhat + beta2 vhat) / (sqrt(nhat) + eps)) / (1 + eta weight_decay)

    each moment bias-corrected. As the paper and the authors' code; ``pytorch-optimizer``'s
    ``Adan`` is its twin (optax's ``adan`` has a known wrong coefficient).
    """

    name = "adan"
    summary = "Nesterov momentum from g and g - g_prev, scaled by sqrt(nhat) of (g + beta2 d)^2"
    reference = "Xie, Zhou, Li, Lin & Yan, Adan: Adaptive Nesterov Momentum Algorithm, TPAMI 2024"

    eta: float | np.ndarray | Schedule = hyperparameter(0.001, "step size eta(t)", schedule=True)
    beta1: float | np.ndarray = hyperparameter(0.98, "decay of the gradients' EMA, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.92, "decay of the differences' EMA, in [0, 1)")
    beta3: float | np.ndarray = hyperparameter(0.99, "decay of the second moment, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(nhat), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "proximal decay of x, >= 0")

    def __post_init__(self) -> None:
        self._validate(eta=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       beta3=check.unit_interval, eps=check.non_negative,
                       weight_decay=check.non_negative)  # fmt: skip

    def init(self, x: np.ndarray) -> AdanState:
        return AdanState(0, 0.0, 0.0, 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        beta1, beta2, beta3 = (check.per_row(b) for b in (self.beta1, self.beta2, self.beta3))
        d = grad - at_first_step(state.count, grad, state.g_prev)
        m = moving_average(state.m, grad, beta1)
        v = moving_average(state.v, d, beta2)
        n = moving_average(state.n, (grad + beta2 * d) ** 2, beta3)
        mhat, vhat = m / bias_correction(beta1, t), v / bias_correction(beta2, t)
        denominator = xp.sqrt(n / bias_correction(beta3, t)) + check.per_row(self.eps)
        eta = value_at(self.eta, t)
        x_new = (x - eta * (mhat + beta2 * vhat) / denominator) / (
            1 + eta * check.per_row(self.weight_decay)
        )
        return x_new, AdanState(t, m, v, n, grad)
