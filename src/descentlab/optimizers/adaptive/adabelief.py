"""AdaBelief: Adam that divides by how far g strays from its own moving average."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab._namespace import namespace
from descentlab.optimizers._base import hyperparameter
from descentlab.optimizers._moments import bias_correction, moving_average, with_l2
from descentlab.optimizers.adaptive.adam import Adam, AdamState
from descentlab.schedules import value_at


@dataclass(frozen=True)
class AdaBelief(Adam):
    """AdaBelief (Zhuang et al., NeurIPS 2020)::

        m(t) = beta1 * m(t-1) + (1 - beta1) * g(t)
        s(t) = beta2 * s(t-1) + (1 - beta2) * (g(t) - m(t))**2 + eps
        x(t) = x(t-1) - alpha(t) * mhat / (sqrt(shat) + eps)     (bias-corrected as in Adam)

    The paper's form, with the one ``eps`` in both places; optax's ``adabelief(eps=e,
    eps_root=e)`` is the same (its defaults are both 1e-16).
    """

    name = "adabelief"
    summary = "Adam with s = EMA of (g - m)^2 + eps in place of v"
    reference = "Zhuang et al., AdaBelief Optimizer, NeurIPS 2020"

    eps: float | np.ndarray = hyperparameter(1e-16, "added to s and to sqrt(shat), >= 0")

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        beta1, beta2 = value_at(self.beta1, t), value_at(self.beta2, t)
        eps = value_at(self.eps, t)
        g = with_l2(grad, x, self.weight_decay)
        m = moving_average(state.m, g, beta1)
        s = moving_average(state.v, (g - m) ** 2, beta2) + eps
        mhat = m / bias_correction(beta1, t)
        shat = s / bias_correction(beta2, t)
        return x - value_at(self.alpha, t) * mhat / (xp.sqrt(shat) + eps), AdamState(t, m, s)
