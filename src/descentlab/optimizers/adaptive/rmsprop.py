"""RMSProp, with optional momentum and the centered form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import moving_average, with_l2
from descentlab.schedules import Schedule, coefficient, step_size, value_at


class RMSPropState(NamedTuple):
    count: int
    v: np.ndarray | float
    mean_g: np.ndarray | float
    buffer: np.ndarray | float


@dataclass(frozen=True)
class RMSProp(Optimizer):
    """RMSProp (Hinton, Neural Networks for Machine Learning, lecture 6e, 2012)::

        v(t)    = decay * v(t-1) + (1 - decay) * g(t)**2
        gbar(t) = decay * gbar(t-1) + (1 - decay) * g(t)          (centered only)
        s(t)    = sqrt(v(t) - gbar(t)**2) + eps   if centered else   sqrt(v(t)) + eps
        b(t)    = momentum * b(t-1) + g(t) / s(t)
        x(t)    = x(t-1) - step_size(t) * b(t)

    With ``momentum=0`` the step is ``step_size * g / s``. This is PyTorch's ``RMSprop``
    (its ``alpha`` is ``decay``) and optax's ``rmsprop(..., eps_in_sqrt=False)``.
    """

    name = "rmsprop"
    summary = "v = decay*v + (1-decay)*g^2; b = momentum*b + g/(sqrt(v)+eps); x = x - step_size*b"
    reference = "Hinton, Srivastava & Swersky, Neural Networks for ML, lecture 6e (2012)"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        0.01, "step size (learning rate)", schedule=True
    )
    decay: float | np.ndarray = hyperparameter(0.99, "decay of the mean square, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to the root mean square, >= 0")
    momentum: float | np.ndarray | Schedule = hyperparameter(
        0.0, "weight of the previous step, in [0, 1)"
    )
    centered: bool = hyperparameter(False, "divide by the standard deviation of g, not its RMS")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to the gradient")

    def __post_init__(self) -> None:
        self._validate(
            step_size=step_size,
            decay=check.unit_interval,
            eps=check.non_negative,
            momentum=coefficient,
            centered=check.flag,
            weight_decay=check.non_negative,
        )

    def init(self, x: np.ndarray) -> RMSPropState:
        return RMSPropState(0, 0.0, 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        decay = value_at(self.decay, t)
        g = with_l2(grad, x, self.weight_decay)
        v = moving_average(state.v, g**2, decay)
        if self.centered:
            mean_g = moving_average(state.mean_g, g, decay)
            scale = xp.sqrt(v - mean_g**2) + value_at(self.eps, t)
        else:
            mean_g = state.mean_g
            scale = xp.sqrt(v) + value_at(self.eps, t)
        buffer = value_at(self.momentum, t) * state.buffer + g / scale
        x = x - value_at(self.step_size, t) * buffer
        return x, RMSPropState(t, v, mean_g, buffer)
