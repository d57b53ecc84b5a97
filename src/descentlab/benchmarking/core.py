"""``benchmark(suite, optimizers, ...)``: every entrant on every problem of a suite, at equal
budgets, tuned on tuning seeds, evaluated on others; one tidy table back.

The work is cut as the sweeps cut theirs: a tuning job per (problem, entrant), then a cell per
(problem, entrant, run of seeds), each run here or on Dask workers, each written to the store as
it finishes under a hash of everything it depends on, so a rerun skips what is done and a killed
benchmark resumes. The table is read back from the cells, so it is the same however it was
computed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from descentlab.benchmarking.entrants import Entrant, parse_entrants
from descentlab.benchmarking.profiles import COCO_TARGETS
from descentlab.benchmarking.runs import Cell, CellResult, run_cell, seeds_per_run
from descentlab.benchmarking.store import BenchmarkStore, plain_evaluations
from descentlab.benchmarking.suites import BenchmarkProblem, suite_problems
from descentlab.benchmarking.tuning import TuningJob, check_tuning, run_tuning
from descentlab.engines import resolve
from descentlab.optimizers import OPTIMIZERS

#: Bump when what a cell's numbers mean changes. 2: normal numbers by the integer table
#: (descentlab.problems.stochastic.gaussian) instead of float32 Box-Muller.
CELL_FORMAT = 2
MAX_SEEDS = 10_000

Progress = Callable[[int, int, str], None]


def benchmark(
    suite: str,
    optimizers: str | Sequence[str] | None = None,
    *,
    tier: str = "default",
    budget: int = 200,
    tuning: str | None = None,
    trials: int = 12,
    seeds: int = 10,
    tuning_seeds: int = 5,
    targets: Sequence[float] | None = None,
    tuning_target: float = 1e-6,
    hyper: Mapping[str, object] | None = None,
    functions: Sequence[str] | None = None,
    dims: Sequence[int] | None = None,
    instances: Sequence[int] | None = None,
    store: BenchmarkStore | str | None = None,
    name: str | None = None,
    workers: int | None = None,
    client: object = None,
    engine: str | None = None,
    out: str | None = None,
    progress: Progress | None = None,
):
    """Benchmark ``optimizers`` on ``suite`` at equal budgets; a pandas DataFrame back.

    Parameters
    ----------
    suite : "catalog", "conditioning", "stochastic", "bbob" or "training"
        See :mod:`descentlab.benchmarking.suites`; ``bbob`` runs COCO's suite through ``cocoex``
        (:mod:`descentlab.benchmarking.coco`, the ``descentlab[coco]`` extra); ``training``
        the training workloads under AlgoPerf's rulesets
        (:mod:`descentlab.benchmarking.training`, the ``descentlab[training]`` extra), at
        ``tier`` "quick", "default" or "full", ``functions`` naming workloads, and returns a
        :class:`~descentlab.benchmarking.training.TrainingResults` (of the other options only
        ``store``, ``workers``, ``client``, ``engine`` and ``progress`` apply to it).
    optimizers : names
        Registered optimizers, optionally with a step rule: ``["gd", "adam", "gd+armijo"]``.
    budget : int
        Evaluations per run, in units of ``d + 1`` (gradients, and for step rules also the
        values they use); the same for every entrant. For bbob: COCO's budget multiplier
        (``budget x d`` function evaluations, restarts inside it).
    tuning : None, "grid" or "optuna"
        Tune each entrant on each problem with ``trials`` trials over ``tuning_seeds`` seeds
        that the evaluation never uses, to reach ``tuning_target``
        (:mod:`descentlab.benchmarking.tuning`); None runs the defaults (or ``hyper``).
    seeds : int
        Evaluation runs per problem and entrant: seeds ``0 .. seeds - 1``.
    targets : decreasing numbers
        Gaps ``f - f*`` whose first hits are measured; default COCO's ``1e2 .. 1e-8`` in steps
        of 0.2 decades.
    hyper : mapping
        Fixed hyperparameters, ``{"beta2": 0.99}`` or ``{"adam.beta2": 0.99}``.
    functions, dims, instances : selections
        Keep these functions and dimensions of the suite (bbob: COCO's function indices,
        dimensions and instance indices).
    store, name : the results store and the benchmark's name in it (default: the suite's)
    workers, client : Dask, as for :func:`descentlab.sweep`
    engine : "numpy", "jax" or None
    out : for bbob, the folder COCO's observer writes its data files to

    Returns
    -------
    pandas.DataFrame
        One row per problem x entrant x seed x target: ``suite``, ``problem``, ``dim``,
        ``optimizer``, ``seed``, ``target``, ``evaluations`` (missing where not reached),
        ``final_gap``, ``status``, ``settings`` (JSON).
    """
    if suite == "training":
        from descentlab.benchmarking.training import training_benchmark

        return training_benchmark(tier, optimizers=optimizers, workloads=functions,
                                  store=store, engine=engine, workers=workers, client=client,
                                  progress=progress)  # fmt: skip
    entrants = parse_entrants(optimizers if optimizers is not None else [])
    targets = check_targets(targets)
    budget = _whole("budget", budget, 1)
    dims = _whole_numbers("dims", dims)
    if suite == "bbob":
        from descentlab.benchmarking.coco import run_bbob

        return run_bbob(entrants, budget=budget, hyper=hyper or {},
                        functions=_whole_numbers("functions", functions), dims=dims,
                        instances=_whole_numbers("instances", instances), out=out,
                        targets=targets,
                        tuning=tuning, store=store, workers=workers, client=client,
                        progress=progress)  # fmt: skip
    if instances:
        raise ValueError("instances select COCO's bbob instances; this suite has none")
    check_tuning(tuning, trials, budget)
    problems = suite_problems(suite, functions, dims)
    _check_rules(entrants, problems)
    for problem in problems:  # before any work: a budget whose record cannot fit
        seeds_per_run(problem, budget)
    plan = Plan(suite, problems, entrants, budget, _seeds(seeds), targets, tuning, trials,
                _whole("tuning_seeds", tuning_seeds, 1), _positive("tuning_target", tuning_target),
                fixed_settings(entrants, hyper or {}), resolve(engine, None))  # fmt: skip
    from descentlab.sweeps.distributed import cluster

    own = not isinstance(store, BenchmarkStore)
    opened = BenchmarkStore(":memory:" if store is None else store) if own else store
    try:
        opened.open_benchmark(name or suite, plan.definition())
        with cluster(client, workers) as dask_client:
            return execute(plan, opened, name or suite, dask_client, progress)
    finally:
        if own:
            opened.close()


class Plan:
    """What a benchmark runs; :meth:`definition` is what the store checks a name against."""

    def __init__(self, suite, problems, entrants, budget, seeds, targets, tuning, trials,
                 tuning_seeds, tuning_target, fixed, engine) -> None:  # fmt: skip
        self.suite, self.problems, self.entrants = suite, problems, entrants
        self.budget, self.seeds, self.targets = budget, seeds, targets
        self.tuning, self.trials, self.tuning_seeds = tuning, trials, tuning_seeds
        self.tuning_target, self.fixed, self.engine = tuning_target, fixed, engine

    def definition(self) -> dict[str, Any]:
        return {"suite": self.suite, "problems": [p.id for p in self.problems],
                "optimizers": [e.label for e in self.entrants], "budget": self.budget,
                "seeds": list(self.seeds), "targets": list(self.targets),
                "tuning": self.tuning, "trials": self.trials if self.tuning else None,
                "tuning_seeds": self.tuning_seeds if self.tuning else None,
                "tuning_target": self.tuning_target if self.tuning else None,
                "fixed": {e.label: self.fixed[e.label] for e in self.entrants},
                "engine": self.engine}  # fmt: skip

    def tuning_key(self, problem: BenchmarkProblem, entrant: Entrant) -> str:
        return _digest({"format": CELL_FORMAT, "problem": problem.key(), "entrant": entrant.label,
                        "fixed": self.fixed[entrant.label], "tuning": self.tuning,
                        "trials": self.trials, "seeds": self.tuning_seeds,
                        "budget": self.budget, "target": self.tuning_target,
                        "engine": self.engine})  # fmt: skip

    def cell_key(self, problem, entrant, settings, seed: int) -> str:
        return _digest({"format": CELL_FORMAT, "problem": problem.key(), "entrant": entrant.label,
                        "settings": settings, "seed": seed, "budget": self.budget,
                        "targets": list(self.targets), "engine": self.engine})  # fmt: skip


def execute(plan: Plan, store: BenchmarkStore, name: str, client, progress):
    """Tune what is not tuned, run what is not run, and read the table back."""
    settings = _tune_all(plan, store, name, client, progress)
    pending, keys = [], {}
    for problem in plan.problems:
        for entrant in plan.entrants:
            chosen = settings[(problem.id, entrant.label)]
            hashes = {s: plan.cell_key(problem, entrant, chosen, s) for s in plan.seeds}
            keys[(problem.id, entrant.label)] = hashes
            done = store.done_cells(list(hashes.values()))
            store.link_cells(name, list(done))  # finished under another benchmark's name
            missing = [s for s in plan.seeds if hashes[s] not in done]
            for run in _consecutive(missing, seeds_per_run(problem, plan.budget)):
                pending.append(Cell(problem, entrant, tuple(sorted(chosen.items())), run,
                                    plan.budget, plan.targets, plan.engine))  # fmt: skip
    total, finished = len(plan.problems) * len(plan.entrants) * len(plan.seeds), 0
    finished = total - sum(len(cell.seeds) for cell in pending)
    _tell(progress, finished, total, "cells")
    for cell, result in _results(pending, run_cell, client):
        store.add_cells(_rows(plan, name, cell, result))
        finished += len(cell.seeds)
        _tell(progress, finished, total, f"{cell.entrant.label} on {cell.problem.id}")
    return _table(plan, store, keys, settings)


def _tune_all(plan: Plan, store: BenchmarkStore, name: str, client, progress):
    """The settings of every (problem, entrant): tuned (and stored) or fixed."""
    settings, jobs = {}, []
    for problem in plan.problems:
        for entrant in plan.entrants:
            fixed = plan.fixed[entrant.label]
            if plan.tuning is None:
                settings[(problem.id, entrant.label)] = fixed
                continue
            stored = store.tuned(plan.tuning_key(problem, entrant))
            if stored is not None:
                settings[(problem.id, entrant.label)] = stored
                continue
            jobs.append(TuningJob(problem, entrant, tuple(sorted(fixed.items())), plan.tuning,
                                  plan.trials, plan.tuning_seeds, plan.budget,
                                  plan.tuning_target, plan.engine))  # fmt: skip
    for k, (job, found) in enumerate(_results(jobs, run_tuning, client)):
        store.add_tuning(plan.tuning_key(job.problem, job.entrant), name, job.problem.id,
                         job.entrant.label, found)  # fmt: skip
        settings[(job.problem.id, job.entrant.label)] = found
        _tell(progress, k + 1, len(jobs), f"tuning {job.entrant.label} on {job.problem.id}")
    return settings


def _results(items: list, function, client) -> Iterator[tuple[Any, Any]]:
    """Each item with ``function(item)``, here in order or from Dask as they finish."""
    if client is None:
        for item in items:
            yield item, function(item)
        return
    from descentlab.sweeps.distributed import run_on

    for index, result in run_on(client, items, function):
        yield items[index], result


def _rows(plan: Plan, name: str, cell: Cell, result: CellResult) -> list[tuple]:
    settings = json.dumps(dict(cell.settings), sort_keys=True)
    rows = []
    for k, seed in enumerate(cell.seeds):
        key = plan.cell_key(cell.problem, cell.entrant, dict(cell.settings), seed)
        final = float(result.final_gap[k])
        rows.append((key, name, cell.problem.id, cell.entrant.label, seed, settings,
                     json.dumps(plain_evaluations(result.evaluations[k])),
                     final if final == final else None, result.status[k],
                     result.seconds / len(cell.seeds)))  # fmt: skip
    return rows


def _table(plan: Plan, store: BenchmarkStore, keys, settings):
    import pandas as pd

    records = []
    for problem in plan.problems:
        dim = problem.build().dim
        for entrant in plan.entrants:
            hashes = keys[(problem.id, entrant.label)]
            found = store.done_cells(list(hashes.values()))
            chosen = json.dumps(settings[(problem.id, entrant.label)], sort_keys=True)
            for seed in plan.seeds:
                evaluations, final, status, _ = found[hashes[seed]]
                for target, spent in zip(plan.targets, evaluations, strict=True):
                    records.append((plan.suite, problem.id, dim, entrant.label, seed, target,
                                    spent, final, status, chosen))  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["evaluations"] = frame["evaluations"].astype("Float64")
    frame["final_gap"] = frame["final_gap"].astype(float)
    return frame


COLUMNS = ["suite", "problem", "dim", "optimizer", "seed", "target", "evaluations", "final_gap",
           "status", "settings"]  # fmt: skip


def check_targets(targets) -> tuple[float, ...]:
    """Targets as a strictly decreasing tuple of positive numbers (default COCO's ladder)."""
    if targets is None:
        return COCO_TARGETS
    values = list(targets) if not isinstance(targets, str) else None
    if not values or not all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                             and math.isfinite(v) and v > 0 for v in values):  # fmt: skip
        raise ValueError(f"targets must be finite numbers > 0 (gaps f - f*), not {targets!r}")
    if any(b >= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"targets must be strictly decreasing (1e-1, 1e-4, ...), not {values}")
    return tuple(float(v) for v in values)


