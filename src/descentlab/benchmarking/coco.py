"""COCO's bbob suite through ``cocoex``, under COCO's rules (the ``descentlab[coco]`` extra).

- every evaluation goes through COCO's problem, so COCO counts it and its observer logs it: the
  value at each iterate and the ``2 d`` values of each central-difference gradient;
- one setting of each optimizer for the whole suite (its defaults, or ``hyper``): no tuning per
  function;
- independent restarts within the budget ``budget x d`` evaluations: the first from COCO's
  initial solution, the others uniform in ``[-5, 5]^d`` (seeded); a run restarts when it
  converges (``||g|| <= 1e-10``), diverges or runs out of iterations, and the problem ends when
  COCO says the final target ``f - f_opt <= 1e-8`` is hit or the budget is spent;
- the observer writes COCO's own data files to ``out/<optimizer>``, which ``cocopp``
  post-processes as it would any algorithm's (``python -m cocopp out/gd out/adam``).

The table returned is computed from the same runs: the evaluations (COCO's count) at which each
target ``f - f_opt`` was first reached, one row per function, dimension, instance (as ``seed``)
and target. ``f_opt`` comes from ``cocoex.BareProblem`` and is used only for that table and to
stop at the final target, as COCO's ``final_target_hit`` does.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.runs import first_hits
from descentlab.problems.problem import Problem
from descentlab.runner import Tolerance, minimize

NEEDS_COCO = ("the bbob suite needs COCO: pip install 'descentlab[coco]' (coco-experiment, "
              "cocopp)")  # fmt: skip
FINAL_TARGET = 1e-8
RESTART_SEED = 12_345
#: The smallest budget multiplier: f(x0) and its gradient (1 + 2d), then one step (2d + 1).
MIN_BUDGET = 5


def run_bbob(entrants: list[Entrant], *, budget: int, hyper, functions, dims, instances,
             out, targets, tuning, store, workers, client, progress):  # fmt: skip
    """Every entrant on the selected bbob problems; COCO's data files in ``out``."""
    if tuning is not None:
        raise ValueError(
            "the bbob suite keeps COCO's rules: one setting per optimizer for "
            "the whole suite, no tuning per function (fix settings with hyper)"
        )
    if store is not None or workers is not None or client is not None:
        raise ValueError("the bbob suite runs in one process: COCO's observer writes its data "
                         "files itself (no store, no workers)")  # fmt: skip
    if out is None or not str(out).strip():
        raise ValueError("the bbob suite needs out: the folder for COCO's data files")
    if budget < MIN_BUDGET:
        raise ValueError(f"the bbob suite needs budget >= {MIN_BUDGET}, not {budget}: budget x d "
                         "evaluations must hold the start, its central-difference gradient (2d "
                         "values) and one step (2d + 1)")  # fmt: skip
    from descentlab.benchmarking.core import fixed_settings

    cocoex = _cocoex()
    fixed = fixed_settings(entrants, hyper)
    options = suite_options(functions, dims, instances)
    for entrant in entrants:  # before any work: a later entrant's folder would stop the run
        _check_free(Path(out) / entrant.label)
    total = len(entrants) * len(cocoex.Suite("bbob", "", options))
    records, done = [], 0
    for entrant in entrants:
        for problem in _observed(cocoex, Path(out), entrant.label, options):
            records.extend(_solve(cocoex, problem, entrant, fixed[entrant.label], budget,
                                  targets))  # fmt: skip
            done += 1
            if progress is not None:
                progress(done, total, f"{entrant.label} on {problem.id}")
    return _frame(records)


def suite_options(functions: Sequence[int] | None, dims: Sequence[int] | None,
                  instances: Sequence[int] | None) -> str:  # fmt: skip
    """COCO's suite options from the selections (``function_indices:1,8 dimensions:2``)."""
    parts = []
    for name, values, allowed in (("function_indices", functions, range(1, 25)),
                                  ("dimensions", dims, (2, 3, 5, 10, 20, 40)),
                                  ("instance_indices", instances, range(1, 16))):  # fmt: skip
        if values:
            chosen = [int(v) for v in values]
            bad = [v for v in chosen if v not in allowed]
            if bad:
                raise ValueError(f"bbob {name.split('_')[0]} must be among "
                                 f"{_describe(allowed)}, not {bad}")  # fmt: skip
            parts.append(f"{name}:{','.join(map(str, chosen))}")
    return " ".join(parts)


