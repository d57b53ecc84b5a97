"""Tuning before a benchmark: every entrant gets the same tuning budget on every problem, spent
on tuning seeds the evaluation never uses.

- ``grid``: the step size on ``trials`` log-spaced values from 1e-5 to 1 (the other
  hyperparameters at their fixed values or defaults), every value from every tuning seed;
- ``optuna``: Optuna's TPE over :func:`~descentlab.sweeps.tune.default_space` (the step size,
  and the momentum where there is one) with ``trials`` trials, through :func:`dl.tune
  <descentlab.sweeps.tune.tune>` (deterministic problems only).

A setting scores the median over tuning seeds of the evaluations it needed to reach the tuning
target; a seed that misses costs the budget plus the budget again for every decade it ended
above the target, so settings that fail still rank by how close they came.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.runs import (
    TUNING_FAILED,
    TUNING_SEED,
    Cell,
    first_hits,
    last_finite,
    run_cell,
    seeds_per_run,
    starts,
)
from descentlab.benchmarking.suites import BenchmarkProblem
from descentlab.engines import using
from descentlab.runner import Tolerance, minimize

TUNINGS = ("grid", "optuna")
#: The fewest trials a tuning may have: fewer cannot bracket a best step size.
MIN_TRIALS = 3
MAX_TRIALS = 1000
STEP_RANGE = (1e-5, 1.0)
#: How far a grid is widened while its best step is on an edge.
WIDEST = (1e-9, 1e3)


@dataclass(frozen=True)
class TuningJob:
    """Tune ``entrant`` on ``problem``: the unit of tuning work a worker takes."""

    problem: BenchmarkProblem
    entrant: Entrant
    fixed: tuple[tuple[str, Any], ...]
    method: str
    trials: int
    seeds: int
    budget: int
    target: float
    engine: str = "numpy"


def tuning_seeds(count: int) -> tuple[int, ...]:
    return tuple(range(TUNING_SEED, TUNING_SEED + count))


def check_tuning(method: str | None, trials: int, budget: int) -> None:
    if method is None:
        return
    if method not in TUNINGS:
        raise ValueError(f"tuning must be one of {', '.join(TUNINGS)} or None, not {method!r}")
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < MIN_TRIALS:
        raise ValueError(f"trials must be a whole number >= {MIN_TRIALS} to tune (fewer cannot "
                         f"bracket a best step size), not {trials!r}")  # fmt: skip
    if trials > MAX_TRIALS:
        raise ValueError(f"trials must be at most {MAX_TRIALS:,} (each is a run per tuning "
                         f"seed, per problem and optimizer), not {trials:,}")  # fmt: skip
    if budget < 2:
        raise ValueError(f"the budget ({budget} x (d + 1) evaluations) is too small to tune: "
                         "give at least 2")  # fmt: skip


def run_tuning(job: TuningJob) -> dict[str, Any]:
    """The tuned settings of ``job`` (the fixed ones, with the step size, or Optuna's best);
    with :data:`TUNING_FAILED` naming why where no trial could be scored."""
    if job.method == "optuna":
        return _optuna(job)
    grid = np.geomspace(*STEP_RANGE, job.trials)
    scores = _grid_scores(job, grid)
    grid, scores = _widened(job, grid, scores)
    best = float(grid[int(np.argmin(scores))])
    return {**dict(job.fixed), job.entrant.step_name: best}


def _grid_scores(job: TuningJob, grid: np.ndarray) -> list[float]:
    if job.entrant.rule is None and job.problem.deterministic:
        return _scores_at_once(job, grid)
    return [_score(job, {**dict(job.fixed), job.entrant.step_name: float(step)})
            for step in grid]  # fmt: skip


def _widened(job: TuningJob, grid: np.ndarray, scores: list[float]):
    """The grid, widened by its own log spacing while its best step sits on an edge (adaptive
    methods often want steps above 1: a best on the edge is a search that did not bracket),
    up to :data:`WIDEST`; a best still on the edge there is kept (the widest it may be)."""
    ratio = grid[1] / grid[0]
    grid, scores = list(grid), list(scores)
    while True:
        best = int(np.argmin(scores))
        if 0 < best < len(grid) - 1:
            break
        low = best == 0
        step = grid[0] / ratio if low else grid[-1] * ratio
        if not WIDEST[0] <= step <= WIDEST[1]:
            break
        new = _grid_scores(job, np.array([step]))
        grid, scores = ([step, *grid], [*new, *scores]) if low else ([*grid, step], [*scores, *new])
    return np.array(grid), scores


def _score(job: TuningJob, settings: dict[str, Any]) -> float:
    """One setting from every tuning seed, as one cell."""
    cell = Cell(job.problem, job.entrant, tuple(sorted(settings.items())), tuning_seeds(job.seeds),
                job.budget, (job.target,), job.engine)  # fmt: skip
    result = run_cell(cell)
    return float(np.median(_costs(result.evaluations[:, 0], result.final_gap,
                                  cell.max_evaluations(), job.target)))  # fmt: skip


def _scores_at_once(job: TuningJob, grid: np.ndarray) -> list[float]:
    """Every setting from every tuning seed in as few batches as fit the record limit (the
    step size an array over the rows): the same numbers as one cell per setting."""
    seeds = tuning_seeds(job.seeds)
    most = max(1, seeds_per_run(job.problem, job.budget) // len(seeds))
    scores: list[float] = []
    for first in range(0, len(grid), most):
        scores += _scores_of(job, grid[first : first + most], seeds)
    return scores


def _scores_of(job: TuningJob, grid: np.ndarray, seeds: tuple[int, ...]) -> list[float]:
    problem = job.problem.build()
    steps = np.repeat(grid, len(seeds))
    optimizer = job.entrant.build({**dict(job.fixed), job.entrant.step_name: steps})
    limit = job.budget * (problem.dim + 1)
    with using(job.engine):
        result = minimize(problem, optimizer, n_iter=limit, x0=np.tile(starts(problem, seeds),
                          (len(grid), 1)), tol=Tolerance(fun=job.target), record="all")  # fmt: skip
    gaps = np.asarray(result.path_fun, dtype=float) - problem.minimum
    costs = np.repeat(result.path_iter[:, None].astype(float), len(steps), axis=1)
    hits = first_hits(costs, gaps, (job.target,), limit)[:, 0]
    final = np.array([last_finite(gaps[:, k]) for k in range(len(steps))])
    per_row = _costs(hits, final, limit, job.target).reshape(len(grid), len(seeds))
    return np.median(per_row, axis=1).tolist()


def _costs(hits: np.ndarray, final_gap: np.ndarray, limit: int, target: float) -> np.ndarray:
    """Evaluations to the target; a miss costs the budget plus the budget per decade above it
    (a diverged run the most)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        decades = np.maximum(np.log10(np.maximum(final_gap, 1e-300)) - math.log10(target), 0.0)
    decades = np.where(np.isfinite(decades), decades, 1e6)
    return np.where(np.isnan(hits), limit * (1.0 + decades), hits)


def _optuna(job: TuningJob) -> dict[str, Any]:
    from descentlab.sweeps.tune import NoTrialScored, default_space, tune

    if not job.problem.deterministic or job.entrant.rule is not None:
        raise ValueError("optuna tuning runs plain optimizers on deterministic problems (the "
                         "catalog and conditioning suites); use tuning='grid'")  # fmt: skip
    spec = (job.problem.function, {"dim": job.problem.build().dim, **dict(job.problem.parameters)})
    fixed = dict(job.fixed)
    space = {k: v for k, v in default_space(job.entrant.optimizer).items() if k not in fixed}
    seeds = list(tuning_seeds(job.seeds))
    try:
        found = tune(spec, job.entrant.optimizer, space, job.trials, seeds=seeds,
                     n_iter=job.budget * (job.problem.build().dim + 1), target=job.target,
                     hyper=fixed, batch=min(job.trials, 16))  # fmt: skip
    except NoTrialScored as failed:  # the entrant fails this problem; the benchmark goes on
        return {**fixed, TUNING_FAILED: str(failed)}
    return {**fixed, **found.best}
