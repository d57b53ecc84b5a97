"""LAMB: Adam's update, each layer's scaled to the layer's own size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from descentlab import _validation as check
from descentlab._structure import Structure, blockwise
from descentlab.optimizers._base import hyperparameter, structure_field
from descentlab.optimizers.adaptive.adam import Adam, AdamState
from descentlab.optimizers.layerwise._trust import trust_scaled
from descentlab.schedules import value_at


@dataclass(frozen=True)
class LAMB(Adam):
    """LAMB (You et al., ICLR 2020): per block (layer) ``b`` of the parameters::

        u_b = mhat_b / (sqrt(vhat_b) + eps) + weight_decay x_b       (Adam's, bias-corrected)
        x_b = x_b - alpha(t) ||x_b|| / ||u_b|| u_b

    so every layer moves by ``alpha`` times its own norm, whatever its gradients' scale. The
    blocks are the problem's structure (a network's layers) or, without one, the whole point;
    through the bridges, each parameter. As ``optax.lamb``.
    """

    name = "lamb"
    summary = "Adam's u per layer, scaled by norm(x) / norm(u): x = x - alpha * trust * u"
    reference = "You et al., Large Batch Optimization for Deep Learning: Training BERT in 76 Minutes, ICLR 2020"  # noqa: E501
    uses_structure = True

    eps: float | np.ndarray = hyperparameter(1e-6, "added to sqrt(vhat), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay inside u, >= 0")
    structure: Structure | None = structure_field()

    def step(self, x, grad, state):
        t = state.count + 1
        direction, m, v = self._direction(grad, state, t)
        u = direction + check.per_row(self.weight_decay) * x
        structure = self.structure or Structure.vector(x.shape[-1])
        u = blockwise(structure, trust_scaled, x, u)
        return x - value_at(self.alpha, t) * u, AdamState(t, m, v)
