"""LARS: momentum SGD whose step for each layer is scaled by the layer's trust ratio."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._structure import Structure, blockwise
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers.layerwise._trust import trust_scaled
from descentlab.schedules import Schedule, coefficient, step_size, value_at


class LARSState(NamedTuple):
    count: int
    buffer: np.ndarray | float


@dataclass(frozen=True)
class LARS(Optimizer):
    """LARS (You, Gitman & Ginsburg, 2017): per block (layer) ``b``::

        u_b    = g_b + weight_decay x_b
        u_b    = step_size trust ||x_b|| / (||u_b|| + eps) u_b
        buffer = momentum buffer + u,   x = x - buffer    (Nesterov: x = x - (u + momentum buffer))

    The blocks are the problem's structure or the whole point; through the bridges, each
    parameter. As ``optax.lars`` (the step size inside the momentum buffer, as optax chains it).
    """

    name = "lars"
    summary = "u = g + wd x scaled per layer by trust norm(x)/norm(u); momentum on step_size u"
    reference = "You, Gitman & Ginsburg, Large Batch Training of Convolutional Networks, 2017"
    uses_structure = True

    step_size: float | np.ndarray | Schedule = hyperparameter(0.1, "step size", schedule=True)
    momentum: float | np.ndarray | Schedule = hyperparameter(0.9, "weight of the buffer, [0, 1)")
    trust: float | np.ndarray = hyperparameter(0.001, "trust coefficient eta, > 0")
    eps: float | np.ndarray = hyperparameter(0.0, "added to norm(u), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to g, >= 0")
    nesterov: bool = hyperparameter(False, "Nesterov's look-ahead in the momentum")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(step_size=step_size, momentum=coefficient, trust=check.positive,
                       eps=check.non_negative, weight_decay=check.non_negative,
                       nesterov=check.flag)  # fmt: skip

    def init(self, x: np.ndarray) -> LARSState:
        return LARSState(0, 0.0)

    def step(self, x, grad, state):
        t = state.count + 1
        u = grad + check.per_row(self.weight_decay) * x
        scale = partial(trust_scaled, coefficient=check.per_row(self.trust),
                        eps=check.per_row(self.eps))  # fmt: skip
        u = value_at(self.step_size, t) * blockwise(self.structure or Structure.vector(x.shape[-1]),
                                                     scale, x, u)  # fmt: skip
        mu = value_at(self.momentum, t)
        buffer = mu * state.buffer + u
        return x - (u + mu * buffer if self.nesterov else buffer), LARSState(t, buffer)
