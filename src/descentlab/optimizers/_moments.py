"""The pieces the Adam family shares: moving averages, bias correction, weight decay.

Each is written once here and used by every optimizer that needs it, so that "Adam's first
moment" means the same arithmetic in Adam, AdamW, Nadam, RAdam, AMSGrad and AdaBelief.
"""

from __future__ import annotations

import numpy as np

from descentlab._namespace import power
from descentlab._validation import Hyper, per_row


def moving_average(average, value, beta: Hyper):
    """The exponential moving average ``beta * average + (1 - beta) * value``."""
    return beta * average + (1.0 - beta) * value


def bias_correction(beta: Hyper, t: int) -> Hyper:
    """``1 - beta**t``: what an average started at 0 must be divided by after ``t`` steps."""
    return 1.0 - power(beta, t)


def with_l2(grad: np.ndarray, x: np.ndarray, weight_decay: Hyper) -> np.ndarray:
    """The gradient of ``f(x) + weight_decay/2 * ||x||**2`` (coupled weight decay, as in
    PyTorch's ``weight_decay`` argument); the gradient itself when ``weight_decay`` is 0."""
    if isinstance(weight_decay, float) and weight_decay == 0.0:
        return grad
    return grad + per_row(weight_decay) * x


def at_first_step(count, first, later):
    """``first`` at the first step (``count`` 0), else ``later``: in a compiled run the count
    is traced, and both are computed and one chosen in place."""
    if isinstance(count, int | np.integer):
        return first if count == 0 else later
    from descentlab._namespace import namespace

    return namespace(first).where(count == 0, first, later)
