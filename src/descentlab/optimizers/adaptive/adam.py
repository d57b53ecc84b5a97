"""Adam: momentum on the gradient, scaled by a moving root mean square, both bias-corrected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import bias_correction, moving_average, with_l2
from descentlab.schedules import Schedule, step_size, value_at


class AdamState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam (Kingma & Ba, ICLR 2015)::

        m(t) = beta1 * m(t-1) + (1 - beta1) * g(t)
        v(t) = beta2 * v(t-1) + (1 - beta2) * g(t)**2
        mhat = m(t) / (1 - beta1**t),   vhat = v(t) / (1 - beta2**t)
        x(t) = x(t-1) - alpha(t) * mhat / (sqrt(vhat) + eps)

    As PyTorch's ``Adam`` and optax's ``adam``. ``weight_decay`` adds ``weight_decay * x`` to
    the gradient (PyTorch's coupled L2 penalty); for decoupled decay use :class:`AdamW`.

    """

    name = "adam"
    summary = "m, v = EMAs of g, g^2; x = x - alpha * mhat / (sqrt(vhat) + eps), bias-corrected"
    reference = "Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015"

    alpha: float | np.ndarray | Schedule = hyperparameter(
        0.001, "step size alpha(t)", schedule=True
    )
    beta1: float | np.ndarray = hyperparameter(0.9, "decay of the first moment, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the second moment, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(vhat), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to the gradient")

    def __post_init__(self) -> None:
        self._validate(
            alpha=step_size,
            beta1=check.unit_interval,
            beta2=check.unit_interval,
            eps=check.non_negative,
            weight_decay=check.non_negative,
        )

    def init(self, x: np.ndarray) -> AdamState:
        return AdamState(0, 0.0, 0.0)

    def step(self, x, grad, state):
        t = state.count + 1
        direction, m, v = self._direction(with_l2(grad, x, self.weight_decay), state, t)
        return x - value_at(self.alpha, t) * direction, AdamState(t, m, v)

    def _moments(self, g, state, t):
        """Adam's moving averages ``m`` of ``g`` and ``v`` of ``g**2`` after step ``t``."""
        m = moving_average(state.m, g, value_at(self.beta1, t))
        v = moving_average(state.v, g**2, value_at(self.beta2, t))
        return m, v

    def _direction(self, g, state, t):
        """``mhat / (sqrt(vhat) + eps)`` and the new moments."""
        xp = namespace(g)
        m, v = self._moments(g, state, t)
        beta1 = value_at(self.beta1, t)
        mhat = m / bias_correction(beta1, t)
        if getattr(self, "nesterov", False):  # AdamW's option: optax's look-ahead
            mhat = beta1 * m / bias_correction(beta1, t + 1) + (1 - beta1) * g / bias_correction(
                beta1, t
            )
        vhat = v / bias_correction(value_at(self.beta2, t), t)
        return mhat / (xp.sqrt(vhat) + value_at(self.eps, t)), m, v