def fixed_settings(entrants: list[Entrant], hyper: Mapping[str, object]) -> dict[str, dict]:
    """Each entrant's fixed hyperparameters: ``name`` for every entrant that has it, or
    ``optimizer.name`` for one; a name no entrant has is an error."""
    fixed: dict[str, dict] = {e.label: {} for e in entrants}
    for key, value in hyper.items():
        if not isinstance(value, numbers.Real | str):  # a list would be one value per start
            raise ValueError(f"hyper {key!r} must be one value (a number, or a choice's name), "
                             f"not {value!r}: a benchmark runs one setting per optimizer (compare "
                             "settings with dl.sweep, or tune them)")  # fmt: skip
        owner, dot, parameter = str(key).rpartition(".")
        matched = False
        for entrant in entrants:
            known = {h.name for h in OPTIMIZERS[entrant.optimizer].hyperparameters()}
            if parameter in known and (not dot or owner in (entrant.optimizer, entrant.label)):
                fixed[entrant.label][parameter] = value
                matched = True
        if not matched:
            raise ValueError(f"hyper {key!r}: no benchmarked optimizer has it")
    for entrant in entrants:
        entrant.build(fixed[entrant.label])  # checks the values now
    return fixed


def _check_rules(entrants: list[Entrant], problems: list[BenchmarkProblem]) -> None:
    noisy = [p.id for p in problems if not p.deterministic]
    for entrant in entrants:
        if entrant.rule is not None and noisy:
            raise ValueError(f"{entrant.label!r} needs exact gradients and values, and "
                             f"{noisy[0]!r} has noise, minibatches or projection")  # fmt: skip


