"""AdamW: Adam with weight decay taken out of the gradient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab import _validation as check
from descentlab.optimizers._base import hyperparameter
from descentlab.optimizers.adaptive.adam import Adam, AdamState
from descentlab.schedules import value_at


@dataclass(frozen=True)
class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, ICLR 2019): Adam on the raw gradient, plus a decay of ``x``::

        x(t) = x(t-1) - alpha(t) * (mhat / (sqrt(vhat) + eps) + weight_decay * x(t-1))

    with ``mhat`` and ``vhat`` as in :class:`Adam`. As PyTorch's ``AdamW`` (which first
    multiplies ``x`` by ``1 - lr * weight_decay``) and optax's ``adamw``; the paper's separate
    schedule multiplier is the step size's schedule here. ``nesterov=True`` is optax's
    ``adamw(nesterov=True)``: ``mhat = beta1 m / (1 - beta1**(t+1)) + (1 - beta1) g /
    (1 - beta1**t)``, the next step's momentum with today's gradient.
    """

    name = "adamw"
    summary = "Adam on g; x = x - alpha * (mhat/(sqrt(vhat)+eps) + weight_decay * x)"
    reference = "Loshchilov & Hutter, Decoupled Weight Decay Regularization, ICLR 2019"

    weight_decay: float | np.ndarray = hyperparameter(0.01, "decoupled decay of x, >= 0")
    nesterov: bool = hyperparameter(False, "Nesterov's look-ahead in mhat (optax's form)",
                                    added=True)  # fmt: skip

    def __post_init__(self) -> None:
        super().__post_init__()
        self._validate(weight_decay=check.non_negative, nesterov=check.flag)

    def step(self, x, grad, state):
        t = state.count + 1
        direction, m, v = self._direction(grad, state, t)
        decay = check.per_row(self.weight_decay) * x
        return x - value_at(self.alpha, t) * (direction + decay), AdamState(t, m, v)
