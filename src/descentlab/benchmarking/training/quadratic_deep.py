"""DeepOBS's ``quadratic_deep`` (Schneider, Balles & Hennig, ICLR 2019): a noisy 100-D quadratic
with a deep-learning-like spectrum, as DeepOBS defines it.

``f_i(theta) = 1/2 (theta - x_i)^T Q (theta - x_i)`` over draws ``x_i ~ N(0, 0.6^2 I)``, with
``Q = R^T diag(lambda) R``: 90 eigenvalues uniform in (0, 1) and 10 in (30, 60), drawn from
``RandomState(42)``, and ``R`` a rotation drawn uniformly from SO(100) by Diaconis and
Shahshahani's subgroup algorithm from another ``RandomState(42)`` (a 2-D rotation, then one
Householder reflection per added dimension, the sign fixing the determinant), the draws in
DeepOBS's order. The start is ``theta = 1``. The minibatch gradient is ``Q (theta - mean of the
batch's x_i)``. DeepOBS rounds its draws and ``Q`` to float32; here they stay float64.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from descentlab._namespace import namespace
from descentlab.problems.stochastic.finite_sum import FiniteSum

DIM = 100


def subgroup_rotation(dim: int, rng: np.random.RandomState) -> np.ndarray:
    """A rotation of ``dim`` dimensions, uniform on SO(dim), by the subgroup algorithm."""
    angle = 2 * np.pi * rng.uniform()
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    for d in range(2, dim):
        v = rng.normal(size=d + 1)
        v /= np.linalg.norm(v)
        e = np.zeros(d + 1)
        e[0] = 1.0
        x = (e - v) / np.linalg.norm(e - v)
        embedded = np.zeros((d + 1, d + 1))
        embedded[0, 0] = 1.0
        embedded[1:, 1:] = rotation
        rotation = embedded - 2 * np.outer(x, x @ embedded)  # the reflection I - 2 x x^T
    return -rotation


@functools.cache
def hessian() -> np.ndarray:
    """DeepOBS's ``Q`` (symmetric, eigenvalues in (0, 1) and (30, 60))."""
    rng = np.random.RandomState(42)
    eigenvalues = np.concatenate([rng.uniform(0.0, 1.0, 90), rng.uniform(30.0, 60.0, 10)])
    rotation = subgroup_rotation(DIM, np.random.RandomState(42))
    q = rotation.T @ np.diag(eigenvalues) @ rotation
    return (q + q.T) / 2


@dataclass(frozen=True)
class NoisyQuadratic(FiniteSum):
    """``mean_i 1/2 (theta - x_i)^T Q (theta - x_i)`` over the rows ``x_i`` of ``features``."""

    hessian: np.ndarray | None = field(default=None, repr=False)

    def batch_gradient(self, x, index):
        xp = namespace(x)
        centre = xp.mean(xp.take(xp.asarray(self.features), index, axis=0), axis=1)  # (n, d)
        return (x - centre) @ xp.asarray(self.hessian)


@dataclass(frozen=True)
class QuadraticLoss:
    """The mean loss over ``points`` at each ``theta`` of ``x`` (``(..., d)``): the quadratic
    about the points' mean plus their spread, ``1/2 tr(Q Cov)``, both computed once."""

    q: np.ndarray
    mean: np.ndarray
    spread: float

    @classmethod
    def of(cls, q: np.ndarray, points: np.ndarray) -> QuadraticLoss:
        centred = points - points.mean(axis=0)
        spread = 0.5 * float(np.mean(np.einsum("nd,de,ne->n", centred, q, centred)))
        return cls(q, points.mean(axis=0), spread)

    def __call__(self, x):
        xp = namespace(x)
        u = x - xp.asarray(self.mean)
        return 0.5 * xp.sum((u @ xp.asarray(self.q)) * u, axis=-1) + self.spread


def quadratic_deep(points: np.ndarray) -> NoisyQuadratic:
    """The training objective on DeepOBS's train draws ``points`` ``(1000, 100)``."""
    q = hessian()
    value = QuadraticLoss.of(q, points)
    return NoisyQuadratic(
        f=value,
        grad=lambda x: (x - value.mean) @ q,
        bounds=np.column_stack([np.full(DIM, 1.0), np.full(DIM, 1.0)]),
        minimum=value.spread,  # at theta = the points' mean
        name="quadratic-deep",
        vectorized=True,
        features=points,
        targets=np.zeros(len(points)),
        loss="quadratic",
        hessian=q,
    )
