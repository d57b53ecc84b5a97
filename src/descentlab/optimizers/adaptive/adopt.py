"""ADOPT: Adam with the second moment taken before the current gradient, and the momentum
of the normalized gradient."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace, power
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.optimizers._moments import at_first_step, moving_average
from descentlab.schedules import Schedule, step_size, value_at


class ADOPTState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float


@dataclass(frozen=True)
class ADOPT(Optimizer):
    """ADOPT (Taniguchi et al., NeurIPS 2024): converges with any ``beta2``::

        v(0) = g(0)**2                                           (the first step only sets v)
        m(t) = beta1 m(t-1) + (1 - beta1) clip(g(t) / max(sqrt(v(t-1)), eps), t**(1/4))
        x(t) = x(t-1) - alpha m(t)
        v(t) = beta2 v(t-1) + (1 - beta2) g(t)**2

    The current gradient is normalized by the second moment of the earlier ones, so the two are
    independent; ``clip`` bounds the normalized gradient by ``(t - 1)**(1/4)`` (the paper's
    stabilization). As ``optax.contrib.adopt``.
    """

    name = "adopt"
    summary = "m = EMA of clip(g / max(sqrt(v_prev), eps)); x = x - alpha m; then v = EMA of g^2"
    reference = "Taniguchi et al., ADOPT: Modified Adam Can Converge with Any beta2 with the Optimal Rate, NeurIPS 2024"  # noqa: E501

    alpha: float | np.ndarray | Schedule = hyperparameter(0.001, "step size alpha(t)",
                                                          schedule=True)  # fmt: skip
    beta1: float | np.ndarray = hyperparameter(0.9, "decay of the first moment, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.9999, "decay of the second moment, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-6, "floor of sqrt(v), >= 0")
    clip: bool = hyperparameter(True, "clip the normalized gradient at (t - 1)^(1/4)")

    def __post_init__(self) -> None:
        self._validate(alpha=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       eps=check.non_negative, clip=check.flag)  # fmt: skip

    def init(self, x: np.ndarray) -> ADOPTState:
        return ADOPTState(0, 0.0 * x, 0.0 * x)  # arrays: the first step reads sqrt(v)

    def step(self, x, grad, state):
        xp = namespace(grad)
        t = state.count + 1
        beta1, beta2 = check.per_row(self.beta1), check.per_row(self.beta2)
        normalized = grad / xp.maximum(xp.sqrt(state.v), check.per_row(self.eps))
        if self.clip:
            bound = power(float(state.count) if isinstance(state.count, int) else state.count,
                          0.25)  # fmt: skip
            normalized = xp.clip(normalized, -bound, bound)
        # the first step only sets v: its clip bound is 0, so m stays 0 and x stays
        m = at_first_step(state.count, 0.0 * grad, moving_average(state.m, normalized, beta1))
        v = at_first_step(state.count, grad**2, moving_average(state.v, grad**2, beta2))
        return x - value_at(self.alpha, t) * m, ADOPTState(t, m, v)
