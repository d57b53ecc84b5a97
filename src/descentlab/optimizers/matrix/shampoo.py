"""Shampoo: a Kronecker-factored preconditioner for each matrix block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._structure import Block, Structure, join, split
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers._moments import at_first_step
from descentlab.optimizers.matrix._linear_algebra import (
    inverse_root,
    outer,
    transposed,
    vector_outer,
)
from descentlab.schedules import Schedule, step_size, value_at


class ShampooState(NamedTuple):
    count: int
    buffer: np.ndarray | float  # the last preconditioned update (the momentum's memory)
    left: tuple  # per block: L (p, p) of a matrix, or the full statistic (n, n) of a vector
    right: tuple  # per matrix block: R (q, q); 0.0 for a vector
    left_root: tuple  # L**(-1/4) (a vector's: **(-1/2)), as last computed
    right_root: tuple


@dataclass(frozen=True)
class Shampoo(Optimizer):
    """Shampoo (Gupta, Koren & Singer, ICML 2018), per matrix block ``G`` (``(p, q)``)::

        G = G + weight_decay x;   with momentum: G = (1 - mu) G + mu buffer
        L = L + G G^T,   R = R + G^T G                   (from eps I)
        u = L**(-1/4) G R**(-1/4)                        (a vector: u = (sum g g^T)**(-1/2) g)
        x = x - lr u,    buffer = u

    The inverse roots are recomputed every ``every`` steps (by singular values). As
    ``pytorch-optimizer``'s ``Shampoo`` (whose momentum keeps the last preconditioned update).
    """

    name = "shampoo"
    summary = "x = x - lr L^(-1/4) G R^(-1/4), L and R the sums of G G^T and G^T G"
    periodic_work = True
    reference = (
        "Gupta, Koren & Singer, Shampoo: Preconditioned Stochastic Tensor Optimization, ICML 2018"
    )
    uses_structure = True

    lr: float | np.ndarray | Schedule = hyperparameter(0.001, "step size", schedule=True)
    momentum: float | np.ndarray = hyperparameter(0.0, "weight of the buffer, in [0, 1)")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "L2 penalty added to g, >= 0")
    eps: float | np.ndarray = hyperparameter(1e-6, "L and R start at eps I, >= 0")
    every: int = hyperparameter(1, "steps between recomputations of the roots, >= 1")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(lr=step_size, momentum=check.unit_interval,
                       weight_decay=check.non_negative, eps=check.non_negative,
                       every=check.whole)  # fmt: skip

    def init(self, x: np.ndarray) -> ShampooState:
        xp = namespace(x)
        structure = self.structure or Structure.vector(x.shape[-1])
        parts, left, right = split(x, structure), [], []
        eps = self.eps if not getattr(self.eps, "ndim", 0) else self.eps[..., None, None]
        for part, block in zip(parts, structure.blocks, strict=True):
            eye = eps * xp.eye(block.shape[0], dtype=x.dtype)
            if len(block.shape) == 2:
                left.append(0.0 * outer(part, 0) + eye)
                right.append(0.0 * outer(part, 1) + eps * xp.eye(block.shape[1], dtype=x.dtype))
            else:
                left.append(0.0 * vector_outer(part) + eye)
                right.append(0.0)
        zeros = tuple(0.0 * a if not isinstance(a, float) else 0.0 for a in left)
        return ShampooState(
            0,
            0.0 * x,
            tuple(left),
            tuple(right),
            zeros,
            tuple(0.0 * a if not isinstance(a, float) else 0.0 for a in right),
        )

    def step(self, x, grad, state):
        structure = self.structure or Structure.vector(x.shape[-1])
        t = state.count + 1
        mu = check.per_row(self.momentum)
        g = grad
        if not (isinstance(self.momentum, float) and self.momentum == 0.0):
            g = (1 - mu) * g + mu * at_first_step(state.count, grad, state.buffer)
        g = g + check.per_row(self.weight_decay) * x
        due = state.count % self.every == self.every - 1  # as the twin: at t % every == 0
        gs, updates = split(g, structure), []
        fields = [list(state.left), list(state.right), list(state.left_root),
                  list(state.right_root)]  # fmt: skip
        for k, block in enumerate(structure.blocks):
            u, parts = self._block(block, gs[k], [f[k] for f in fields], due)
            updates.append(u)
            for field, value in zip(fields, parts, strict=True):
                field[k] = value
        u = join(updates, structure)
        return x - value_at(self.lr, t) * u, ShampooState(t, u, *(tuple(f) for f in fields))

    def _block(self, block: Block, g, fields, due):
        left, right, left_root, right_root = fields
        if len(block.shape) == 2:
            left, right = left + outer(g, 0), right + outer(g, 1)
            left_root = _when(due, lambda: inverse_root(left, 4), left_root)
            right_root = _when(due, lambda: inverse_root(right, 4), right_root)
            return left_root @ g @ right_root, (left, right, left_root, right_root)
        left = left + vector_outer(g)
        left_root = _when(due, lambda: inverse_root(left, 2), left_root)
        return (transposed(left_root) @ g[..., :, None])[..., 0], (left, right, left_root,
                                                                   right_root)  # fmt: skip


def _when(due, compute, kept):
    """``compute()`` where ``due`` (a step's condition, traced in a compiled run), else ``kept``."""
    if isinstance(due, bool | np.bool_):
        return compute() if due else kept
    return namespace(kept).where(due, compute(), kept)
