"""One study of one optimizer on one workload, as one batched run.

Every trial of a study is a row of one :func:`descentlab.minimize` call (its own step size, its
own start and minibatch stream from the study's seed), so a tuning study of 15 trials costs one
pass over the steps. The recorded points give the validation and test metrics at every
evaluation step; a study's outcome is plain numbers (JSON), reproducible bit for bit from its
seed and settings.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from descentlab.benchmarking.entrants import Entrant
from descentlab.benchmarking.training.protocol import (
    SELF_BUDGET,
    STUDIES,
    TRIALS,
    steps_to_target,
    trial_steps,
)
from descentlab.benchmarking.training.workloads import Workload
from descentlab.runner import minimize

#: The seed of every cell's run: its rows (the studies' trials) draw their own starts and
#: minibatch streams from it, row by row.
SEED = 1000


def plan(entrant: Entrant, ruleset: str, quick: bool = False) -> dict[str, Any]:
    """What a cell runs: the settings of each row and the seeds (JSON, part of its hash)."""
    if ruleset == "external":
        trials = TRIALS if not quick else 3
        steps = np.concatenate([trial_steps(entrant, s, trials) for s in range(STUDIES)])
        return {"settings": {entrant.step_name: steps.tolist()}, "studies": STUDIES,
                "trials": trials, "budget": 1.0}  # fmt: skip
    return {"settings": {}, "studies": STUDIES, "trials": 1, "budget": SELF_BUDGET}


def run_cell(workload: Workload, entrant: Entrant, ruleset: str, target: float,
             quick: bool = False, engine: str = "numpy") -> dict[str, Any]:  # fmt: skip
    """Train every row of the cell at once and measure it (plain numbers)."""
    design = plan(entrant, ruleset, quick)
    rows = design["studies"] * design["trials"]
    settings = {k: np.asarray(v) for k, v in design["settings"].items()}
    steps = round(workload.steps * design["budget"])
    x0 = workload.starts(rows, SEED)
    began = time.perf_counter()
    result = minimize(workload.problem, entrant.build(settings), n_iter=steps, x0=x0, seed=SEED,
                      batch_size=workload.batch_size, record=workload.eval_every,
                      step_rule=entrant.step_rule(), engine=engine)  # fmt: skip
    seconds = time.perf_counter() - began
    valid = workload.metrics(result.path, "valid")
    test = workload.metrics(result.path, "test")
    key = workload.target_metric
    reached = steps_to_target(result.path_iter, valid[key], target, workload.higher_is_better)
    return {
        "workload": workload.name,
        "entrant": entrant.label,
        "ruleset": ruleset,
        "design": design,
        "steps": result.path_iter.tolist(),
        "rows": rows,
        "valid": {k: v.tolist() for k, v in valid.items()},
        "test": {k: v.tolist() for k, v in test.items()},
        "train_loss": np.asarray(result.path_fun, dtype=float).tolist(),
        "status": [str(s) for s in np.ravel(result.status)],
        "steps_to_target": reached.tolist(),
        "seconds": seconds,
        "seconds_per_step": seconds / steps,  # of the whole batch: rows share one pass
    }
