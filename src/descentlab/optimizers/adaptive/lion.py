"""Lion: the sign of an interpolated momentum, found by program search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import moving_average
from descentlab.schedules import Schedule, step_size, value_at


class LionState(NamedTuple):
    count: int
    m: np.ndarray | float


@dataclass(frozen=True)
class Lion(Optimizer):
    """Lion (Chen et al., NeurIPS 2023)::

        c(t) = beta1 * m(t-1) + (1 - beta1) * g(t)
        x(t) = x(t-1) - alpha(t) * (sign(c(t)) + weight_decay * x(t-1))
        m(t) = beta2 * m(t-1) + (1 - beta2) * g(t)

    Every coordinate moves by exactly ``alpha`` (plus the decoupled decay), so ``alpha`` is
    typically 3-10x smaller than Adam's. As optax's ``lion``.
    """

    name = "lion"
    summary = "x = x - alpha * (sign(beta1*m + (1-beta1)*g) + weight_decay*x); m = EMA of g"
    reference = "Chen et al., Symbolic Discovery of Optimization Algorithms, NeurIPS 2023"

    alpha: float | np.ndarray | Schedule = hyperparameter(
        0.0001, "step size alpha(t)", schedule=True
    )
    beta1: float | np.ndarray = hyperparameter(0.9, "weight of m in the step's sign, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.99, "decay of the momentum m, in [0, 1)")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")

    def __post_init__(self) -> None:
        self._validate(
            alpha=step_size,
            beta1=check.unit_interval,
            beta2=check.unit_interval,
            weight_decay=check.non_negative,
        )

    def init(self, x: np.ndarray) -> LionState:
        return LionState(0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        direction = xp.sign(moving_average(state.m, grad, value_at(self.beta1, t)))
        decay = check.per_row(self.weight_decay) * x
        x = x - value_at(self.alpha, t) * (direction + decay)
        return x, LionState(t, moving_average(state.m, grad, value_at(self.beta2, t)))
