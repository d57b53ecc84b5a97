"""Sharpness: the largest eigenvalues of the Hessian, from Hessian-vector products only.

:func:`top_eigenvalues` runs Lanczos (with full reorthogonalization, batched over points: each
point's Krylov space is built from its own products) or power iteration, so a network's
Hessian is never formed. :func:`sharpness_along` evaluates it at the points a run recorded
(``record=k`` records every ``k`` steps) and returns the run with a ``path_sharpness`` column:
for gradient descent at step size ``eta`` the quadratic model is stable only while the top
eigenvalue stays below ``2 / eta`` (the seeds' lesson; Cohen et al. 2021's edge of stability).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from descentlab._validation import one_of, whole
from descentlab.landscape.hessian import Product, hessian_vector_product
from descentlab.problems.problem import Problem
from descentlab.results.result import Result

METHODS = ("lanczos", "power")
#: Points whose products go through the problem at once (a network's gradient of many points
#: holds an ``(n, examples, hidden)`` array).
CHUNK = 64


def top_eigenvalues(problem: Problem, x, top: int = 1, *, iterations: int = 30,
                    method: str = "lanczos", engine: str = "numpy",
                    seed: int = 0) -> np.ndarray:  # fmt: skip
    """The ``top`` largest Hessian eigenvalues at ``x`` (``(d,)`` or ``(..., d)``), largest
    first: shape ``(..., top)``.

    ``lanczos`` takes ``min(iterations, d)`` products per point and is exact once they span
    the space; ``power`` (``top = 1`` only) gives the eigenvalue largest in magnitude, which is
    the sharpness whenever the Hessian's negative eigenvalues are smaller in magnitude.
    """
    top, iterations = whole("top", top), whole("iterations", iterations)
    one_of("method", method, METHODS)
    if method == "power" and top != 1:
        raise ValueError(f"top must be 1 with method='power' (it finds one eigenvalue), not {top}")
    x = np.asarray(x, dtype=float)
    lead, d = x.shape[:-1], x.shape[-1]
    if top > d:
        raise ValueError(f"top must be at most the problem's {d} coordinates, not {top}")
    hvp = hessian_vector_product(problem, engine)
    rng = np.random.default_rng(seed)
    flat = x.reshape(-1, d)
    found = [_estimate(hvp, flat[i : i + CHUNK], top, iterations, method, rng)
             for i in range(0, len(flat), CHUNK)]  # fmt: skip
    return np.concatenate(found).reshape(*lead, top)


def _estimate(hvp: Product, x, top, iterations, method, rng) -> np.ndarray:
    """The estimates for one chunk of points; NaN where the products overflow (a point far
    out on a diverging run)."""
    start = _unit(rng.standard_normal(x.shape))
    with np.errstate(over="ignore", invalid="ignore"):
        if method == "power":
            return _power(hvp, x, start, iterations)[:, None]
        return _lanczos(hvp, x, start, min(iterations, x.shape[1]))[:, :top]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _power(hvp: Product, x, v, iterations: int) -> np.ndarray:
    for _ in range(iterations):
        hv = hvp(x, v)
        size = np.linalg.norm(hv, axis=-1, keepdims=True)
        v = np.where(size > 0, hv / np.where(size > 0, size, 1.0), v)
    return np.sum(v * hvp(x, v), axis=-1)


def _lanczos(hvp: Product, x, q, m: int) -> np.ndarray:
    """Each row's ``m``-step Lanczos tridiagonal's eigenvalues, largest first. A row whose
    Krylov space closes early continues from a fresh vector orthogonal to it (its tridiagonal
    then splits into blocks, each of Ritz values of the same Hessian)."""
    n, d = x.shape
    basis = np.zeros((m, n, d))
    alpha, beta = np.zeros((n, m)), np.zeros((n, m))
    rng = np.random.default_rng(m)
    for j in range(m):
        basis[j] = q
        w = hvp(x, q)
        alpha[:, j] = np.sum(w * q, axis=-1)
        for _ in range(2):  # twice is enough (Giraud et al. 2005): the basis stays orthogonal
            w = w - np.einsum("jn,jnd->nd", np.einsum("jnd,nd->jn", basis[: j + 1], w),
                              basis[: j + 1])  # fmt: skip
        if j + 1 == m:
            break
        size = np.linalg.norm(w, axis=-1)
        closed = size <= 1e-10 * np.maximum(np.abs(alpha[:, : j + 1]).max(axis=1), 1e-300)
        beta[:, j] = np.where(closed, 0.0, size)
        if closed.any():
            w[closed] = _orthogonal_to(basis[: j + 1, closed], rng)
            size = np.where(closed, 1.0, size)
        q = w / size[:, None]
    broken = ~(np.isfinite(alpha).all(axis=1) & np.isfinite(beta).all(axis=1))
    alpha[broken], beta[broken] = 0.0, 0.0
    tridiagonal = (np.apply_along_axis(np.diag, 1, alpha)
                   + np.apply_along_axis(np.diag, 1, beta[:, :-1], 1)
                   + np.apply_along_axis(np.diag, 1, beta[:, :-1], -1))  # fmt: skip
    values = np.linalg.eigvalsh(tridiagonal)[:, ::-1]
    values[broken] = np.nan
    return values


def _orthogonal_to(basis: np.ndarray, rng) -> np.ndarray:
    """A unit vector per row orthogonal to its ``basis`` rows (``(j, k, d)``)."""
    v = rng.standard_normal(basis.shape[1:])
    for _ in range(2):
        v = v - np.einsum("jk,jkd->kd", np.einsum("jkd,kd->jk", basis, v), basis)
    return _unit(v)


def sharpness_along(problem: Problem, result: Result, top: int = 1, *, every: int = 1,
                    iterations: int = 30, engine: str = "numpy",
                    seed: int = 0) -> Result:  # fmt: skip
    """``result`` with ``path_sharpness`` ``(K,) + B' + (top,)``: the ``top`` Hessian
    eigenvalues at every ``every``-th recorded point (NaN at the others and at non-finite
    points). The run must record its path (``record="all"`` or ``record=k``)."""
    if not isinstance(result, Result):
        raise TypeError(f"result must be a dl.Result, not {type(result).__name__}")
    if result.path is None:
        raise ValueError("result has no recorded path: run minimize with record='all' or "
                         "record=k (every k steps) to measure sharpness along it")  # fmt: skip
    every = whole("every", every)
    path = np.asarray(result.path, dtype=float)
    chosen = path[::every]
    finite = np.all(np.isfinite(chosen), axis=-1)
    values = np.full((*chosen.shape[:-1], whole("top", top)), np.nan)
    if finite.any():
        values[finite] = top_eigenvalues(problem, chosen[finite], top, iterations=iterations,
                                         engine=engine, seed=seed)  # fmt: skip
    column = np.full((*path.shape[:-1], values.shape[-1]), np.nan)
    column[::every] = values
    return dataclasses.replace(result, path_sharpness=column)
