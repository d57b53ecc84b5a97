"""Hessian-vector products of a problem, batched over points: ``hvp(x, v)`` is ``H(x) v`` for
each row of ``x`` ``(n, d)`` and ``v`` ``(n, d)``.

- ``engine="jax"``: forward-mode differentiation of the gradient (``jax.jvp``), exact to
  rounding for any problem the JAX engine can trace (the catalog, the networks, expressions).
- ``engine="numpy"``: a central difference of the gradient along ``v``,
  ``(g(x + h v) - g(x - h v)) / 2h``, with ``h = eps^(1/3) (1 + ||x||) / ||v||`` per row: exact
  on quadratics, second-order accurate otherwise (the error is ``h^2`` times third derivatives).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from descentlab.problems.problem import Problem

ENGINES = ("numpy", "jax")
Product = Callable[[np.ndarray, np.ndarray], np.ndarray]


def hessian_vector_product(problem: Problem, engine: str = "numpy") -> Product:
    """``hvp(x, v)`` for ``problem`` on ``engine`` (NumPy arrays in and out)."""
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a dl.Problem, not {type(problem).__name__}")
    if engine == "numpy":
        return _difference_of_gradients(problem)
    if engine == "jax":
        return _forward_over_reverse(problem)
    raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")


def _difference_of_gradients(problem: Problem) -> Product:
    gradient = problem.gradient
    cube_root_eps = np.finfo(float).eps ** (1 / 3)

    def hvp(x: np.ndarray, v: np.ndarray) -> np.ndarray:
        x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
        length = np.linalg.norm(v, axis=-1, keepdims=True)
        h = cube_root_eps * (1.0 + np.linalg.norm(x, axis=-1, keepdims=True))
        h = h / np.where(length > 0, length, 1.0)
        both = gradient(np.concatenate([x + h * v, x - h * v]))
        plus, minus = both[: len(x)], both[len(x) :]
        return (plus - minus) / (2 * h)

    return hvp


def _forward_over_reverse(problem: Problem) -> Product:
    import jax

    from descentlab.engines.jax_engine import setup  # noqa: F401  (64-bit mode)
    from descentlab.engines.jax_engine.problem import traced_problem

    compiled = {}

    def hvp(x: np.ndarray, v: np.ndarray) -> np.ndarray:
        n, d = np.shape(x)
        if (n, d) not in compiled:
            traced = traced_problem(problem, n, d, np.float64)
            compiled[(n, d)] = jax.jit(lambda p, u: jax.jvp(traced.grad, (p,), (u,))[1])
        return np.asarray(compiled[(n, d)](np.asarray(x, float), np.asarray(v, float)))

    return hvp


def dense_hessian(problem: Problem, x: np.ndarray, engine: str = "numpy") -> np.ndarray:
    """The ``(d, d)`` Hessian at one point ``x`` ``(d,)``, column by column from ``d`` products
    in one batch, symmetrized (for small problems and for checking the iterative estimates)."""
    x = np.asarray(x, dtype=float)
    d = x.shape[-1]
    columns = hessian_vector_product(problem, engine)(np.tile(x, (d, 1)), np.eye(d))
    return (columns + columns.T) / 2
