"""A 1-D function with a local minimum, for teaching what gradient descent cannot see."""

from __future__ import annotations

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.functions._cite import sfu
from descentlab.problems.functions._entry import FunctionEntry


def forrester(x: np.ndarray) -> np.ndarray:
    t = x[..., 0]
    return (6 * t - 2) ** 2 * namespace(x).sin(12 * t - 4)


def forrester_grad(x: np.ndarray) -> np.ndarray:
    xp, t = namespace(x), x[..., 0]
    u = 6 * t - 2
    return (12 * u * xp.sin(12 * t - 4) + 12 * u**2 * xp.cos(12 * t - 4))[..., np.newaxis]


FORRESTER = FunctionEntry(
    name="forrester",
    f=forrester,
    grad=forrester_grad,
    domain=((0.0, 1.0),),
    minimum=-6.0207400557670825,
    minimizers=lambda d: np.array([[0.7572487578418557]]),
    formula="f(x) = (6x - 2)^2 sin(12x - 4)",
    description="1-D, one local minimum near x = 0.14 and the global one near x = 0.757.",
    citation=f"Forrester, Sobester & Keane, Engineering Design via Surrogate Modelling (2008); "
    f"{sfu('Forrester et al. (2008) Function')}",
    dim=1,
)
