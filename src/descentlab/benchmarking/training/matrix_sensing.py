"""Low-rank matrix sensing, factorized (Burer & Monteiro 2003; the setting of Li, Ma & Zhang
2018 on gradient methods' implicit bias): recover a rank-``rank`` matrix ``M*`` (``side x
side``, unit Frobenius norm) from ``m`` Gaussian measurements ``y_i = <A_i, M*>`` by fitting
the factors ``L R^T``:

    f(L, R) = 1/(2m) sum_i (<A_i, L R^T> - y_i)^2

The weights are ``[L (side, factor_rank), R (side, factor_rank)]``, two matrices, so a
matrix-aware optimizer applies. The problem is not convex, but its minimum is known: with no
noise and ``factor_rank >= rank``, ``L R^T = M*`` fits every measurement, so ``f* = 0``; the
validation and test splits are fresh measurements of the same ``M*``, so their loss measures
how well ``M*`` was recovered. The factors start small (uniform in ``[-0.1, 0.1]``, so that
``L R^T`` starts near 0, as in Li, Ma & Zhang's analysis). Everything is generated from one
seed, offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from descentlab._namespace import namespace
from descentlab._structure import Structure, split
from descentlab.benchmarking.training.data import Splits
from descentlab.problems.stochastic.finite_sum import FiniteSum

START = 0.1


def sensing_splits(side: int = 20, rank: int = 2, sizes=(600, 300, 300),
                   seed: int = 0) -> tuple[Splits, np.ndarray]:  # fmt: skip
    """The splits (``A_i`` flattened row-major as features, ``y_i`` as targets) and ``M*``."""
    rng = np.random.default_rng(seed)
    truth = rng.standard_normal((side, rank)) @ rng.standard_normal((rank, side))
    truth /= np.linalg.norm(truth)
    parts = []
    for size in sizes:
        a = rng.standard_normal((size, side * side))
        parts.append((a, a @ truth.ravel()))
    return Splits(*parts), truth


def shapes(side: int, factor_rank: int) -> list[tuple[str, tuple[int, ...]]]:
    return [("L", (side, factor_rank)), ("R", (side, factor_rank))]


def _product(x, side: int, factor_rank: int):
    """``L R^T`` ``(..., side, side)`` of every row of ``x``."""
    left, right = split(x, Structure.of(shapes(side, factor_rank)))
    return left, right, left @ right.mT


def residuals(x, a, y, side: int, factor_rank: int):
    """``<A_i, L R^T> - y_i`` ``(..., N)`` for measurements ``a`` ``(..., N, side^2)``."""
    xp = namespace(x)
    m = _product(x, side, factor_rank)[2]
    flat = xp.reshape(m, (*m.shape[:-2], side * side))
    return (a @ flat[..., :, None])[..., 0] - y


def loss(x, a, y, side: int, factor_rank: int):
    xp = namespace(x)
    return 0.5 * xp.mean(residuals(x, a, y, side, factor_rank) ** 2, axis=-1)


def gradient(x, a, y, side: int, factor_rank: int):
    """``G = mean_i r_i A_i``; ``dL = G R``, ``dR = G^T L``."""
    xp = namespace(x)
    left, right, _ = _product(x, side, factor_rank)
    r = residuals(x, a, y, side, factor_rank)
    g = xp.reshape((r[..., None, :] @ a)[..., 0, :] / a.shape[-2], (*r.shape[:-1], side, side))
    lead = tuple(x.shape[:-1])
    parts = (g @ right, g.mT @ left)
    return xp.concat([xp.reshape(part, (*lead, -1)) for part in parts], axis=-1)


@dataclass(frozen=True)
class MatrixSensing(FiniteSum):
    """The factorized fit to the measurements ``features`` (``(m, side^2)``), ``targets``."""

    side: int = 20
    factor_rank: int = 4
    truth: np.ndarray | None = field(default=None, repr=False)

    def batch_gradient(self, x, index):
        xp = namespace(x)
        a = xp.take(xp.asarray(self.features), index, axis=0)
        y = xp.take(xp.asarray(self.targets), index, axis=0)
        return gradient(x, a, y, self.side, self.factor_rank)


def matrix_sensing(name: str, splits: Splits, truth: np.ndarray,
                   factor_rank: int = 4) -> MatrixSensing:  # fmt: skip
    a, y = splits.train
    side = truth.shape[0]
    blocks = shapes(side, factor_rank)
    return MatrixSensing(
        f=lambda x: loss(x, a, y, side, factor_rank),
        grad=lambda x: gradient(x, a, y, side, factor_rank),
        bounds=np.tile([-START, START], (2 * side * factor_rank, 1)), minimum=0.0, name=name,
        vectorized=True,
        structure=Structure.of(blocks), features=a, targets=y, loss="least-squares",
        side=side, factor_rank=factor_rank, truth=truth,
    )  # fmt: skip
