"""One cell of a benchmark: an entrant on a problem from some seeds, with the evaluations it took
to reach each target.

**Costs.** A run is charged what the method needs to move, and nothing else: the cost of
iterate ``i`` is the evaluations made to produce it (0 for the start). An optimizer alone needs
one gradient per update; so does a Barzilai-Borwein step, which never reads ``f``. A line search
needs the gradient at each iterate, ``f`` there (known from the search that accepted it, except
at the start) and its trials (Armijo: ``f``; Wolfe: ``f`` and the gradient, so the gradient at
the accepted point is known too); Polyak's step needs ``f`` and the gradient at each iterate.
Values computed only to watch the run (the record) are not charged. The budget, ``budget x
(d + 1)`` evaluations, is the same for every entrant.

**Seeds.** Seed ``s`` starts at the tutorials' ``lo + rand(d) (hi - lo)`` of ``RandomState(s)``;
its gradient noise or minibatch order is stream ``s`` of the benchmark's stream seed, so a seed's
run is the same alone or beside others, and tuning seeds (from ``TUNING_SEED``) never meet
evaluation seeds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.suites import BenchmarkProblem
from descentlab.engines import using
from descentlab.memory import DEFAULT_RECORD_LIMIT, format_bytes, recording_bytes
from descentlab.problems.starts import uniform_starts
from descentlab.problems.stochastic import GradientNoise
from descentlab.runner import Tolerance, minimize

#: A tuned setting's key that says no trial could be scored (the entrant failed the problem).
TUNING_FAILED = "tuning_failed"
#: The stream seed of every run's noise and minibatches (a start's own stream is its seed).
STREAM_SEED = 20_230_101
#: Tuning seeds start here; evaluation seeds are below it.
TUNING_SEED = 1_000_000


@dataclass(frozen=True)
class Cell:
    """An entrant with ``settings`` on ``problem`` from consecutive ``seeds``."""

    problem: BenchmarkProblem
    entrant: Entrant
    settings: tuple[tuple[str, Any], ...]
    seeds: tuple[int, ...]
    budget: int  # in units of d + 1 evaluations
    targets: tuple[float, ...]
    engine: str = "numpy"

    def max_evaluations(self) -> int:
        return self.budget * (self.problem.build().dim + 1)


@dataclass(frozen=True)
class CellResult:
    """Per seed: the evaluations to reach each target (NaN: not within the budget), the final
    gap ``f - f*``, the status, and the cell's seconds."""

    evaluations: np.ndarray  # (seeds, targets)
    final_gap: np.ndarray
    status: tuple[str, ...]
    seconds: float


def seeds_per_run(problem: BenchmarkProblem, budget: int) -> int:
    """How many seeds one batched run may hold: its recorded values (every iterate of every
    seed, in a path of ``budget x (d + 1)`` rows) must fit the record limit. A budget that
    does not fit even one seed is refused, naming it, before any work."""
    d = problem.build().dim
    rows = budget * (d + 1) + 1
    fit = DEFAULT_RECORD_LIMIT // recording_bytes(rows, 1, d)
    if fit < 1:
        raise ValueError(f"budget {budget} is too large for {problem.id}: one run would record "
                         f"{format_bytes(recording_bytes(rows, 1, d))} ({rows:,} iterates x {d} "
                         f"coordinates), more than {format_bytes(DEFAULT_RECORD_LIMIT)}: give a "
                         "smaller budget")  # fmt: skip
    return int(fit)


#: The status of the runs of an entrant whose tuning found no setting to score.
TUNING_FAILED_STATUS = "tuning failed"


def run_cell(cell: Cell) -> CellResult:
    """Run ``cell`` (the unit of work a Dask worker takes); an entrant whose tuning failed on
    the problem (its settings say so) fails every run, reaching no target."""
    began = time.perf_counter()
    if TUNING_FAILED in dict(cell.settings):
        n = len(cell.seeds)
        return CellResult(np.full((n, len(cell.targets)), np.nan), np.full(n, np.nan),
                          (TUNING_FAILED_STATUS,) * n, 0.0)  # fmt: skip
    if cell.entrant.rule is None:
        costs, gaps, status = _batched(cell)
    else:
        costs, gaps, status = _one_by_one(cell)
    evaluations = first_hits(costs, gaps, cell.targets, cell.max_evaluations())
    final = np.array([last_finite(gaps[:, k]) for k in range(gaps.shape[1])])
    return CellResult(evaluations, final, tuple(status), time.perf_counter() - began)


def starts(problem, seeds) -> np.ndarray:
    """The tutorials' start of each seed, one row per seed."""
    return np.stack([uniform_starts(problem.bounds, None, seed) for seed in seeds])


