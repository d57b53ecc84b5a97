"""The optimizers, one per module, and the registry that names them."""

from __future__ import annotations

from typing import Any

from descentlab.optimizers._base import HyperparameterInfo, Optimizer
from descentlab.optimizers.amsgrad import AMSGrad, AMSGradState
from descentlab.optimizers.gradient_descent import GradientDescent, GradientDescentState
from descentlab.optimizers.momentum import Momentum, MomentumState

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, AMSGrad)
}


def get_optimizer(name: str, **hyperparameters: Any) -> Optimizer:
    """The optimizer registered as ``name``, built with ``hyperparameters``.

    >>> get_optimizer("momentum", step_size=0.1, momentum=0.3)
    Momentum(step_size=0.1, momentum=0.3)
    """
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ValueError(f"optimizer must be one of {known}, not {name!r}") from None
    return cls(**hyperparameters)


__all__ = [
    "OPTIMIZERS",
    "AMSGrad",
    "AMSGradState",
    "GradientDescent",
    "GradientDescentState",
    "HyperparameterInfo",
    "Momentum",
    "MomentumState",
    "Optimizer",
    "get_optimizer",
]
