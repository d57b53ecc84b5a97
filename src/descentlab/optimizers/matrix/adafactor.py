"""Adafactor: Adam's second moment stored as row and column averages for each matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace, power
from descentlab._structure import Block, Structure, block_norm, for_block, join, split
from descentlab.optimizers._base import Optimizer, hyperparameter, structure_field
from descentlab.schedules import Schedule, step_size, value_at


class AdafactorState(NamedTuple):
    count: int
    rows: tuple  # per block: the rows' mean square (a matrix's (p, 1)), or the second moment
    columns: tuple  # per block: the columns' mean square (1, q), or 0.0 for a vector


@dataclass(frozen=True)
class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, ICML 2018), without momentum, with the relative step, per
    block: a matrix ``G`` (``(p, q)``) keeps the mean square of each row ``R`` and column ``C``
    (``p + q`` numbers instead of ``p q``), a vector its full second moment ``V``::

        w    = t**decay_rate                                    (1 - beta2(t))
        R    = (1 - w) R + w mean_cols(G**2),   C = (1 - w) C + w mean_rows(G**2)
        Vhat = R C / mean(R)                                      (a vector: V = (1 - w) V + w G**2)
        u    = G / sqrt(max(Vhat, eps1**2)),    u = u / max(1, rms(u) / clip)
        x    = x (1 - lr weight_decay) - max(eps2, rms(x)) min(lr, 1 / sqrt(t)) u

    ``eps1`` defaults to the dtype's machine epsilon. As ``torch.optim.Adafactor`` (optax's
    ``adafactor`` computes its decay in float32 and steps differently).
    """

    name = "adafactor"
    summary = "second moment of each matrix as row and column means; relative, clipped steps"
    reference = (
        "Shazeer & Stern, Adafactor: Adaptive Learning Rates with Sublinear Memory Cost, ICML 2018"
    )
    uses_structure = True

    lr: float | np.ndarray | Schedule = hyperparameter(0.01, "largest relative step size",
                                                       schedule=True)  # fmt: skip
    decay_rate: float | np.ndarray = hyperparameter(-0.8, "1 - beta2(t) = t**decay_rate, < 0")
    eps1: float | None = hyperparameter(None, "floor of sqrt(Vhat) (None: machine epsilon)")
    eps2: float | np.ndarray = hyperparameter(1e-3, "floor of rms(x) in the step, >= 0")
    clip: float | np.ndarray = hyperparameter(1.0, "update clipping threshold d, > 0")
    weight_decay: float | np.ndarray = hyperparameter(0.0, "decoupled decay of x, >= 0")
    structure: Structure | None = structure_field()

    def __post_init__(self) -> None:
        self._validate(lr=step_size, eps2=check.non_negative, clip=check.positive,
                       weight_decay=check.non_negative,
                       decay_rate=check.in_range(-np.inf, 0.0))  # fmt: skip
        if self.eps1 is not None:
            self._validate(eps1=check.non_negative)

    def init(self, x: np.ndarray) -> AdafactorState:
        blocks = (self.structure or Structure.vector(x.shape[-1])).blocks
        parts = split(x, Structure(blocks))
        rows = tuple(_factor(p, b, -1) * 0.0 if _factored(b) else 0.0 * p
                     for p, b in zip(parts, blocks, strict=True))  # fmt: skip
        columns = tuple(_factor(p, b, -2) * 0.0 if _factored(b) else 0.0
                        for p, b in zip(parts, blocks, strict=True))  # fmt: skip
        return AdafactorState(0, rows, columns)

    def step(self, x, grad, state):
        xp = namespace(grad)
        structure = self.structure or Structure.vector(x.shape[-1])
        t = state.count + 1
        lr = value_at(self.lr, t)
        w = power(float(t) if isinstance(t, int) else t, check.per_row(self.decay_rate))
        rho = _smaller(lr, 1.0 / (float(t) if isinstance(t, int) else t) ** 0.5)
        eps1 = xp.finfo(grad.dtype).eps if self.eps1 is None else self.eps1
        xs, gs = split(x, structure), split(grad, structure)
        new, rows, columns = [], [], []
        for k, block in enumerate(structure.blocks):
            size = block.size
            rms = block_norm(xs[k], block) / size**0.5
            alpha = xp.maximum(_per(self.eps2, block), rms) * for_block(rho, block)
            wk = for_block(w, block)
            if _factored(block):
                r = state.rows[k] + wk * (_factor(gs[k] ** 2, block, -1) - state.rows[k])
                c = state.columns[k] + wk * (_factor(gs[k] ** 2, block, -2) - state.columns[k])
                mean_r = xp.maximum(xp.mean(r, axis=-2, keepdims=True), eps1)
                estimate = (r @ c) / mean_r
            else:
                r = state.rows[k] + wk * (gs[k] ** 2 - state.rows[k])
                c, estimate = state.columns[k], r
            u = gs[k] / xp.sqrt(xp.maximum(estimate, eps1 * eps1))
            scale = xp.maximum(1.0, block_norm(u, block) / (size**0.5 * _per(self.clip, block)))
            decayed = xs[k] * (1 - for_block(lr, block) * _per(self.weight_decay, block))
            new.append(decayed - alpha / scale * u)
            rows.append(r)
            columns.append(c)
        return join(new, structure), AdafactorState(t, tuple(rows), tuple(columns))


def _factored(block: Block) -> bool:
    return len(block.shape) == 2


def _factor(a, block: Block, axis: int):
    """The mean of ``a`` over ``axis`` of the block (kept): a row's (-1) or column's (-2)."""
    return namespace(a).mean(a, axis=axis, keepdims=True)


def _per(value, block: Block):
    """A hyperparameter (a number, or one per start) to broadcast against a block's part."""
    return for_block(check.per_row(value), block)


def _smaller(a, b):
    """``min(a, b)`` of numbers, or elementwise where either is an array (or traced)."""
    if isinstance(a, float) and isinstance(b, float):
        return min(a, b)
    return namespace(a if not isinstance(a, float) else b).minimum(a, b)
