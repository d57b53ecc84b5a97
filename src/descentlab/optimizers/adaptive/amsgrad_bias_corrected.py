"""AMSGrad as the libraries write it: Adam's bias correction plus a running maximum.

The paper's AMSGrad (:mod:`descentlab.optimizers.adaptive.amsgrad`) has no bias correction. The two
libraries add it in different places, so each form is named by what it matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab._namespace import namespace
from descentlab.optimizers._moments import bias_correction, with_l2
from descentlab.optimizers.adaptive.adam import Adam
from descentlab.schedules import value_at


class AMSGradMaxState(NamedTuple):
    count: int
    m: np.ndarray | float
    v: np.ndarray | float
    vmax: np.ndarray | float


@dataclass(frozen=True)
class AMSGradPyTorch(Adam):
    """AMSGrad as PyTorch's ``Adam(amsgrad=True)``.

    The maximum of the raw second moment, then bias correction::

        m, v as in Adam;  vmax(t) = max(vmax(t-1), v(t))
        x(t) = x(t-1) - alpha(t) * (m / (1 - beta1**t)) / (sqrt(vmax / (1 - beta2**t)) + eps)
    """

    name = "amsgrad-pytorch"
    summary = "Adam with vmax = max(vmax, v), then bias correction of m and vmax (PyTorch)"
    reference = "Reddi, Kale & Kumar, ICLR 2018; torch.optim.Adam(amsgrad=True)"

    def init(self, x: np.ndarray) -> AMSGradMaxState:
        return AMSGradMaxState(0, 0.0, 0.0, 0.0)

    def step(self, x, grad, state):
        xp = namespace(x)
        t = state.count + 1
        m, v = self._moments(with_l2(grad, x, self.weight_decay), state, t)
        correction2 = bias_correction(value_at(self.beta2, t), t)
        vmax, vhat = self._running_max(state.vmax, v, correction2)
        # alpha * mhat as PyTorch forms it, alpha / (1 - beta1**t) times m: one pass over the
        # coordinates fewer than dividing m first
        step = value_at(self.alpha, t) / bias_correction(value_at(self.beta1, t), t)
        x = x - step * m / (xp.sqrt(vhat) + value_at(self.eps, t))
        return x, AMSGradMaxState(t, m, v, vmax)

    @staticmethod
    def _running_max(vmax, v, correction):
        """The new running maximum, and the bias-corrected second moment the step divides by."""
        xp = namespace(v)
        vmax = xp.maximum(vmax, v)
        return vmax, vmax / correction


@dataclass(frozen=True)
class AMSGradOptax(AMSGradPyTorch):
    """AMSGrad as optax's ``amsgrad``.

    Bias correction of the second moment, then its maximum::

        m, v as in Adam;  vmax(t) = max(vmax(t-1), v(t) / (1 - beta2**t))
        x(t) = x(t-1) - alpha(t) * (m / (1 - beta1**t)) / (sqrt(vmax) + eps)

    The corrected early values are full-size (``v(1) / (1 - beta2) = g(1)**2``), so this
    maximum holds on to large early gradients that PyTorch's maximum of the raw, still small,
    ``v`` lets pass.
    """

    name = "amsgrad-optax"
    summary = "Adam with vmax = max(vmax, vhat) of the bias-corrected v (optax)"
    reference = "Reddi, Kale & Kumar, ICLR 2018; optax.amsgrad"

    @staticmethod
    def _running_max(vmax, v, correction):
        xp = namespace(v)
        vmax = xp.maximum(vmax, v / correction)
        return vmax, vmax
