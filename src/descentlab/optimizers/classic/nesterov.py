"""Gradient descent with Nesterov's momentum, in the tutorial's form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import with_l2
from descentlab.optimizers.classic.momentum import BUFFERS
from descentlab.schedules import Schedule, coefficient, step_size, value_at


class NesterovState(NamedTuple):
    count: int
    change: np.ndarray | float


@dataclass(frozen=True)
class Nesterov(Optimizer):
    """Nesterov's accelerated gradient, written like the tutorial's momentum::

        change(t) = step_size(t) * g(t) + momentum * change(t-1),   change(0) = 0
        x(t)      = x(t-1) - (step_size(t) * g(t) + momentum * change(t))

    The step looks ahead along the new change instead of taking it. This is the form of
    Sutskever et al. (2013) that PyTorch's ``SGD(nesterov=True)`` and optax's
    ``sgd(nesterov=True)`` use; they keep the learning rate outside the buffer,
    ``buffer="gradient"`` (``b = mu * b + g``, ``x = x - lr * (g + mu * b)``), which gives the
    same iterates for a constant step size and differs when it changes (see
    :class:`~descentlab.optimizers.classic.momentum.Momentum`). ``weight_decay`` adds
    ``weight_decay * x`` to the gradient.
    """

    name = "nesterov"
    summary = "change = step_size*g + momentum*change; x = x - (step_size*g + momentum*change)"
    reference = "Nesterov (1983); Sutskever, Martens, Dahl & Hinton, ICML 2013"

    step_size: float | np.ndarray | Schedule = hyperparameter(
        0.1, "step size (learning rate)", schedule=True
    )
    momentum: float | np.ndarray | Schedule = hyperparameter(
        0.9, "weight of the previous change, in [0, 1)"
    )
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to the gradient")
    buffer: str = hyperparameter(
        "step",
        "what the buffer keeps: steps (the tutorial) or gradients (PyTorch, optax)",
        choices=BUFFERS,
        added=True,
    )

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, momentum=coefficient, weight_decay=check.non_negative,
                       buffer=lambda name, value: check.one_of(name, value, BUFFERS))  # fmt: skip

    def init(self, x: np.ndarray) -> NesterovState:
        return NesterovState(0, 0.0)

    def step(self, x, grad, state):
        t = state.count + 1
        lr, mu = value_at(self.step_size, t), value_at(self.momentum, t)
        g = with_l2(grad, x, self.weight_decay)
        if self.buffer == "gradient":
            change = g + mu * state.change
            return x - lr * (g + mu * change), NesterovState(t, change)
        change = lr * g + mu * state.change
        return x - (lr * g + mu * change), NesterovState(t, change)
