"""AMSGrad as its paper and the second tutorial write it (no bias correction)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace, power
from descentlab.optimizers._base import Optimizer, hyperparameter
from descentlab.schedules import Schedule, step_size, value_at

BETA1_DECAYS = ("power", "constant", "inverse")


class AMSGradState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float
    vhat: np.ndarray | float


@dataclass(frozen=True)
class AMSGrad(Optimizer):
    """AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018)::

        m(t)    = beta1(t) * m(t-1) + (1 - beta1(t)) * g(t)
        v(t)    = beta2 * v(t-1) + (1 - beta2) * g(t)**2
        vhat(t) = max(vhat(t-1), v(t))
        x(t)    = x(t-1) - alpha(t) * m(t) / (sqrt(vhat(t)) + eps)

    with ``m``, ``v`` and ``vhat`` starting at 0 and ``t`` counting from 1. ``beta1_decay``
    chooses ``beta1(t)``: ``"power"`` is ``beta1 ** t`` (the tutorial's choice, the default),
    ``"constant"`` is ``beta1``, ``"inverse"`` is ``beta1 / t``. There is no bias correction,
    as in the paper; PyTorch's ``Adam(amsgrad=True)`` differs in that.
    """

    name = "amsgrad"
    summary = (
        "m = b1(t)*m + (1-b1(t))*g; v = b2*v + (1-b2)*g^2; vhat = max(vhat, v); "
        "x = x - alpha*m/(sqrt(vhat)+eps)"
    )
    reference = "Reddi, Kale & Kumar, On the Convergence of Adam and Beyond, ICLR 2018"

    alpha: float | np.ndarray | Schedule = hyperparameter(
        0.002, "step size alpha(t)", schedule=True
    )
    beta1: float | np.ndarray = hyperparameter(0.9, "decay of the first moment, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the second moment, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(vhat), >= 0")
    beta1_decay: str = hyperparameter(
        "power", "beta1(t): power (beta1**t), constant, or inverse (beta1/t)", choices=BETA1_DECAYS
    )

    def __post_init__(self) -> None:
        self._validate(alpha=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       eps=check.non_negative)  # fmt: skip
        check.one_of("beta1_decay", self.beta1_decay, BETA1_DECAYS)

    def init(self, x: np.ndarray) -> AMSGradState:
        return AMSGradState(count=0, m=0.0, v=0.0, vhat=0.0)

    def beta1_at(self, t: int) -> float | np.ndarray:
        """``beta1(t)``, ready to broadcast over ``(..., d)``."""
        beta1 = self.beta1
        if self.beta1_decay == "power":
            beta1 = power(beta1, t)
        elif self.beta1_decay == "inverse":
            beta1 = beta1 / t
        return check.per_row(beta1)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        alpha = value_at(self.alpha, t)
        beta1, beta2 = self.beta1_at(t), check.per_row(self.beta2)
        g = grad
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * g**2
        vhat = xp.maximum(state.vhat, v)
        x = x - alpha * m / (xp.sqrt(vhat) + check.per_row(self.eps))
        return x, AMSGradState(t, m, v, vhat)
