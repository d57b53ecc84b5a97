"""The crowded valley's tuning budgets (Schmidt, Schneider & Hennig, ICML 2021), on this lab's
scale: how much does tuning buy, against choosing another optimizer?

Per optimizer and workload: **one-shot** (the defaults), a **small** budget (the best of 5
random trials) and a **large** one (the best of 25), the trials log-uniform in the optimizer's
search space (:func:`~descentlab.benchmarking.training.protocol.search_space`), all 26 settings
trained as one batched run on the tuning seed and ranked by their final validation metric.
Each budget's chosen setting is then re-run on 6 evaluation seeds the tuning never used (one
batched run of 18 rows), and the final validation and test metrics are compared as medians
with distribution-free 95% intervals. The schedule is constant (the paper also tries cosine
and warm-up + cosine, which this lab leaves to a later round).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.training.protocol import default_step, search_space
from descentlab.benchmarking.training.workloads import Workload
from descentlab.runner import minimize

BUDGETS = {"one-shot": 0, "small": 5, "large": 25}
TUNING_SEED, EVALUATION_SEED, EVALUATION_RUNS = 2000, 3000, 6


def random_trials(entrant: Entrant, count: int = 25, seed: int = TUNING_SEED) -> np.ndarray:
    _, low, high = search_space(entrant)
    unit = np.random.default_rng(seed).random(count)
    return np.exp(np.log(low) + unit * (np.log(high) - np.log(low)))


def _train(workload: Workload, entrant: Entrant, settings, seed: int, rows: int, engine: str):
    x0 = workload.starts(rows, seed)
    return minimize(workload.problem, entrant.build(settings), n_iter=workload.steps, x0=x0,
                    seed=seed, batch_size=workload.batch_size, record="none",
                    step_rule=entrant.step_rule(), engine=engine)  # fmt: skip


def _final(workload: Workload, x: np.ndarray, split: str) -> np.ndarray:
    value = workload.metrics(x, split)[workload.target_metric]
    worst = -np.inf if workload.higher_is_better else np.inf
    return np.where(np.isfinite(value), value, worst)


def run_budget_cell(workload: Workload, entrant: Entrant, engine: str = "numpy") -> dict[str, Any]:
    """Tune at the three budgets, re-run each choice on the evaluation seeds (plain numbers)."""
    began = time.perf_counter()
    name = entrant.step_name
    steps = np.concatenate([[default_step(entrant)], random_trials(entrant)])  # row 0: defaults
    tuned = _final(workload, _train(workload, entrant, {name: steps}, TUNING_SEED,
                                    len(steps), engine).x, "valid")  # fmt: skip
    pick = np.argmax if workload.higher_is_better else np.argmin
    chosen = {"one-shot": 0}
    chosen |= {b: 1 + int(pick(tuned[1 : 1 + n])) for b, n in BUDGETS.items() if n}
    picked = np.repeat([steps[chosen[b]] for b in BUDGETS], EVALUATION_RUNS)
    evaluated = _train(workload, entrant, {name: picked}, EVALUATION_SEED, len(picked), engine)
    valid = _final(workload, evaluated.x, "valid").reshape(len(BUDGETS), EVALUATION_RUNS)
    test = _final(workload, evaluated.x, "test").reshape(len(BUDGETS), EVALUATION_RUNS)
    return {
        "workload": workload.name, "entrant": entrant.label, "ruleset": "budgets",
        "tuning_steps": steps.tolist(), "tuning_valid": tuned.tolist(),
        "chosen": {b: float(steps[chosen[b]]) for b in BUDGETS},
        "valid": {b: valid[k].tolist() for k, b in enumerate(BUDGETS)},
        "test": {b: test[k].tolist() for k, b in enumerate(BUDGETS)},
        "seconds": time.perf_counter() - began,
    }  # fmt: skip