def _describe(allowed) -> str:
    return f"{allowed.start}..{allowed.stop - 1}" if isinstance(allowed, range) else str(allowed)


def _solve(cocoex, problem, entrant: Entrant, settings, budget: int, targets) -> list[tuple]:
    """Restarts of ``entrant`` on one COCO problem until the final target or the budget."""
    d = problem.dimension
    f_opt = cocoex.BareProblem("bbob", problem.id_function, d, problem.id_instance).best_value()
    seen: list[float] = []  # every value COCO was asked for, in order: COCO's own count
    box = np.column_stack([problem.lower_bounds, problem.upper_bounds])
    ours = Problem(_batched(problem, seen), bounds=box, minimum=f_opt, name=problem.id,
                   vectorized=True)  # fmt: skip
    optimizer = entrant.build(settings)
    limit = budget * d
    rng = np.random.RandomState(RESTART_SEED + problem.index)
    x0 = np.asarray(problem.initial_solution, dtype=float)
    while problem.evaluations < limit and not problem.final_target_hit:
        # f(x0) and its gradient's 2d values, then per update the new point's value and
        # gradient (the last one's too): the run stays within the budget
        n_iter = (limit - problem.evaluations - 1 - 2 * d) // (2 * d + 1)
        if n_iter < 1:
            break
        minimize(ours, optimizer, n_iter=int(n_iter), x0=x0, record="none",
                 tol=Tolerance(grad=1e-10, fun=FINAL_TARGET))  # fmt: skip
        x0 = rng.uniform(problem.lower_bounds, problem.upper_bounds)
    gaps = np.asarray(seen, dtype=float) - f_opt
    costs = np.arange(1.0, len(seen) + 1.0)
    hits = first_hits(costs[:, None], gaps[:, None], targets, limit)[0]
    name = f"f{problem.id_function:03d}-d{d:02d}"
    return [("bbob", name, d, entrant.label, int(problem.id_instance), target, spent,
             float(np.nanmin(gaps)), "solved" if problem.final_target_hit else "budget",
             _settings_text(settings))
            for target, spent in zip(targets, hits, strict=True)]  # fmt: skip


def _batched(problem, seen: list[float]):
    """COCO's problem (one point per call) on a batch of points, each call counted by COCO
    and its value kept in ``seen``."""

    def values(x):
        points = np.asarray(x, dtype=float)
        flat = points.reshape(-1, points.shape[-1])
        found = [problem(row) for row in flat]
        seen.extend(found)
        return np.array(found).reshape(points.shape[:-1])

    return values


def _observed(cocoex, out: Path, label: str, options: str) -> Iterator[object]:
    """The suite's problems, each observed by COCO's observer writing to ``out/label`` and freed
    (its files closed) once the caller is done with it. COCO writes under ``./exdata``: the
    runs happen in a scratch folder, and the data folder is moved to its place at the end."""
    target = out / label
    _check_free(target)
    out.mkdir(parents=True, exist_ok=True)
    cocoex.log_level("warning")
    scratch = tempfile.mkdtemp(prefix=".coco-", dir=out)
    previous = os.getcwd()
    os.chdir(scratch)
    try:
        observer = cocoex.Observer("bbob", f"result_folder: {label} algorithm_name: {label}")
        for problem in cocoex.Suite("bbob", "", options):
            problem.observe_with(observer)
            yield problem
            problem.free()
        del observer
        gc.collect()  # the observer's last writes, before its folder moves
        os.chdir(previous)
        shutil.move(str(Path(scratch) / "exdata" / label), str(target))
    finally:  # an interrupted entrant leaves nothing behind that a retry would trip on
        os.chdir(previous)
        shutil.rmtree(scratch, ignore_errors=True)


def _check_free(target: Path) -> None:
    if target.exists():
        raise ValueError(f"{target} exists: give an empty out folder (COCO would add a "
                         "suffix and cocopp would not find the data)")  # fmt: skip


def _settings_text(settings) -> str:
    import json

    return json.dumps(settings, sort_keys=True, default=str)


def _frame(records: list[tuple]):
    import pandas as pd

    from descentlab.benchmarking.core import COLUMNS

    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["evaluations"] = frame["evaluations"].astype("Float64")
    return frame


def _cocoex():
    try:
        import cocoex
    except ImportError:
        raise ImportError(NEEDS_COCO) from None
    return cocoex