def _options(cell: Cell, first: int) -> dict[str, Any]:
    spec = cell.problem
    return {"seed": STREAM_SEED, "first_stream": first, "project": spec.project,
            "noise": None if spec.noise is None else GradientNoise(spec.noise),
            "batch_size": spec.batch_size}  # fmt: skip


def _batched(cell: Cell):
    """Every seed in one batch: cost of iterate ``i`` is ``i`` gradients."""
    problem = cell.problem.build()
    optimizer = cell.entrant.build(dict(cell.settings))
    with using(cell.engine):
        result = minimize(problem, optimizer, n_iter=cell.max_evaluations(),
                          x0=starts(problem, cell.seeds), tol=_tolerance(cell), record="all",
                          **_options(cell, cell.seeds[0]))  # fmt: skip
    gaps = np.asarray(result.path_fun, dtype=float) - problem.minimum
    costs = np.repeat(result.path_iter[:, None].astype(float), len(cell.seeds), axis=1)
    return costs, gaps, [str(s) for s in np.ravel(result.status)]


def _one_by_one(cell: Cell):
    """A step rule's run per seed, its evaluations counted as they happen."""
    columns, status = [], []
    for seed in cell.seeds:
        cost, gap, state = _counted_run(cell, seed)
        columns.append((cost, gap))
        status.append(state)
    rows = max(len(c) for c, _ in columns)
    costs = np.full((rows, len(columns)), np.nan)
    gaps = np.full((rows, len(columns)), np.nan)
    for k, (cost, gap) in enumerate(columns):
        costs[: len(cost), k], gaps[: len(gap), k] = cost, gap
    return costs, gaps, status


def _counted_run(cell: Cell, seed: int):
    problem = cell.problem.build()
    values, gradients = _Counter(), _Counter()
    counted = replace(problem, f=values.wrap(problem.f), grad=gradients.wrap(problem.gradient),
                      vectorized=True)  # fmt: skip
    rule = cell.entrant.step_rule()
    limit = cell.max_evaluations()
    charges: list[float] = []
    seen = [1, 0]  # f(x0) is evaluated before the first update, its gradient after

    def watch(info) -> bool:
        search_f = values.count - seen[0] - 1  # less the loop's f at the new iterate
        search_g = gradients.count - seen[1] - 1  # less the loop's gradient at the one before
        seen[:] = values.count, gradients.count
        charges.append(search_f + search_g + _loop_charge(rule, first=not charges))
        return sum(charges) >= limit

    result = minimize(counted, cell.entrant.build(dict(cell.settings)), n_iter=limit,
                      x0=starts(problem, [seed])[0], tol=_tolerance(cell), record="all",
                      callback=watch, step_rule=rule, **_options(cell, seed))  # fmt: skip
    gaps = np.asarray(result.path_fun, dtype=float) - problem.minimum
    cost = np.concatenate([[0.0], np.cumsum(charges, dtype=float)])[: len(gaps)]
    return cost, gaps, str(result.status)


def _loop_charge(rule, first: bool) -> int:
    """What an update charges beside its search, at the point it starts from: the gradient,
    and the value where the rule reads it, unless the search that led there evaluated them
    already (the start's never were)."""
    known = () if first else rule.leaves_known
    return ("g" not in known) + (rule.reads_values and "f" not in known)


class _Counter:
    """Counts the points a problem's function is evaluated at."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, function):
        def counted(x):
            self.count += math.prod(np.shape(x)[:-1])
            return function(x)

        return counted


def _tolerance(cell: Cell) -> Tolerance:
    """Stop a start once it reaches the smallest target: nothing after can change a hit."""
    return Tolerance(fun=min(cell.targets))


def first_hits(costs: np.ndarray, gaps: np.ndarray, targets, limit: float) -> np.ndarray:
    """``(starts, targets)``: the cost at which each start's gap first fell to each target
    (NaN where it never did within ``limit`` evaluations)."""
    gaps = np.where(np.isnan(gaps), np.inf, gaps)
    best = np.minimum.accumulate(gaps, axis=0)  # (rows, starts)
    targets = np.asarray(targets, dtype=float)
    reached = best[:, :, None] <= targets[None, None, :]  # (rows, starts, targets)
    first = np.argmax(reached, axis=0)  # (starts, targets)
    ever = reached.any(axis=0)
    cost = np.take_along_axis(costs[:, :, None].repeat(len(targets), axis=2), first[None], 0)[0]
    return np.where(ever & (cost <= limit), cost, np.nan)


def last_finite(column: np.ndarray) -> float:
    finite = column[np.isfinite(column)]
    return float(finite[-1]) if finite.size else float("nan")
