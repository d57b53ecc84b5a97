"""Problems whose unknowns are matrices, each with its minimum known: where the shape matters.

- ``matrix-least-squares``: ``f(W) = 1/(2N) ||A W - B||_F^2`` with ``B = A W*``, one matrix
  ``W`` (``rows x cols``); ``A`` (``N x rows``) has singular values spread so that the Hessian
  ``A^T A / N`` has condition number ``kappa``: elementwise methods see its ill-conditioning,
  a method that whitens the matrix's rows does not. Minimum 0 at ``W*``.
- ``matrix-factorization``: ``f(U, V) = 1/(2 rows cols) ||U V^T - M||_F^2`` with ``M`` of rank
  ``rank`` and factors ``U`` (``rows x rank``), ``V`` (``cols x rank``). Minimum 0 on a
  manifold (``U R, V R^-T`` for any invertible ``R``): no unique minimizer.
- ``matrix-sensing``: ``f(U, V) = 1/(2m) sum_i (<A_i, U V^T> - y_i)^2`` with ``y_i =
  <A_i, M>``, ``m`` Gaussian measurements ``A_i`` of a rank-``rank`` matrix ``M`` (recovery
  needs ``m`` of several ``rank (rows + cols)``). Minimum 0.

Each is vectorized over starts (``(..., d)``, the array API, so the JAX engine traces it), has
its gradient by hand (tests hold it to finite differences) and a ``structure`` naming its
blocks, and draws its data from ``seed``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from descentlab import _validation as check
from descentlab._namespace import namespace
from descentlab._structure import Structure, split
from descentlab.problems.problem import Problem


def _whole(name: str, value: object, least: int = 1) -> int:
    return check.whole(name, value, least)


def _spread(n: int, kappa: float) -> np.ndarray:
    """``n`` singular values from 1 to ``sqrt(kappa)``, geometric (the Hessian's: 1 to kappa)."""
    return math.sqrt(kappa) ** (np.arange(n) / max(n - 1, 1))


@functools.cache
def matrix_least_squares(rows: int = 20, cols: int = 10, examples: int = 60,
                         kappa: float = 100.0, seed: int = 0) -> Problem:  # fmt: skip
    rows, cols, examples = (_whole(n, v) for n, v in
                            (("rows", rows), ("cols", cols), ("examples", examples)))  # fmt: skip
    if examples < rows:
        raise ValueError(f"examples must be >= rows ({rows}) for a unique minimizer, "
                         f"not {examples}")  # fmt: skip
    if isinstance(kappa, bool) or not isinstance(kappa, int | float) or not 1 <= kappa < math.inf:
        raise ValueError(f"kappa must be a finite number >= 1, not {kappa!r}")
    rng = np.random.RandomState(_whole("seed", seed, 0))
    left, _ = np.linalg.qr(rng.normal(size=(examples, rows)))
    right, _ = np.linalg.qr(rng.normal(size=(rows, rows)))
    a = math.sqrt(examples) * (left * _spread(rows, kappa)) @ right.T
    w_star = rng.uniform(-1, 1, size=(rows, cols))
    b = a @ w_star
    shape = (rows, cols)

    def f(x):
        xp = namespace(x)
        r = xp.asarray(a) @ xp.reshape(x, (*x.shape[:-1], *shape)) - xp.asarray(b)
        return 0.5 / examples * xp.sum(r * r, axis=(-2, -1))

    def grad(x):
        xp = namespace(x)
        w = xp.reshape(x, (*x.shape[:-1], *shape))
        g = xp.asarray(a.T) @ (xp.asarray(a) @ w - xp.asarray(b)) / examples
        return xp.reshape(g, x.shape)

    d = rows * cols
    return Problem(f, grad, bounds=np.tile([-2.0, 2.0], (d, 1)), minimum=0.0,
                   minimizers=w_star.reshape(1, -1), name="matrix-least-squares",
                   vectorized=True, structure=Structure.of([("W", shape)]))  # fmt: skip


def _low_rank(rng, rows: int, cols: int, rank: int) -> np.ndarray:
    """A rank-``rank`` matrix of entries of order 1."""
    return rng.normal(size=(rows, rank)) @ rng.normal(size=(rank, cols)) / math.sqrt(rank)


def _factors_problem(name, structure, residual, adjoint, scale, size) -> Problem:
    """A problem in factors ``U, V`` of ``X = U V^T``: ``f = scale/2 |residual(X)|^2``, whose
    gradient is ``G V, G^T U`` with ``G = scale adjoint(residual(X))``."""

    def f(x):
        xp = namespace(x)
        u, v = split(x, structure)
        r = residual(u @ v.mT)
        return 0.5 * scale * xp.sum(xp.reshape(r, (*x.shape[:-1], -1)) ** 2, axis=-1)

    def grad(x):
        xp = namespace(x)
        u, v = split(x, structure)
        g = scale * adjoint(residual(u @ v.mT))
        lead = tuple(x.shape[:-1])
        return xp.concat([xp.reshape(g @ v, (*lead, -1)), xp.reshape(g.mT @ u, (*lead, -1))],
                         axis=-1)  # fmt: skip

    d = structure.dim
    return Problem(f, grad, bounds=np.tile([-size, size], (d, 1)), minimum=0.0, name=name,
                   vectorized=True, structure=structure)  # fmt: skip


def _factor_structure(rows: int, cols: int, rank: int) -> Structure:
    return Structure.of([("U", (rows, rank)), ("V", (cols, rank))])


@functools.cache
def matrix_factorization(rows: int = 20, cols: int = 15, rank: int = 3,
                         seed: int = 0) -> Problem:  # fmt: skip
    rows, cols, rank = (_whole(n, v) for n, v in (("rows", rows), ("cols", cols), ("rank", rank)))
    target = _low_rank(np.random.RandomState(_whole("seed", seed, 0)), rows, cols, rank)

    def residual(product):
        return product - namespace(product).asarray(target)

    return _factors_problem("matrix-factorization", _factor_structure(rows, cols, rank),
                            residual, lambda r: r, 1.0 / (rows * cols), 1.0)  # fmt: skip


@functools.cache
def matrix_sensing(rows: int = 10, cols: int = 10, rank: int = 2, measurements: int = 300,
                   seed: int = 0) -> Problem:  # fmt: skip
    rows, cols, rank, m = (_whole(n, v) for n, v in (("rows", rows), ("cols", cols),
                                                     ("rank", rank),
                                                     ("measurements", measurements)))  # fmt: skip
    rng = np.random.RandomState(_whole("seed", seed, 0))
    target = _low_rank(rng, rows, cols, rank)
    sensing = rng.normal(size=(m, rows * cols))  # each row one A_i, flattened
    y = sensing @ target.reshape(-1)

    def residual(product):
        xp = namespace(product)
        flat = xp.reshape(product, (*product.shape[:-2], rows * cols))
        return flat @ xp.asarray(sensing.T) - xp.asarray(y)

    def adjoint(r):
        xp = namespace(r)
        return xp.reshape(r @ xp.asarray(sensing), (*r.shape[:-1], rows, cols))

    return _factors_problem("matrix-sensing", _factor_structure(rows, cols, rank), residual,
                            adjoint, 1.0 / m, 1.0)  # fmt: skip


__all__ = ["matrix_factorization", "matrix_least_squares", "matrix_sensing"]
