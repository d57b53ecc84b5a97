"""descentlab: gradient descent and its descendants, from scratch on NumPy.

>>> import descentlab as dl
>>> problem = dl.get_function("sphere", dim=1)
>>> result = dl.minimize(problem, dl.Momentum(step_size=0.1, momentum=0.3), n_iter=30, seed=4)
>>> float(result.fun) < 1e-12
True

The public names are imported when first used (PEP 562), so ``import descentlab`` and the
command line's start cost little more than NumPy's; ``dir(descentlab)`` lists them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from descentlab._lazy import attach, homes_of, public_dir
from descentlab._version import __version__

_HOMES = homes_of({
    "descentlab.optimizers": "OPTIMIZERS FAMILIES AMSGrad AMSGradOptax AMSGradPyTorch AdaBelief "
    "AdaGrad AdaMax Adadelta Adam AdamW GradientDescent Lion Momentum Nadam Nesterov Optimizer "
    "RAdam RMSProp Yogi ADOPT AdEMAMix Adan LAMB LARS Prodigy DAdaptAdamW DAdaptSGD DoG "
    "ScheduleFreeSGD ScheduleFreeAdamW Muon MuonPyTorch Adafactor SOAP Shampoo Lookahead "
    "Cautious SAM get_optimizer",
    "descentlab._structure": "Block Structure",
    "descentlab.optimizers.step_rules": "Armijo BarzilaiBorwein Polyak StepRule Wolfe",
    "descentlab.problems.functions": "FUNCTIONS FunctionEntry get_function",
    "descentlab.problems.gradients": "CentralDifference",
    "descentlab.problems.problem": "Problem",
    "descentlab.problems.starts": "uniform_starts",
    "descentlab.problems.stochastic": "GradientNoise",
    "descentlab.results.result": "Result Status",
    "descentlab.results.trace": "TutorialTrace",
    "descentlab.runner": "IterationInfo Tolerance minimize",
    "descentlab.schedules": "Constant ExponentialDecay InverseSqrtDecay InverseTimeDecay Schedule",
    "descentlab.sweeps": "Store sweep",
    "descentlab.sweeps.tune": "tune",
    "descentlab.benchmarking": "benchmark",
}) | {"engines": "descentlab.engines"}  # fmt: skip
#: The subpackages, reachable as ``dl.schedules.CosineDecay`` the way ``np.linalg`` is: each
#: imported on first use (the bridges import PyTorch, optax or SciPy then), none by ``import *``.
SUBPACKAGES = ("benchmarking", "experiments", "landscape", "optimizers", "plot", "problems",
               "results", "schedules", "sweeps", "optax", "scipy", "torch")  # fmt: skip
__getattr__ = attach(globals(), {**_HOMES, **{n: f"descentlab.{n}" for n in SUBPACKAGES}})
__all__ = sorted([*_HOMES, "__version__"])
__dir__ = public_dir(globals(), *SUBPACKAGES)


if TYPE_CHECKING:  # what type checkers and editors see: the same names, imported eagerly
    from descentlab import engines
    from descentlab.benchmarking import benchmark
    from descentlab.optimizers import (
        OPTIMIZERS,
        AdaBelief,
        Adadelta,
        AdaGrad,
        Adam,
        AdaMax,
        AdamW,
        AMSGrad,
        AMSGradOptax,
        AMSGradPyTorch,
        GradientDescent,
        Lion,
        Momentum,
        Nadam,
        Nesterov,
        Optimizer,
        RAdam,
        RMSProp,
        Yogi,
        get_optimizer,
    )
    from descentlab.optimizers.step_rules import Armijo, BarzilaiBorwein, Polyak, StepRule, Wolfe
    from descentlab.problems.functions import FUNCTIONS, FunctionEntry, get_function
    from descentlab.problems.gradients import CentralDifference
    from descentlab.problems.problem import Problem
    from descentlab.problems.starts import uniform_starts
    from descentlab.problems.stochastic import GradientNoise
    from descentlab.results.result import Result, Status
    from descentlab.results.trace import TutorialTrace
    from descentlab.runner import IterationInfo, Tolerance, minimize
    from descentlab.schedules import (
        Constant,
        ExponentialDecay,
        InverseSqrtDecay,
        InverseTimeDecay,
        Schedule,
    )
    from descentlab.sweeps import Store, sweep
    from descentlab.sweeps.tune import tune
