"""descentlab: gradient descent and its descendants, from scratch on NumPy.

>>> import descentlab as dl
>>> problem = dl.get_function("sphere", dim=1)
>>> result = dl.minimize(problem, dl.Momentum(step_size=0.1, momentum=0.3), n_iter=30, seed=4)
>>> float(result.fun) < 1e-12
True
"""

from descentlab.functions import FUNCTIONS, FunctionEntry, get_function
from descentlab.gradients import CentralDifference
from descentlab.optimizers import (
    OPTIMIZERS,
    AMSGrad,
    GradientDescent,
    Momentum,
    Optimizer,
    get_optimizer,
)
from descentlab.problem import Problem
from descentlab.result import Result, Status
from descentlab.runner import IterationInfo, Tolerance, minimize
from descentlab.schedules import (
    Constant,
    ExponentialDecay,
    InverseSqrtDecay,
    InverseTimeDecay,
    Schedule,
)
from descentlab.starts import uniform_starts
from descentlab.trace import TutorialTrace

__version__ = "0.1.0"

__all__ = [
    "FUNCTIONS",
    "OPTIMIZERS",
    "AMSGrad",
    "CentralDifference",
    "Constant",
    "ExponentialDecay",
    "FunctionEntry",
    "GradientDescent",
    "InverseSqrtDecay",
    "InverseTimeDecay",
    "IterationInfo",
    "Momentum",
    "Optimizer",
    "Problem",
    "Result",
    "Schedule",
    "Status",
    "Tolerance",
    "TutorialTrace",
    "__version__",
    "get_function",
    "get_optimizer",
    "minimize",
    "uniform_starts",
]
