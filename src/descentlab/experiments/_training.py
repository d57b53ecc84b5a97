"""Training as the ML-optimizer papers report it: minibatches, a step size tuned per method on
tuning seeds the evaluation never uses, then seeded replicates at the tuned step."""

from __future__ import annotations

import numpy as np

import descentlab as dl

BATCH = 64


def starts(problem, replicates: int, seed: int, zero: bool) -> np.ndarray:
    """Each replicate's start: ``x = 0`` (a convex problem), or drawn in the problem's box
    from ``seed`` (a network: Glorot's initialization)."""
    if zero:
        return np.zeros((replicates, problem.dim))
    return dl.uniform_starts(problem.bounds, replicates, seed)


def train(problem, make, steps: np.ndarray, epochs: int, seed: int,
          zero: bool = True) -> dl.Result:  # fmt: skip
    """One batch: every row its own step size, its own start and its own minibatch stream;
    the full training objective recorded once per epoch."""
    per_epoch = -(-problem.n_examples // BATCH)
    return dl.minimize(
        problem,
        make(steps),
        n_iter=epochs * per_epoch,
        x0=starts(problem, steps.size, seed, zero),
        seed=seed,
        batch_size=BATCH,
        record=per_epoch,
    )


def tune(problem, make, grid: np.ndarray, epochs: int, replicates: int, zero: bool = True):
    """The grid step with the lowest median final objective (less ``f*`` where known) over
    tuning replicates (seed 1, which the evaluation's seed 0 never meets)."""
    result = train(problem, make, np.repeat(grid, replicates), epochs, seed=1, zero=zero)
    floor = problem.minimum if problem.minimum is not None else 0.0
    gaps = (result.fun - floor).reshape(len(grid), replicates)
    medians = np.median(np.where(np.isnan(gaps), np.inf, gaps), axis=1)
    return float(grid[int(np.argmin(medians))]), medians
