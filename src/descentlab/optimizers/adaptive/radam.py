"""RAdam: Adam with its adaptive step switched on only once the variance is tractable."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab._namespace import is_number, namespace, power
from descentlab.optimizers._moments import bias_correction, with_l2
from descentlab.optimizers.adaptive.adam import Adam, AdamState
from descentlab.schedules import value_at


@dataclass(frozen=True)
class RAdam(Adam):
    """Rectified Adam (Liu et al., ICLR 2020)::

        m, v as in Adam;   mhat = m(t) / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1,   rho(t) = rho_inf - 2 t beta2**t / (1 - beta2**t)
        if rho(t) > 5:  r(t) = sqrt((rho-4)(rho-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho))
                        x(t) = x(t-1) - alpha(t) * r * mhat * sqrt(1-beta2**t) / (sqrt(v) + eps)
        else:           x(t) = x(t-1) - alpha(t) * mhat

    As PyTorch's ``RAdam`` (``eps`` added to ``sqrt(v)`` before the bias correction). optax's
    ``radam`` adds ``eps`` to ``sqrt(vhat)`` and switches at ``rho >= 5``; with ``eps=0`` the two
    agree.
    """

    name = "radam"
    summary = "Adam with the variance rectification r(t); plain momentum SGD while rho(t) <= 5"
    reference = "Liu et al., On the Variance of the Adaptive Learning Rate and Beyond, ICLR 2020"

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        beta1, beta2 = value_at(self.beta1, t), value_at(self.beta2, t)
        m, v = self._moments(with_l2(grad, x, self.weight_decay), state, t)
        mhat = m / bias_correction(beta1, t)
        correction2 = bias_correction(beta2, t)
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        if isinstance(rho_inf, float):  # NumPy's division below: inf where Python's would raise
            rho_inf = np.float64(rho_inf)  # (beta2 = 1/3 makes rho_inf - 2 zero)
        rho = rho_inf - 2.0 * t * power(beta2, t) / correction2
        sx = namespace(rho)  # rho depends on beta2 and t only: NumPy for numbers
        with np.errstate(divide="ignore", invalid="ignore"):  # only used where rho > 5
            ratio = (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
            r = sx.sqrt(sx.maximum(ratio, 0.0))
        adaptive = r * sx.sqrt(correction2) / (xp.sqrt(v) + value_at(self.eps, t))
        if is_number(rho):  # one rectification for every coordinate (any array library)
            scale = adaptive if rho > 5.0 else 1.0
        else:
            scale = xp.where(rho > 5.0, adaptive, 1.0)
        return x - value_at(self.alpha, t) * mhat * scale, AdamState(t, m, v)
