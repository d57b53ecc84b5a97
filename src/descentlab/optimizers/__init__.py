"""The optimizers, one per module, in folders that are the family tree, and the registry that
names them.

- ``classic/``: gradient descent, momentum and Nesterov;
- ``adaptive/``: per-coordinate scaling: AdaGrad, RMSProp, Adadelta; Adam and its relatives
  (AdamW, AdaMax, Nadam, RAdam, the three AMSGrads, Yogi, AdaBelief, ADOPT, AdEMAMix, Adan);
  and Lion;
- ``layerwise/``: LAMB and LARS (a trust ratio per layer);
- ``learning_rate_free/``: Prodigy, D-Adaptation (AdamW and SGD) and DoG;
- ``schedule_free/``: schedule-free SGD and AdamW;
- ``matrix/``: Muon (optax's and PyTorch's forms), Adafactor, SOAP and Shampoo, which update
  each matrix of a problem's structure as a matrix;
- ``wrappers/``: Lookahead, Cautious and SAM, around any optimizer.

A class is imported when it is first used (``OPTIMIZERS["adam"]``, ``optimizers.Adam``), so a
command that runs momentum does not import the others.
"""

from __future__ import annotations

from typing import Any

from descentlab._lazy import LazyRegistry, attach, homes_of, public_dir
from descentlab.optimizers._base import HyperparameterInfo, Optimizer

_P = "descentlab.optimizers."
#: Each family's modules and the names they hold, in the order of the family tree.
_FAMILIES = {
    "classic": {
        "gradient_descent": "GradientDescent GradientDescentState",
        "momentum": "Momentum MomentumState",
        "nesterov": "Nesterov NesterovState",
    },
    "adaptive": {
        "adagrad": "AdaGrad AdaGradState",
        "rmsprop": "RMSProp RMSPropState",
        "adadelta": "Adadelta AdadeltaState",
        "adam": "Adam AdamState",
        "adamw": "AdamW",
        "adamax": "AdaMax AdaMaxState",
        "nadam": "Nadam NadamState",
        "radam": "RAdam",
        "amsgrad": "AMSGrad AMSGradState",
        "amsgrad_bias_corrected": "AMSGradMaxState AMSGradOptax AMSGradPyTorch",
        "yogi": "Yogi",
        "adabelief": "AdaBelief",
        "lion": "Lion LionState",
        "adopt": "ADOPT ADOPTState",
        "ademamix": "AdEMAMix AdEMAMixState",
        "adan": "Adan AdanState",
    },
    "layerwise": {"lamb": "LAMB", "lars": "LARS LARSState"},
    "learning_rate_free": {
        "prodigy": "Prodigy ProdigyState",
        "dadapt_adamw": "DAdaptAdamW DAdaptAdamWState",
        "dadapt_sgd": "DAdaptSGD DAdaptSGDState",
        "dog": "DoG DoGState",
    },
    "schedule_free": {
        "sgd": "ScheduleFreeSGD ScheduleFreeState",
        "adamw": "ScheduleFreeAdamW ScheduleFreeAdamWState",
    },
    "matrix": {
        "muon": "Muon MuonPyTorch MuonState",
        "adafactor": "Adafactor AdafactorState",
        "soap": "SOAP SOAPState",
        "shampoo": "Shampoo ShampooState",
    },
    "wrappers": {
        "lookahead": "Lookahead LookaheadState",
        "cautious": "Cautious",
        "sam": "SAM SAMState",
    },
}  # fmt: skip
_HOMES = homes_of({f"{_P}{family}.{module}": names
                   for family, modules in _FAMILIES.items()
                   for module, names in modules.items()})  # fmt: skip
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
        ("lion", "Lion"), ("adopt", "ADOPT"), ("ademamix", "AdEMAMix"), ("adan", "Adan"),
        ("lamb", "LAMB"), ("lars", "LARS"),
        ("prodigy", "Prodigy"), ("dadapt-adamw", "DAdaptAdamW"), ("dadapt-sgd", "DAdaptSGD"),
        ("dog", "DoG"),
        ("schedule-free-sgd", "ScheduleFreeSGD"), ("schedule-free-adamw", "ScheduleFreeAdamW"),
        ("muon", "Muon"), ("muon-pytorch", "MuonPyTorch"), ("adafactor", "Adafactor"),
        ("soap", "SOAP"), ("shampoo", "Shampoo"),
        ("lookahead", "Lookahead"), ("cautious", "Cautious"), ("sam", "SAM"),
    )
})  # fmt: skip

#: The branches of the family tree, each with its registered names (``descentlab optimizers``).
FAMILIES = {
    "classic": ("gd", "momentum", "nesterov"),
    "adaptive": ("adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax", "nadam", "radam",
                 "amsgrad", "amsgrad-pytorch", "amsgrad-optax", "yogi", "adabelief", "lion",
                 "adopt", "ademamix", "adan"),
    "layerwise": ("lamb", "lars"),
    "learning-rate-free": ("prodigy", "dadapt-adamw", "dadapt-sgd", "dog"),
    "schedule-free": ("schedule-free-sgd", "schedule-free-adamw"),
    "matrix": ("muon", "muon-pytorch", "adafactor", "soap", "shampoo"),
    "wrappers": ("lookahead", "cautious", "sam"),
}  # fmt: skip


def get_optimizer(name: str, **hyperparameters: Any) -> Optimizer:
    """The optimizer registered as ``name``, built with ``hyperparameters``.

    >>> get_optimizer("momentum", step_size=0.1, momentum=0.3)
    Momentum(step_size=0.1, momentum=0.3, buffer='step')
    """
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ValueError(f"optimizer must be one of {known}, not {name!r}") from None
    return cls(**hyperparameters)


__all__ = sorted(["FAMILIES", "OPTIMIZERS", "HyperparameterInfo", "Optimizer",
                  "get_optimizer", *_HOMES])  # fmt: skip
