"""Gradient descent with momentum, in the tutorial's form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._validation import per_row
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.schedules import Schedule, coefficient, step_size, value_at

#: What a momentum buffer keeps: the steps (the step size inside) or the gradients (outside).
BUFFERS = ("step", "gradient")


class MomentumState(NamedTuple):
    count: int
    change: np.ndarray | float


@dataclass(frozen=True)
class Momentum(Optimizer):
    """Gradient descent with momentum (heavy ball), the step size inside the buffer::

        change(t) = step_size(t) * g(t) + momentum * change(t-1),   change(0) = 0
        x(t)      = x(t-1) - change(t)

    This is the first tutorial's form (``buffer="step"``). PyTorch's ``SGD(momentum=mu)`` and
    optax keep the learning rate outside the buffer, ``buffer="gradient"``::

        change(t) = g(t) + momentum * change(t-1),   x(t) = x(t-1) - step_size(t) * change(t)

    With a constant step size the two give the same iterates; when the step size changes (a
    schedule, a learning-rate scheduler) they differ: ``"step"`` keeps the old steps' sizes in
    its memory, ``"gradient"`` applies today's step size to the whole buffer.
    ``momentum=0`` equals :class:`GradientDescent` bit for bit.

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
    buffer: str = hyperparameter(
        "step",
        "what the buffer keeps: steps (the tutorial) or gradients (PyTorch, optax)",
        choices=BUFFERS,
        added=True,
    )

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, momentum=coefficient,
                       buffer=lambda name, value: check.one_of(name, value, BUFFERS))  # fmt: skip

    def init(self, x: np.ndarray) -> MomentumState:
        return MomentumState(count=0, change=0.0)

    def step(self, x, grad, state):
        t = state.count + 1
        lr, mu = value_at(self.step_size, t), value_at(self.momentum, t)
        if self.buffer == "gradient":
            change = grad + mu * state.change
            return x - lr * change, MomentumState(t, change)
        change = lr * grad + mu * state.change
        return x - change, MomentumState(t, change)

    def scale_update(self, state, t):
        return MomentumState(state.count, state.change * per_row(t))
