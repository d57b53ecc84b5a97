"""Adadelta: step sizes from the ratio of two moving root mean squares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import moving_average, with_l2
from descentlab.schedules import Schedule, step_size, value_at


class AdadeltaState(NamedTuple):
    count: int
    mean_sq_grad: np.ndarray | float
    mean_sq_delta: np.ndarray | float


@dataclass(frozen=True)
class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012)::

        E[g^2](t)  = rho * E[g^2](t-1) + (1 - rho) * g(t)**2
        delta(t)   = sqrt(E[dx^2](t-1) + eps) / sqrt(E[g^2](t) + eps) * g(t)
        E[dx^2](t) = rho * E[dx^2](t-1) + (1 - rho) * delta(t)**2
        x(t)       = x(t-1) - step_size(t) * delta(t)

    The paper has no step size (``step_size=1``); PyTorch's ``Adadelta`` and optax's
    ``adadelta`` scale ``delta`` by a learning rate, as here.
    """

    name = "adadelta"
    summary = "delta = sqrt(E[dx^2]+eps)/sqrt(E[g^2]+eps)*g; x = x - step_size*delta"
    reference = "Zeiler, ADADELTA: An Adaptive Learning Rate Method, arXiv:1212.5701 (2012)"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        1.0, "step size (learning rate)", schedule=True
    )
    rho: float | np.ndarray = hyperparameter(0.9, "decay of both averages, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-6, "added inside both square roots, >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to the gradient")

    def __post_init__(self) -> None:
        self._validate(
            step_size=step_size,
            rho=check.unit_interval,
            eps=check.non_negative,
            weight_decay=check.non_negative,
        )

    def init(self, x: np.ndarray) -> AdadeltaState:
        return AdadeltaState(0, 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        rho, eps = value_at(self.rho, t), value_at(self.eps, t)
        g = with_l2(grad, x, self.weight_decay)
        mean_sq_grad = moving_average(state.mean_sq_grad, g**2, rho)
        delta = namespace(state.mean_sq_delta).sqrt(state.mean_sq_delta + eps) / xp.sqrt(
            mean_sq_grad + eps) * g  # (the first step's mean_sq_delta is the number 0)  # fmt: skip
        mean_sq_delta = moving_average(state.mean_sq_delta, delta**2, rho)
        x = x - value_at(self.step_size, t) * delta
        return x, AdadeltaState(t, mean_sq_grad, mean_sq_delta)
