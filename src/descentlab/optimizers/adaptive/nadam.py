"""Nadam: Adam with Nesterov's look-ahead on the first moment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace, power
from descentlab.optimizers._base import hyperparameter
from descentlab.optimizers._moments import bias_correction, with_l2
from descentlab.optimizers.adaptive.adam import Adam
from descentlab.schedules import Schedule, value_at


class NadamState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float
    mu_product: np.ndarray | float


@dataclass(frozen=True)
class Nadam(Adam):
    """Nadam (Dozat, ICLR 2016 workshop), with the paper's momentum schedule::

        mu(t)  = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))
        P(t)   = mu(1) * ... * mu(t)
        m, v as in Adam;   s = sqrt(v(t) / (1 - beta2**t)) + eps
        x(t) = x(t-1) - alpha(t) * ((1 - mu(t)) / (1 - P(t)) * g(t)
                                    + mu(t+1) / (1 - P(t) * mu(t+1)) * m(t)) / s

    As PyTorch's ``NAdam``. optax's ``nadam`` is the simpler form without the schedule
    (Adam with ``mhat = beta1 * mhat(t+1) + (1 - beta1) * ghat``), a different optimizer.
    """

    name = "nadam"
    summary = "Adam whose step mixes g and m with Nesterov's look-ahead and a momentum schedule"
    reference = "Dozat, Incorporating Nesterov Momentum into Adam, ICLR 2016 workshop"

    alpha: float | np.ndarray | Schedule = hyperparameter(
        0.002, "step size alpha(t)", schedule=True
    )
    momentum_decay: float | np.ndarray = hyperparameter(
        0.004, "psi of the momentum schedule mu(t), >= 0"
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        self._validate(momentum_decay=check.non_negative)

    def init(self, x: np.ndarray) -> NadamState:
        return NadamState(0, 0.0, 0.0, 1.0)

    def momentum_at(self, t: int):
        """``mu(t)``, ready to broadcast over ``(..., d)``."""
        exponent = t * value_at(self.momentum_decay, t)
        return value_at(self.beta1, t) * (1.0 - 0.5 * power(0.96, exponent))

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        mu, mu_next = self.momentum_at(t), self.momentum_at(t + 1)
        mu_product = state.mu_product * mu
        g = with_l2(grad, x, self.weight_decay)
        m, v = self._moments(g, state, t)
        s = xp.sqrt(v / bias_correction(value_at(self.beta2, t), t)) + value_at(self.eps, t)
        mixed = (1.0 - mu) / (1.0 - mu_product) * g + mu_next / (1.0 - mu_product * mu_next) * m
        return x - value_at(self.alpha, t) * mixed / s, NadamState(t, m, v, mu_product)
