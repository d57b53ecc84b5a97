"""The optimizers, one per module, and the registry that names them.

The family tree, each a step from the one before: gradient descent, momentum and Nesterov;
AdaGrad, RMSProp and Adadelta (per-coordinate scaling); Adam and its relatives (AdamW,
AdaMax, Nadam, RAdam, the three AMSGrads, Yogi, AdaBelief); and Lion.
"""

from __future__ import annotations

from typing import Any

from descentlab.optimizers._base import HyperparameterInfo, Optimizer
from descentlab.optimizers.adabelief import AdaBelief
from descentlab.optimizers.adadelta import Adadelta, AdadeltaState
from descentlab.optimizers.adagrad import AdaGrad, AdaGradState
from descentlab.optimizers.adam import Adam, AdamState
from descentlab.optimizers.adamax import AdaMax, AdaMaxState
from descentlab.optimizers.adamw import AdamW
from descentlab.optimizers.amsgrad import AMSGrad, AMSGradState
from descentlab.optimizers.amsgrad_bias_corrected import (
    AMSGradMaxState,
    AMSGradOptax,
    AMSGradPyTorch,
)
from descentlab.optimizers.gradient_descent import GradientDescent, GradientDescentState
from descentlab.optimizers.lion import Lion, LionState
from descentlab.optimizers.momentum import Momentum, MomentumState
from descentlab.optimizers.nadam import Nadam, NadamState
from descentlab.optimizers.nesterov import Nesterov, NesterovState
from descentlab.optimizers.radam import RAdam
from descentlab.optimizers.rmsprop import RMSProp, RMSPropState
from descentlab.optimizers.yogi import Yogi

OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (
        GradientDescent,
        Momentum,
        Nesterov,
        AdaGrad,
        RMSProp,
        Adadelta,
        Adam,
        AdamW,
        AdaMax,
        Nadam,
        RAdam,
        AMSGrad,
        AMSGradPyTorch,
        AMSGradOptax,
        Yogi,
        AdaBelief,
        Lion,
    )
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
    "AMSGradMaxState",
    "AMSGradOptax",
    "AMSGradPyTorch",
    "AMSGradState",
    "AdaBelief",
    "AdaGrad",
    "AdaGradState",
    "AdaMax",
    "AdaMaxState",
    "Adadelta",
    "AdadeltaState",
    "Adam",
    "AdamState",
    "AdamW",
    "GradientDescent",
    "GradientDescentState",
    "HyperparameterInfo",
    "Lion",
    "LionState",
    "Momentum",
    "MomentumState",
    "Nadam",
    "NadamState",
    "Nesterov",
    "NesterovState",
    "Optimizer",
    "RAdam",
    "RMSProp",
    "RMSPropState",
    "Yogi",
    "get_optimizer",
]
