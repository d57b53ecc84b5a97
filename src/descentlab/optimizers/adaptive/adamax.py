"""AdaMax: Adam with the infinity norm in place of the root mean square."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab._namespace import namespace
from descentlab.optimizers._base import hyperparameter
from descentlab.optimizers._moments import bias_correction, moving_average, with_l2
from descentlab.optimizers.adaptive.adam import Adam
from descentlab.schedules import Schedule, value_at


class AdaMaxState(NamedTuple):
    count: int
    m: np.ndarray | float
    u: np.ndarray | float


@dataclass(frozen=True)
class AdaMax(Adam):
    """AdaMax (Kingma & Ba, ICLR 2015, section 7.1)::

        m(t) = beta1 * m(t-1) + (1 - beta1) * g(t)
        u(t) = max(beta2 * u(t-1), |g(t)| + eps)
        x(t) = x(t-1) - alpha(t) / (1 - beta1**t) * m(t) / u(t)

    The paper has no ``eps``; PyTorch's ``Adamax`` and optax's ``adamax`` add it to ``|g|``
    as here, so that ``u`` is never 0.
    """

    name = "adamax"
    summary = "m = EMA of g; u = max(beta2*u, abs(g)+eps); x = x - alpha/(1-beta1^t) * m/u"
    reference = "Kingma & Ba, Adam: A Method for Stochastic Optimization, ICLR 2015, sec. 7.1"

    alpha: float | np.ndarray | Schedule = hyperparameter(
        0.002, "step size alpha(t)", schedule=True
    )
    beta2: float | np.ndarray = hyperparameter(0.999, "decay of the infinity norm, in [0, 1)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to abs(g), >= 0")

    def init(self, x: np.ndarray) -> AdaMaxState:
        return AdaMaxState(0, 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        beta1 = value_at(self.beta1, t)
        g = with_l2(grad, x, self.weight_decay)
        m = moving_average(state.m, g, beta1)
        u = xp.maximum(value_at(self.beta2, t) * state.u, xp.abs(g) + value_at(self.eps, t))
        x = x - value_at(self.alpha, t) / bias_correction(beta1, t) * m / u
        return x, AdaMaxState(t, m, u)
