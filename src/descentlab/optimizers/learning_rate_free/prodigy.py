"""Prodigy: Adam whose step size is an estimate of the distance to the solution."""

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


class ProdigyState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float
    s: np.ndarray | float
    x0: np.ndarray | float
    d: np.ndarray | float  # the estimate, one per start
    r: np.ndarray | float  # the weighted numerator of the estimate


@dataclass(frozen=True)
class Prodigy(Optimizer):
    """Prodigy (Mishchenko & Defazio, 2024): Adam with the step ``d(t) * lr``, ``d`` a running
    lower bound on the distance to the solution::

        dlr  = d lr sqrt(1 - beta2**t) / (1 - beta1**t)
        r    = beta3 r + (d / d0) dlr <g, x0 - x>
        s    = beta3 s + (d / d0) dlr g
        m    = beta1 m + (1 - beta1) d g,   v = beta2 v + (1 - beta2) d**2 g**2
        d    = max(d, d_coef r / ||s||_1)
        x    = x - dlr (m / (sqrt(v) + d eps) + weight_decay x)

    ``beta3`` defaults to ``sqrt(beta2)``. The sums are over a start's coordinates (through a
    bridge, over all its parameters). As ``optax.contrib.prodigy`` and ``prodigyopt``'s
    ``Prodigy(use_bias_correction=True)``.
    """

    name = "prodigy"
    couples_coordinates = True
    summary = "Adam with step d*lr, d = max(d, <g, x0 - x> / sum(abs(s))) estimated along the run"
    reference = (
        "Mishchenko & Defazio, Prodigy: An Expeditiously Adaptive Parameter-Free Learner, ICML 2024"
    )

    step_size: float | np.ndarray | Schedule = hyperparameter(
        1.0, "multiplier lr of the estimated step", schedule=True)  # fmt: skip
    beta1: float | np.ndarray = hyperparameter(0.9, "decay of the first moment, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the second moment, in [0, 1)")
    beta3: float | np.ndarray | None = hyperparameter(None, "decay of r and s (sqrt(beta2))")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(v) (times d), >= 0")
    d0: float | np.ndarray = hyperparameter(1e-6, "the first estimate d, > 0")
    d_coef: float | np.ndarray = hyperparameter(1.0, "multiplier of each new estimate, > 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")
    safeguard_warmup: bool = hyperparameter(False, "leave lr out of s (for a warm-up)")

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       eps=check.non_negative, d0=check.positive, d_coef=check.positive,
                       weight_decay=check.non_negative, safeguard_warmup=check.flag)  # fmt: skip
        if self.beta3 is not None:
            self._validate(beta3=check.unit_interval)

    def init(self, x: np.ndarray) -> ProdigyState:
        return ProdigyState(0, 0.0, 0.0, 0.0, x, check.per_row(self.d0), 0.0)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        beta1, beta2 = check.per_row(self.beta1), check.per_row(self.beta2)
        beta3 = beta2**0.5 if self.beta3 is None else check.per_row(self.beta3)
        d, d0 = state.d, check.per_row(self.d0)
        dlr = d * value_at(self.step_size, t) * (1 - power(beta2, t)) ** 0.5 / (1 - power(beta1, t))
        r = beta3 * state.r + (d / d0) * dlr * dot(grad, state.x0 - x)
        s = beta3 * state.s + (d / d0) * (d if self.safeguard_warmup else dlr) * grad
        m = moving_average(state.m, d * grad, beta1)
        v = moving_average(state.v, (d * grad) ** 2, beta2)
        d_new = xp.maximum(d, estimate(check.per_row(self.d_coef) * r, total(xp.abs(s)), d))
        denominator = xp.sqrt(v) + d_new * check.per_row(self.eps)
        x_new = x - dlr * (m / denominator + check.per_row(self.weight_decay) * x)
        return x_new, ProdigyState(t, m, v, s, state.x0, d_new, r)
