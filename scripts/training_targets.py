"""Set the training workloads' validation targets once, as AlgoPerf does: from the four
baselines (AdamW, NAdam, Nesterov, heavy-ball momentum) tuned by the external-tuning protocol
at the full budget. A baseline's value on a workload is the median over its 3 studies of the
best trial's best validation metric; the target is the best baseline's value, so that one
baseline reaches it in at least 2 of 3 studies. Writes
src/descentlab/benchmarking/training/targets.json (commit it with the date and machine).

    python scripts/training_targets.py [--engine jax] [--workloads W,...]

With --workloads, only those are (re)computed; the others' targets stay as committed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from descentlab._machine import describe
from descentlab.benchmarking.entrants import parse_entrant
from descentlab.benchmarking.training.harness import run_cell
from descentlab.benchmarking.training.protocol import STUDIES, TRIALS
from descentlab.benchmarking.training.suite import BASELINES
from descentlab.benchmarking.training.workloads import WORKLOADS

OUT = Path(__file__).resolve().parent.parent / "src/descentlab/benchmarking/training/targets.json"


def baseline_value(cell, higher: bool, metric: str) -> float:
    values = np.asarray(cell["valid"][metric], dtype=float)  # (K, studies * trials)
    values = np.where(np.isfinite(values), values, -np.inf if higher else np.inf)
    per_trial = values.max(axis=0) if higher else values.min(axis=0)
    per_study = per_trial.reshape(STUDIES, TRIALS)
    best = per_study.max(axis=1) if higher else per_study.min(axis=1)
    return float(np.median(best))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("numpy", "jax"), default="numpy")
    parser.add_argument("--workloads", help="only these (comma-separated)")
    args = parser.parse_args()
    chosen = args.workloads.split(",") if args.workloads else list(WORKLOADS)
    kept = json.loads(OUT.read_text()) if args.workloads and OUT.exists() else {}
    targets, values = dict(kept.get("targets", {})), dict(kept.get("baselines", {}))
    began = time.perf_counter()
    for name in chosen:
        workload = WORKLOADS[name]
        found = {}
        for baseline in BASELINES:
            cell = run_cell(workload, parse_entrant(baseline), "external", 0.0,
                            engine=args.engine)  # fmt: skip
            found[baseline] = baseline_value(cell, workload.higher_is_better,
                                             workload.target_metric)  # fmt: skip
            print(f"{name} {baseline}: {found[baseline]:.6g}", flush=True)
        pick = max if workload.higher_is_better else min
        targets[name] = pick(found.values())
        values[name] = found
    dates = dict(kept.get("dates", {}))
    dates |= {name: f"{time.strftime('%Y-%m-%d')}, {describe()}" for name in chosen}
    OUT.write_text(json.dumps({
        "written by": "python scripts/training_targets.py", "date": time.strftime("%Y-%m-%d"),
        "machine": describe(), "seconds": round(time.perf_counter() - began, 1),
        "dates": dates,
        "rule": "best baseline's median over 3 studies of its best trial's best validation "
                "metric (external tuning, full budget)",
        "targets": targets, "baselines": values}, indent=1) + "\n")  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
