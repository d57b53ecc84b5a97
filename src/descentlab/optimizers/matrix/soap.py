"""SOAP: Adam in the eigenbasis of Shampoo's preconditioner, on each matrix block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace, power
from descentlab._structure import Block, Structure, for_block, join, split
from descentlab._trees import map_state
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.optimizers._moments import moving_average
from descentlab.optimizers.matrix._linear_algebra import (
    eigenbasis,
    outer,
    refreshed_basis,
    transposed,
)
from descentlab.schedules import Schedule, step_size, value_at


class SOAPState(NamedTuple):
    count: int
    m: tuple  # per block, the gradients' EMA (in the parameters' own basis)
    v: tuple  # per block, the squared projected gradients' EMA (in the eigenbasis)
    left: tuple  # per matrix block, L = EMA of G G^T (0.0 for a vector)
    right: tuple  # per matrix block, R = EMA of G^T G
    q_left: tuple  # the eigenbases of L and R
    q_right: tuple


@dataclass(frozen=True)
class SOAP(Optimizer):
    """SOAP (Vyas et al., ICLR 2025), per matrix block ``G`` (``(p, q)``)::

        L = b L + (1 - b) G G^T,  R = b R + (1 - b) G^T G   (the first step only sets L, R, Q)
        G' = QL^T G QR                                       (QL, QR: eigenbases of L and R)
        m  = beta1 m + (1 - beta1) G,    v = beta2 v + (1 - beta2) G'**2
        x  = (x - lr c(t) QL ((QL^T m QR) / (sqrt(v) + eps)) QR^T) (1 - lr weight_decay)

    ``c(t) = sqrt(1 - beta2**s) / (1 - beta1**s)``, ``s = t - 1`` moment updates. Every
    ``frequency`` steps QL and QR are refreshed by one power iteration and a QR, and ``v``'s
    rows and columns follow their new order. A vector block is Adam's. As
    ``pytorch-optimizer``'s ``SOAP``, which does its refresh in float32: equal to it until
    the first refresh, to float32's precision after.
    """

    name = "soap"
    summary = "Adam in the eigenbasis of Shampoo's L and R, refreshed every few steps"
    periodic_work = True
    reference = "Vyas, Morwani, Zhao, Kwun, Shapira, Brandfonbrener, Janson & Kakade, SOAP: Improving and Stabilizing Shampoo using Adam, ICLR 2025"  # noqa: E501
    uses_structure = True

    lr: float | np.ndarray | Schedule = hyperparameter(0.003, "step size", schedule=True)
    beta1: float | np.ndarray = hyperparameter(0.95, "decay of the first moment, in [0, 1)")
    beta2: float | np.ndarray = hyperparameter(0.95, "decay of the second moment, in [0, 1)")
    shampoo_beta: float | None = hyperparameter(None, "decay of L and R (default: beta2)")
    eps: float | np.ndarray = hyperparameter(1e-8, "added to sqrt(v), >= 0")
    weight_decay: float | np.ndarray = hyperparameter(0.01, "decoupled decay of x, >= 0")
    frequency: int = hyperparameter(10, "steps between refreshes of the eigenbases, >= 1")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(lr=step_size, beta1=check.unit_interval, beta2=check.unit_interval,
                       eps=check.non_negative, weight_decay=check.non_negative,
                       frequency=check.whole)  # fmt: skip
        if self.shampoo_beta is not None:
            self._validate(shampoo_beta=check.unit_interval)

    def init(self, x: np.ndarray) -> SOAPState:
        structure = self._structure(x)
        parts = split(x, structure)
        zeros = tuple(0.0 * p for p in parts)
        left = tuple(0.0 * outer(p, 0) if _matrix(b) else 0.0
                     for p, b in zip(parts, structure.blocks, strict=True))  # fmt: skip
        right = tuple(0.0 * outer(p, 1) if _matrix(b) else 0.0
                      for p, b in zip(parts, structure.blocks, strict=True))  # fmt: skip
        return SOAPState(0, zeros, zeros, left, right, left, right)

    def step(self, x, grad, state):
        """The first step only sets L, R and their eigenbases; the others move."""
        if isinstance(state.count, int):
            return self._first(x, grad, state) if state.count == 0 else \
                self._moved(x, grad, state)  # fmt: skip
        xp = namespace(grad)
        first = state.count == 0  # traced: both computed, one chosen
        return map_state(lambda a, b: xp.where(first, a, b) if hasattr(a, "shape") else b,
                         self._first(x, grad, state), self._moved(x, grad, state))  # fmt: skip

    def _structure(self, x) -> Structure:
        return self.structure or Structure.vector(x.shape[-1])

    def _first(self, x, grad, state):
        structure = self._structure(x)
        gs = split(grad, structure)
        left, right = list(state.left), list(state.right)
        q_left, q_right = list(state.q_left), list(state.q_right)
        for k, block in enumerate(structure.blocks):
            if _matrix(block):
                b = self._shampoo_beta(block)
                left[k] = moving_average(state.left[k], outer(gs[k], 0), b)
                right[k] = moving_average(state.right[k], outer(gs[k], 1), b)
                q_left[k], q_right[k] = eigenbasis(left[k]), eigenbasis(right[k])
        return x, state._replace(count=state.count + 1, left=tuple(left), right=tuple(right),
                                 q_left=tuple(q_left), q_right=tuple(q_right))  # fmt: skip

    def _moved(self, x, grad, state):
        structure = self._structure(x)
        t = state.count + 1
        xs, gs = split(x, structure), split(grad, structure)
        new, fields = [], [list(f) for f in state[1:]]
        for k, block in enumerate(structure.blocks):
            moved, parts = self._block(block, xs[k], gs[k], [f[k] for f in fields], t)
            new.append(moved)
            for field, value in zip(fields, parts, strict=True):
                field[k] = value
        return join(new, structure), SOAPState(t, *(tuple(f) for f in fields))

    def _block(self, block: Block, x, g, fields, t):
        """One block's step (after the first): the moved part and its new fields."""
        xp = namespace(g)
        m, v, left, right, q_left, q_right = fields
        matrix = _matrix(block)
        beta1, beta2 = (for_block(check.per_row(b), block) for b in (self.beta1, self.beta2))
        projected = transposed(q_left) @ g @ q_right if matrix else g
        m = moving_average(m, g, beta1)
        v = moving_average(v, projected**2, beta2)
        s = t - 1  # the moments' updates so far: the first step set Q only
        c = (1 - power(beta2, s)) ** 0.5 / (1 - power(beta1, s))
        denominator = xp.sqrt(v) + for_block(check.per_row(self.eps), block)
        if matrix:
            direction = transposed(q_left) @ m @ q_right / denominator
            direction = q_left @ direction @ transposed(q_right)
        else:
            direction = m / denominator
        lr = for_block(value_at(self.lr, t), block)
        decay = for_block(check.per_row(self.weight_decay), block)
        moved = (x - lr * c * direction) * (1 - lr * decay)
        if matrix:
            left, right, q_left, q_right, v = self._refreshed(block, g, left, right, q_left,
                                                              q_right, v, s)  # fmt: skip
        return moved, (m, v, left, right, q_left, q_right)

    def _refreshed(self, block, g, left, right, q_left, q_right, v, s):
        """L and R with this gradient; every ``frequency`` moment updates, their bases refreshed
        (and v's rows and columns put in the bases' new order)."""
        xp = namespace(g)
        b = self._shampoo_beta(block)
        left = moving_average(left, outer(g, 0), b)
        right = moving_average(right, outer(g, 1), b)
        due = s % self.frequency == 0
        if isinstance(s, int) and not due:
            return left, right, q_left, q_right, v
        new_left, rows = refreshed_basis(left, q_left)
        new_right, columns = refreshed_basis(right, q_right)
        reordered = xp.take_along_axis(v, rows[..., :, None], axis=-2)
        reordered = xp.take_along_axis(reordered, columns[..., None, :], axis=-1)
        if isinstance(s, int):
            return left, right, new_left, new_right, reordered
        return (left, right, xp.where(due, new_left, q_left), xp.where(due, new_right, q_right),
                xp.where(due, reordered, v))  # fmt: skip

    def _shampoo_beta(self, block: Block):
        b = self.beta2 if self.shampoo_beta is None else self.shampoo_beta
        return for_block(check.per_row(b), block)


def _matrix(block: Block) -> bool:
    return len(block.shape) == 2
