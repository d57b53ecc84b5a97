"""descentlab: gradient descent and its descendants, from scratch on NumPy.

>>> import descentlab as dl
>>> problem = dl.get_function("sphere", dim=1)
>>> result = dl.minimize(problem, dl.Momentum(step_size=0.1, momentum=0.3), n_iter=30, seed=4)
>>> float(result.fun) < 1e-12
True
"""

from descentlab import engines
from descentlab._version import __version__
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

__all__ = [
    "FUNCTIONS",
    "OPTIMIZERS",
    "AMSGrad",
    "AMSGradOptax",
    "AMSGradPyTorch",
    "AdaBelief",
    "AdaGrad",
    "AdaMax",
    "Adadelta",
    "Adam",
    "AdamW",
    "Armijo",
    "BarzilaiBorwein",
    "CentralDifference",
    "Constant",
    "ExponentialDecay",
    "FunctionEntry",
    "GradientDescent",
    "GradientNoise",
    "InverseSqrtDecay",
    "InverseTimeDecay",
    "IterationInfo",
    "Lion",
    "Momentum",
    "Nadam",
    "Nesterov",
    "Optimizer",
    "Polyak",
    "Problem",
    "RAdam",
    "RMSProp",
    "Result",
    "Schedule",
    "Status",
    "StepRule",
    "Store",
    "Tolerance",
    "TutorialTrace",
    "Wolfe",
    "Yogi",
    "__version__",
    "engines",
    "get_function",
    "get_optimizer",
    "minimize",
    "sweep",
    "tune",
    "uniform_starts",
]
