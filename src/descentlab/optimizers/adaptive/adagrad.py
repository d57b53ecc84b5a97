"""AdaGrad: per-coordinate step sizes from the sum of squared gradients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import with_l2
from descentlab.schedules import Schedule, step_size, value_at


class AdaGradState(NamedTuple):
    count: int
    sum_sq: np.ndarray | float


@dataclass(frozen=True)
class AdaGrad(Optimizer):
    """AdaGrad (Duchi, Hazan & Singer, JMLR 2011), diagonal form::

        G(t) = G(t-1) + g(t)**2,                 G(0) = initial_accumulator
        x(t) = x(t-1) - step_size(t) * g(t) / (sqrt(G(t)) + eps)

    PyTorch's ``Adagrad(lr, lr_decay, ...)`` is this with the step size
    ``InverseTimeDecay(lr, rate=lr_decay)``. optax's ``adagrad`` puts ``eps`` inside the
    square root: ``optax.adagrad(lr, initial_accumulator_value=a, eps=e)`` is this with
    ``initial_accumulator=a + e`` and ``eps=0``.
    """

    name = "adagrad"
    summary = "G = G + g^2; x = x - step_size * g / (sqrt(G) + eps)"
    reference = "Duchi, Hazan & Singer, Adaptive Subgradient Methods, JMLR 12 (2011)"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        0.01, "step size (learning rate)", schedule=True
    )
    initial_accumulator: float | np.ndarray = hyperparameter(0.0, "G(0), >= 0")
    eps: float | np.ndarray = hyperparameter(1e-10, "added to sqrt(G), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to the gradient")

    def __post_init__(self) -> None:
        self._validate(
            step_size=step_size,
            initial_accumulator=check.non_negative,
            eps=check.non_negative,
            weight_decay=check.non_negative,
        )

    def init(self, x: np.ndarray) -> AdaGradState:
        return AdaGradState(0, check.per_row(self.initial_accumulator))

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        g = with_l2(grad, x, self.weight_decay)
        sum_sq = state.sum_sq + g**2
        x = x - value_at(self.step_size, t) * g / (xp.sqrt(sum_sq) + value_at(self.eps, t))
        return x, AdaGradState(t, sum_sq)
