"""Yogi: Adam whose second moment grows or shrinks by a bounded, additive amount."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import hyperparameter
from descentlab.optimizers._moments import bias_correction, moving_average, with_l2
from descentlab.optimizers.adaptive.adam import Adam, AdamState
from descentlab.schedules import Schedule, value_at


@dataclass(frozen=True)
class Yogi(Adam):
    """Yogi (Zaheer et al., NeurIPS 2018)::

        m(t) = beta1 * m(t-1) + (1 - beta1) * g(t)
        v(t) = v(t-1) - (1 - beta2) * sign(v(t-1) - g(t)**2) * g(t)**2
        x(t) = x(t-1) - alpha(t) * mhat / (sqrt(vhat) + eps)     (bias-corrected as in Adam)

    ``m`` and ``v`` both start at ``initial_accumulator``, as in optax's ``yogi``, whose
    defaults (``eps=1e-3``, ``1e-6``) follow the paper.
    """

    name = "yogi"
    summary = "Adam with v = v - (1-beta2)*sign(v - g^2)*g^2"
    reference = "Zaheer et al., Adaptive Methods for Nonconvex Optimization, NeurIPS 2018"

    alpha: float | np.ndarray | Schedule = hyperparameter(0.01, "step size alpha(t)", schedule=True)
    eps: float | np.ndarray = hyperparameter(1e-3, "added to sqrt(vhat), >= 0")
    initial_accumulator: float | np.ndarray = hyperparameter(1e-6, "m(0) and v(0), >= 0")

    def __post_init__(self) -> None:
        super().__post_init__()
        self._validate(initial_accumulator=check.non_negative)

    def init(self, x: np.ndarray) -> AdamState:
        start = check.per_row(self.initial_accumulator)
        return AdamState(0, start, start)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        beta1, beta2 = value_at(self.beta1, t), value_at(self.beta2, t)
        g = with_l2(grad, x, self.weight_decay)
        g2 = g**2
        m = moving_average(state.m, g, beta1)
        v = state.v - (1.0 - beta2) * xp.sign(state.v - g2) * g2
        mhat = m / bias_correction(beta1, t)
        vhat = v / bias_correction(beta2, t)
        x = x - value_at(self.alpha, t) * mhat / (xp.sqrt(vhat) + value_at(self.eps, t))
        return x, AdamState(t, m, v)
