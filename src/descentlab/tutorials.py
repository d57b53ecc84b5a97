"""The tutorials' runs, with their published settings.

- ``gd``: gradient descent on ``x**2`` over [-1, 1], seed 4, 30 iterations, step size 0.1.
- ``momentum``: the same with momentum 0.3.
- ``amsgrad``: AMSGrad on ``x**2 + y**2`` over [-1, 1]^2, seed 1, 100 iterations, alpha 0.007,
  beta1 0.9 decayed as ``beta1**t``, beta2 0.99.

The AMSGrad tutorial's code adds ``1e-8`` to ``sqrt(vhat)``, but the trace it prints was made
by its earlier form without it (``x = x - alpha * m / sqrt(vhat)``): with ``eps=1e-8`` the
printed digits differ from the sixth significant digit on, with ``eps=0`` they agree to the
last. The configuration here therefore uses ``eps=0`` so the run reproduces the printed trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from descentlab import optimizers
from descentlab._lazy import LazyMapping
from descentlab.optimizers import Optimizer
from descentlab.problems.functions import get_function
from descentlab.problems.problem import Problem
from descentlab.results.result import Result
from descentlab.runner import minimize


@dataclass(frozen=True)
class Tutorial:
    """One tutorial run: problem, optimizer, seed and iteration count."""

    name: str
    title: str
    problem: Problem
    optimizer: Optimizer
    seed: int
    n_iter: int

    def run(self, verbose: bool = False) -> Result:
        return minimize(
            self.problem, self.optimizer, n_iter=self.n_iter, seed=self.seed, verbose=verbose
        )


def _gd() -> Tutorial:
    return Tutorial("gd", "Gradient descent on x^2 (tutorial 001)", get_function("sphere", dim=1),
                    optimizers.GradientDescent(step_size=0.1), seed=4, n_iter=30)  # fmt: skip


def _momentum() -> Tutorial:
    return Tutorial("momentum", "Gradient descent with momentum on x^2 (tutorial 001)",
                    get_function("sphere", dim=1), optimizers.Momentum(step_size=0.1, momentum=0.3),
                    seed=4, n_iter=30)  # fmt: skip


def _amsgrad() -> Tutorial:
    return Tutorial("amsgrad", "AMSGrad on x^2 + y^2 (tutorial 002)", get_function("sphere", dim=2),
                    optimizers.AMSGrad(alpha=0.007, beta1=0.9, beta2=0.99, eps=0.0,
                                       beta1_decay="power"),
                    seed=1, n_iter=100)  # fmt: skip


#: The tutorials by name, each built when first looked up (a command runs one of them).
TUTORIALS: Mapping[str, Tutorial] = LazyMapping(
    {"gd": _gd, "momentum": _momentum, "amsgrad": _amsgrad}
)