def _consecutive(seeds: list[int], most: int) -> list[tuple[int, ...]]:
    """Runs of at most ``most`` consecutive seeds (a run shares one batch and consecutive
    streams, so a seed gives the same numbers in a run of any length)."""
    runs: list[list[int]] = []
    for seed in seeds:
        if runs and seed == runs[-1][-1] + 1 and len(runs[-1]) < most:
            runs[-1].append(seed)
        else:
            runs.append([seed])
    return [tuple(run) for run in runs]


def _seeds(seeds: object) -> tuple[int, ...]:
    count = _whole("seeds", seeds, 1)
    if count > MAX_SEEDS:
        raise ValueError(f"seeds must be at most {MAX_SEEDS:,}, not {count:,}")
    return tuple(range(count))


def _whole_numbers(name: str, values) -> list[int] | None:
    """A selection of whole numbers (dimensions, bbob's function and instance indices); a
    fraction or a non-number is refused, not truncated."""
    if values is None:
        return None
    listed = [values] if isinstance(values, str | numbers.Number) else list(values)
    for value in listed:
        integral = isinstance(value, numbers.Integral) or (
            isinstance(value, float) and math.isfinite(value) and value.is_integer()
        )
        if isinstance(value, bool) or not integral:
            raise ValueError(f"{name} must be whole numbers, not {value!r}")
    return [int(value) for value in listed]


def _whole(name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, not {value!r}")
    return int(value)


def _positive(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not (math.isfinite(value) and value > 0)
    ):
        raise ValueError(f"{name} must be a finite number > 0, not {value!r}")
    return float(value)


def _digest(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _tell(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress(done, total, label)
