"""What a training suite found: times to the targets, both rulesets' scores, the metrics.

Rows of a cell are its trials, study by study (``studies x trials``). Each study's best trial
is the one that reached the target first (or, when none did, the one with the best validation
metric); the final and best validation and test metrics are reported for it, as the median over
studies and their range (3 studies: the range is the honest interval).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.benchmarking.training.protocol import (
    RULESETS,
    algoperf_score,
    external_time,
    ratios,
    self_time,
)
from descentlab.benchmarking.training.workloads import get_workload


@dataclass
class TrainingResults:
    cells: list[dict[str, Any]]
    targets: dict[str, float]
    tier: str

    def cell(self, workload: str, entrant: str, ruleset: str) -> dict[str, Any]:
        for cell in self.cells:
            if (cell["workload"], cell["entrant"], cell["ruleset"]) == (workload, entrant,
                                                                          ruleset):  # fmt: skip
                return cell
        raise KeyError((workload, entrant, ruleset))

    @property
    def entrants(self) -> list[str]:
        return list(dict.fromkeys(c["entrant"] for c in self.cells))

    @property
    def workloads(self) -> list[str]:
        return list(dict.fromkeys(c["workload"] for c in self.cells))

    def rulesets(self) -> list[str]:
        """The AlgoPerf rulesets that ran (the budgets' cells are read by :meth:`budgets`)."""
        return [r for r in RULESETS if any(c["ruleset"] == r for c in self.cells)]

    def budgets(self) -> list[dict[str, Any]]:
        """Per workload, entrant, schedule and tuning budget: the chosen step and the final
        validation and test metrics over the evaluation seeds (median and 95% interval)."""
        from descentlab.results.statistics import median_interval

        rows = []
        for cell in (c for c in self.cells if c["ruleset"] == "budgets"):
            higher = get_workload(cell["workload"]).higher_is_better
            for budget, step in cell["chosen"].items():
                row = {"workload": cell["workload"], "entrant": cell["entrant"],
                       "schedule": cell.get("schedule", "constant"), "budget": budget,
                       "step": step}  # fmt: skip
                for split in ("valid", "test"):
                    values = np.asarray(cell[split][budget], dtype=float)
                    found = median_interval(-values if higher else values)
                    middle, low, high = (-found.median, -found.high, -found.low) if higher \
                        else (found.median, found.low, found.high)  # fmt: skip
                    row[split] = [middle, low, high]
                rows.append(row)
        return rows

    def time(self, cell: dict[str, Any]) -> float:
        """The cell's time to the target in steps (the ruleset's rule over its studies)."""
        design = cell["design"]
        steps = np.asarray(cell["steps_to_target"], dtype=float)
        steps = steps.reshape(design["studies"], design["trials"])
        return external_time(steps) if cell["ruleset"] == "external" else self_time(steps[:, 0])

    def times(self, ruleset: str) -> dict[str, dict[str, float]]:
        """``[entrant][workload]``: steps to the target under ``ruleset``."""
        return self._per_cell(ruleset, self.time)

    def seconds(self, ruleset: str) -> dict[str, dict[str, float]]:
        """``[entrant][workload]``: seconds to the target under ``ruleset``, its steps times
        the cell's wall time per step and per row (a cell trains its rows in one batched pass,
        so each row is charged an equal share)."""
        return self._per_cell(ruleset, lambda c: self.time(c) * c["seconds_per_step"] / c["rows"])

    def _per_cell(self, ruleset: str, value) -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = {}
        for c in self.cells:
            if c["ruleset"] == ruleset:
                found.setdefault(c["entrant"], {})[c["workload"]] = value(c)
        return found

    def scores(self, ruleset: str) -> dict[str, float]:
        """The AlgoPerf score of each entrant under ``ruleset``."""
        found = ratios(self.times(ruleset))
        return {e: algoperf_score(list(per.values())) for e, per in found.items()}

    def best_rows(self, cell: dict[str, Any]) -> list[int]:
        """Each study's best trial (its row in the cell)."""
        design, workload = cell["design"], get_workload(cell["workload"])
        metric = np.asarray(cell["valid"][workload.target_metric], dtype=float)
        reached = np.asarray(cell["steps_to_target"], dtype=float)
        higher = workload.higher_is_better
        sign = -1.0 if higher else 1.0  # smaller is better once signed

        def rank(row: int) -> tuple[float, float]:  # first to the target, then best metric
            return reached[row], sign * _best(metric[:, row], higher)

        trials = design["trials"]
        return [min(range(s * trials, (s + 1) * trials), key=rank)
                for s in range(design["studies"])]  # fmt: skip

    def metric_summary(self, cell: dict[str, Any]) -> dict[str, list[float]]:
        """Median, low and high over studies of the best trials' final and best metrics."""
        rows = self.best_rows(cell)
        out = {}
        for split in ("valid", "test"):
            for name, values in cell[split].items():
                values = np.asarray(values, dtype=float)[:, rows]
                higher = name == "accuracy"
                finals = values[-1]
                bests = [_best(values[:, k], higher) for k in range(len(rows))]
                out[f"final {split} {name}"] = _median_range(finals)
                out[f"best {split} {name}"] = _median_range(np.asarray(bests))
        return out

    def leaderboard(self):
        """One row per entrant and ruleset: the score and each workload's time in steps."""
        import pandas as pd

        rows = []
        for ruleset in self.rulesets():
            scores, times = self.scores(ruleset), self.times(ruleset)
            for entrant in scores:
                reached = sum(math.isfinite(t) for t in times[entrant].values())
                row = {"ruleset": ruleset, "entrant": entrant, "score": scores[entrant],
                       "reached": reached}  # fmt: skip
                row |= {w: times[entrant].get(w, math.inf) for w in self.workloads}
                rows.append(row)
        frame = pd.DataFrame(rows)
        return frame.sort_values(["ruleset", "score"], ascending=[True, False], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "descentlab.training-benchmark/1", "tier": self.tier,
            "targets": self.targets,
            "scores": {r: self.scores(r) for r in self.rulesets()},
            "times": {r: self.times(r) for r in self.rulesets()},
            "seconds": {r: self.seconds(r) for r in self.rulesets()},
            "metrics": [{"workload": c["workload"], "entrant": c["entrant"],
                         "ruleset": c["ruleset"], **self.metric_summary(c)} for c in self.cells
                        if c["ruleset"] in RULESETS],
            "budgets": self.budgets(),
        }  # fmt: skip


def _best(values: np.ndarray, higher: bool) -> float:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return -math.inf if higher else math.inf
    return float(finite.max() if higher else finite.min())


def _median_range(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return [math.nan, math.nan, math.nan]
    return [float(np.median(finite)), float(finite.min()), float(finite.max())]
