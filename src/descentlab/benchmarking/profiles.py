"""The pictures the benchmarking literature draws, as numbers: performance profiles, data profiles
and runtime ECDFs, computed from a table of costs.

A *cost* ``t[p, s]`` is what solver ``s`` spent on problem ``p`` to reach a target (evaluations),
``inf`` where it never did.

- **Performance profile** (Dolan & Moré, Math. Programming 91, 2002): with the ratios
  ``r[p, s] = t[p, s] / min_s t[p, s]``, ``rho_s(alpha)`` is the share of problems with
  ``r[p, s] <= alpha``. A problem that no solver solves counts as a failure for every solver
  (its ratios are ``inf``).
- **Data profile** (Moré & Wild, SIAM J. Optim. 20, 2009): ``d_s(kappa)`` is the share of
  problems with ``t[p, s] / (n_p + 1) <= kappa``: the budget in units of ``d + 1`` evaluations
  (one simplex gradient in the derivative-free setting; here, ``d + 1`` gradients).
- **Runtime ECDF** (COCO, Hansen et al., Optimization Methods and Software 36, 2021): over every
  (run, target) pair, the share whose runtime divided by the dimension is at most ``x``;
  unreached targets never count.
"""

from __future__ import annotations

import numpy as np


def cost_table(costs) -> np.ndarray:
    """``costs`` as a float array ``(problems, solvers)``, missing values as ``inf``."""
    table = np.array(costs, dtype=float)
    if table.ndim != 2 or table.size == 0:
        raise ValueError(f"costs must be a non-empty table (problems x solvers), not shape "
                         f"{table.shape}")  # fmt: skip
    if np.any(table <= 0):
        raise ValueError("costs must be > 0 (evaluations); use inf for a failure")
    return np.where(np.isnan(table), np.inf, table)


def performance_ratios(costs) -> np.ndarray:
    """``r[p, s] = t[p, s] / min_s t[p, s]`` (``inf`` for failures and unsolved problems)."""
    table = cost_table(costs)
    best = table.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        ratios = table / best
    return np.where(np.isfinite(table) & np.isfinite(best), ratios, np.inf)


def performance_profile(costs, alphas) -> np.ndarray:
    """``rho[s, k]``: the share of problems that solver ``s`` solves within ``alphas[k]`` times
    the best solver's cost."""
    ratios = performance_ratios(costs)
    alphas = np.asarray(alphas, dtype=float)
    return (ratios[:, :, None] <= alphas[None, None, :]).mean(axis=0)


def data_profile(costs, dims, kappas) -> np.ndarray:
    """``d[s, k]``: the share of problems that solver ``s`` solves within ``kappas[k]`` units
    of ``d + 1`` evaluations (``dims[p]`` is problem ``p``'s dimension)."""
    table = cost_table(costs)
    units = table / (np.asarray(dims, dtype=float)[:, None] + 1.0)
    kappas = np.asarray(kappas, dtype=float)
    return (units[:, :, None] <= kappas[None, None, :]).mean(axis=0)


def runtime_ecdf(runtimes, dims, budgets) -> np.ndarray:
    """The share of (run, target) pairs whose runtime over the dimension is at most each of
    ``budgets``: ``runtimes`` is ``(runs, targets)`` (``inf``: never reached), ``dims[r]`` the
    dimension of run ``r``."""
    table = np.array(runtimes, dtype=float)
    table = np.where(np.isnan(table), np.inf, table)
    per_dim = table / np.asarray(dims, dtype=float)[:, None]
    budgets = np.asarray(budgets, dtype=float)
    return (per_dim.reshape(-1)[:, None] <= budgets[None, :]).mean(axis=0)


def ratio_grid(costs, points: int = 200) -> np.ndarray:
    """``alpha`` values from 1 to just past the largest finite ratio, log-spaced."""
    ratios = performance_ratios(costs)
    finite = ratios[np.isfinite(ratios)]
    top = max(float(finite.max()) if finite.size else 1.0, 1.0) * 1.05
    return np.unique(np.concatenate([[1.0], np.geomspace(1.0, max(top, 1.05), points)]))


COCO_TARGETS = tuple(float(10.0 ** (2 - k / 5)) for k in range(51))  # 1e2 .. 1e-8, 0.2 decades
