"""Plain gradient descent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.schedules import Schedule, step_size, value_at


class GradientDescentState(NamedTuple):
    count: int


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    """Gradient descent: ``x(t) = x(t-1) - step_size(t) * g(t)``.

    The first tutorial's update (``solution = solution - step_size * gradient``).

    >>> import numpy as np
    >>> opt = GradientDescent(step_size=0.1)
    >>> x = np.array([1.0])
    >>> opt.step(x, 2 * x, opt.init(x))[0]
    array([0.8])
    """

    name = "gd"
    summary = "x = x - step_size * g"
    reference = "Cauchy (1847); Kochenderfer & Wheeler, Algorithms for Optimization (2019), ch. 5"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        0.1, "step size (learning rate)", schedule=True
    )

    def __post_init__(self) -> None:
        self._validate(step_size=step_size)

    def init(self, x: np.ndarray) -> GradientDescentState:
        return GradientDescentState(count=0)

    def step(self, x, grad, state):
        t = state.count + 1
        x = x - value_at(self.step_size, t) * grad
        return x, GradientDescentState(t)

    def scale_update(self, state, t):
        return state  # no memory: the next step starts afresh
