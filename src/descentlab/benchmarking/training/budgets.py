"""The crowded valley's tuning budgets (Schmidt, Schneider & Hennig, ICML 2021), on this lab's
scale: how much does tuning buy, against choosing another optimizer?

Per optimizer and workload: **one-shot** (the defaults), a **small** budget (the best of 5
random trials) and a **large** one (the best of 25), the trials log-uniform in the optimizer's
search space (:func:`~descentlab.benchmarking.training.protocol.search_space`), all 26 settings
trained as one batched run on the tuning seed and ranked by their final validation metric.
Each budget's chosen setting is then re-run on 6 evaluation seeds the tuning never used (one
batched run of 18 rows), and the final validation and test metrics are compared as medians
with distribution-free 95% intervals.

Each budget is run under each of the paper's schedules for the step size: **constant**,
**cosine** (half a cosine from the step down to 0 over the budget) and **warm-up + cosine**
(a straight line up from 0 over the first 5% of the steps, then the cosine); the tuned step is
the schedule's peak. Schedule-free optimizers run without one (their averaging takes its
place), as in the paper's "none" for methods that bring their own.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.training.protocol import default_step, search_space
from descentlab.benchmarking.training.workloads import Workload
from descentlab.runner import minimize
from descentlab.schedules import CosineDecay, Warmup

BUDGETS = {"one-shot": 0, "small": 5, "large": 25}
TUNING_SEED, EVALUATION_SEED, EVALUATION_RUNS = 2000, 3000, 6
SCHEDULES = ("constant", "cosine", "warmup-cosine")
WARMUP_SHARE = 0.05


def schedules_for(entrant: Entrant, chosen=SCHEDULES) -> tuple[str, ...]:
    """The schedules of ``chosen`` an entrant runs: schedule-free optimizers (and the PyTorch
    and optax controls, whose update takes a number) only the constant step."""
    if entrant.optimizer.startswith("schedule-free") or not getattr(entrant, "schedulable", True):
        return ("constant",) if "constant" in chosen else ()
    return tuple(chosen)


def scheduled(steps: np.ndarray, schedule: str, n_iter: int):
    """The step sizes ``steps`` (one per row) as ``schedule``'s peaks over ``n_iter`` steps."""
    if schedule == "constant":
        return steps
    if schedule == "cosine":
        return CosineDecay(initial=steps, steps=n_iter)
    if schedule == "warmup-cosine":
        warm = max(1, round(WARMUP_SHARE * n_iter))
        return Warmup(CosineDecay(initial=steps, steps=n_iter - warm), steps=warm)
    raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, not {schedule!r}")


def random_trials(entrant: Entrant, count: int = 25, seed: int = TUNING_SEED) -> np.ndarray:
    _, low, high = search_space(entrant)
    unit = np.random.default_rng(seed).random(count)
    return np.exp(np.log(low) + unit * (np.log(high) - np.log(low)))


def _train(workload: Workload, entrant: Entrant, steps: np.ndarray, schedule: str, seed: int,
           engine: str):  # fmt: skip
    x0 = workload.starts(len(steps), seed)
    settings = {entrant.step_name: scheduled(steps, schedule, workload.steps)}
    return minimize(workload.problem, entrant.build(settings), n_iter=workload.steps, x0=x0,
                    seed=seed, batch_size=workload.batch_size, record="none",
                    step_rule=entrant.step_rule(), engine=engine)  # fmt: skip


def _final(workload: Workload, x: np.ndarray, split: str) -> np.ndarray:
    value = workload.metrics(x, split)[workload.target_metric]
    worst = -np.inf if workload.higher_is_better else np.inf
    return np.where(np.isfinite(value), value, worst)


def run_budget_cell(workload: Workload, entrant: Entrant, engine: str = "numpy",
                    schedule: str = "constant") -> dict[str, Any]:  # fmt: skip
    """Tune at the three budgets under ``schedule``, re-run each choice on the evaluation seeds
    (plain numbers)."""
    began = time.perf_counter()
    steps = np.concatenate([[default_step(entrant)], random_trials(entrant)])  # row 0: defaults
    tuned = _final(workload, _train(workload, entrant, steps, schedule, TUNING_SEED,
                                    engine).x, "valid")  # fmt: skip
    pick = np.argmax if workload.higher_is_better else np.argmin
    chosen = {"one-shot": 0}
    chosen |= {b: 1 + int(pick(tuned[1 : 1 + n])) for b, n in BUDGETS.items() if n}
    picked = np.repeat([steps[chosen[b]] for b in BUDGETS], EVALUATION_RUNS)
    evaluated = _train(workload, entrant, picked, schedule, EVALUATION_SEED, engine)
    valid = _final(workload, evaluated.x, "valid").reshape(len(BUDGETS), EVALUATION_RUNS)
    test = _final(workload, evaluated.x, "test").reshape(len(BUDGETS), EVALUATION_RUNS)
    return {
        "workload": workload.name, "entrant": entrant.label, "ruleset": "budgets",
        "schedule": schedule, "tuning_steps": steps.tolist(), "tuning_valid": tuned.tolist(),
        "chosen": {b: float(steps[chosen[b]]) for b in BUDGETS},
        "valid": {b: valid[k].tolist() for k, b in enumerate(BUDGETS)},
        "test": {b: test[k].tolist() for k, b in enumerate(BUDGETS)},
        "seconds": time.perf_counter() - began,
    }  # fmt: skip
