"""The optimizers, one per module, and the registry that names them.

The family tree, each a step from the one before: gradient descent, momentum and Nesterov;
AdaGrad, RMSProp and Adadelta (per-coordinate scaling); Adam and its relatives (AdamW,
AdaMax, Nadam, RAdam, the three AMSGrads, Yogi, AdaBelief); and Lion.

A class is imported when it is first used (``OPTIMIZERS["adam"]``, ``optimizers.Adam``), so a
command that runs momentum does not import the sixteen others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from descentlab._lazy import LazyRegistry, attach, homes_of, public_dir
from descentlab.optimizers._base import HyperparameterInfo, Optimizer

_P = "descentlab.optimizers."
_HOMES = homes_of({
    _P + "adaptive.adabelief": "AdaBelief",
    _P + "adaptive.adadelta": "Adadelta AdadeltaState",
    _P + "adaptive.adagrad": "AdaGrad AdaGradState",
    _P + "adaptive.adam": "Adam AdamState",
    _P + "adaptive.adamax": "AdaMax AdaMaxState",
    _P + "adaptive.adamw": "AdamW",
    _P + "adaptive.amsgrad": "AMSGrad AMSGradState",
    _P + "adaptive.amsgrad_bias_corrected": "AMSGradMaxState AMSGradOptax AMSGradPyTorch",
    _P + "classic.gradient_descent": "GradientDescent GradientDescentState",
    _P + "adaptive.lion": "Lion LionState",
    _P + "classic.momentum": "Momentum MomentumState",
    _P + "adaptive.nadam": "Nadam NadamState",
    _P + "classic.nesterov": "Nesterov NesterovState",
    _P + "adaptive.radam": "RAdam",
    _P + "adaptive.rmsprop": "RMSProp RMSPropState",
    _P + "adaptive.yogi": "Yogi",
})  # fmt: skip
__getattr__ = attach(globals(), _HOMES)
__dir__ = public_dir(globals())

#: Every optimizer by its ``name``, in the order of the family tree.
OPTIMIZERS: LazyRegistry = LazyRegistry({
    name: _HOMES[cls] for name, cls in (
        ("gd", "GradientDescent"), ("momentum", "Momentum"), ("nesterov", "Nesterov"),
        ("adagrad", "AdaGrad"), ("rmsprop", "RMSProp"), ("adadelta", "Adadelta"),
        ("adam", "Adam"), ("adamw", "AdamW"), ("adamax", "AdaMax"), ("nadam", "Nadam"),
        ("radam", "RAdam"), ("amsgrad", "AMSGrad"), ("amsgrad-pytorch", "AMSGradPyTorch"),
        ("amsgrad-optax", "AMSGradOptax"), ("yogi", "Yogi"), ("adabelief", "AdaBelief"),
        ("lion", "Lion"),
    )
})  # fmt: skip


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


__all__ = sorted(["OPTIMIZERS", "HyperparameterInfo", "Optimizer", "get_optimizer", *_HOMES])

if TYPE_CHECKING:
    from descentlab.optimizers.adaptive.adabelief import AdaBelief
    from descentlab.optimizers.adaptive.adadelta import Adadelta, AdadeltaState
    from descentlab.optimizers.adaptive.adagrad import AdaGrad, AdaGradState
    from descentlab.optimizers.adaptive.adam import Adam, AdamState
    from descentlab.optimizers.adaptive.adamax import AdaMax, AdaMaxState
    from descentlab.optimizers.adaptive.adamw import AdamW
    from descentlab.optimizers.adaptive.amsgrad import AMSGrad, AMSGradState
    from descentlab.optimizers.adaptive.amsgrad_bias_corrected import (
        AMSGradMaxState,
        AMSGradOptax,
        AMSGradPyTorch,
    )
    from descentlab.optimizers.adaptive.lion import Lion, LionState
    from descentlab.optimizers.adaptive.nadam import Nadam, NadamState
    from descentlab.optimizers.adaptive.radam import RAdam
    from descentlab.optimizers.adaptive.rmsprop import RMSProp, RMSPropState
    from descentlab.optimizers.adaptive.yogi import Yogi
    from descentlab.optimizers.classic.gradient_descent import GradientDescent, GradientDescentState
    from descentlab.optimizers.classic.momentum import Momentum, MomentumState
    from descentlab.optimizers.classic.nesterov import Nesterov, NesterovState
