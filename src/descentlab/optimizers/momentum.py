"""Gradient descent with momentum, in the tutorial's form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab._validation import per_row
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.schedules import Schedule, coefficient, step_size, value_at


class MomentumState(NamedTuple):
    count: int
    change: np.ndarray | float


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Gradient descent with momentum (heavy ball), the step size inside the buffer::

        change(t) = step_size(t) * g(t) + momentum * change(t-1),   change(0) = 0
        x(t)      = x(t-1) - change(t)

    This is the first tutorial's form. PyTorch's ``SGD(momentum=mu)`` keeps the learning rate
    outside the buffer (``b = mu * b + g``, ``x = x - lr * b``); with a constant step size the
    two give the same iterates. ``momentum=0`` equals :class:`GradientDescent` bit for bit.

    Reference: Polyak, "Some methods of speeding up the convergence of iteration methods" (1964).
    """

    name = "momentum"
    summary = "change = step_size * g + momentum * change; x = x - change"
    reference = "Polyak (1964), USSR Comput. Math. & Math. Phys. 4(5)"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        0.1, "step size (learning rate)", schedule=True
    )
    momentum: float | np.ndarray | Schedule = hyperparameter(
        0.9, "weight of the previous change, in [0, 1)"
    )

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, momentum=coefficient)

    def init(self, x: np.ndarray) -> MomentumState:
        return MomentumState(count=0, change=0.0)

    def step(self, x, grad, state):
        t = state.count + 1
        change = value_at(self.step_size, t) * grad + value_at(self.momentum, t) * state.change
        return x - change, MomentumState(t, change)

    def scale_update(self, state, t):
        return MomentumState(state.count, state.change * per_row(t))
