"""From a benchmark's table to what people read: the leaderboard, and the cost tables the
profiles are computed from.

A *run* is one (problem, seed) pair; in the profiles each run is one "problem" of Dolan & Moré
and Moré & Wild (the seeds are different starts, so different instances of the problem).
"""

from __future__ import annotations

import json

import numpy as np

from descentlab.benchmarking import profiles
from descentlab.results.statistics import median_interval

#: The targets the leaderboard shows the share of solved runs at.
LEADERBOARD_TARGETS = (1e-1, 1e-4, 1e-8)
#: What the leaderboard's intervals are, said beside them wherever they are shown.
INTERVAL_NOTE = (
    "95% intervals of the median over the runs (problems x seeds, every dimension "
    "pooled, each with its own budget): they show how the seeds vary on these "
    "problems only, not how the optimizer would fare on other problems"
)


def costs_at(frame, target: float):
    """The evaluations each optimizer took on each run to reach ``target`` (``inf``: not
    within the budget): a table ``(runs, optimizers)``, the runs' dimensions, and the names."""
    chosen = frame[np.isclose(frame["target"], target, rtol=1e-12, atol=0)]
    if chosen.empty:
        raise ValueError(f"target {target:g} is not among the benchmark's targets")
    table = chosen.pivot_table(index=["problem", "seed"], columns="optimizer",
                               values="evaluations", aggfunc="first", dropna=False)  # fmt: skip
    order = list(dict.fromkeys(frame["optimizer"]))
    table = table.reindex(columns=order)
    dims = chosen.groupby(["problem", "seed"])["dim"].first().reindex(table.index)
    costs = table.astype(float).to_numpy()
    costs = np.where(np.isnan(costs), np.inf, np.maximum(costs, 1.0))
    return costs, dims.to_numpy(dtype=float), order


def runtimes(frame, optimizer: str, targets=profiles.COCO_TARGETS):
    """Runtimes ``(runs, targets)`` of ``optimizer`` to COCO's ladder of targets, and the runs'
    dimensions (for the runtime ECDF)."""
    mine = frame[frame["optimizer"] == optimizer]
    kept = [t for t in targets if np.isclose(mine["target"], t, rtol=1e-9, atol=0).any()]
    if not kept:
        raise ValueError("the benchmark measured none of COCO's targets 1e2 .. 1e-8")
    rows = mine[np.isin(np.round(np.log10(mine["target"]), 6), np.round(np.log10(kept), 6))]
    table = rows.pivot_table(index=["problem", "seed"], columns="target", values="evaluations",
                             aggfunc="first", dropna=False)  # fmt: skip
    dims = rows.groupby(["problem", "seed"])["dim"].first().reindex(table.index)
    values = table.astype(float).to_numpy()
    return np.where(np.isnan(values), np.inf, values), dims.to_numpy(dtype=float)


def leaderboard(frame, targets=LEADERBOARD_TARGETS):
    """Per optimizer: the share of runs that reached each target, the median evaluations to
    each (a run that missed counts as infinitely slow) with a distribution-free 95% interval,
    and the settings it ran with (tuned: the median step size over the problems)."""
    import pandas as pd

    rows = []
    for optimizer, mine in frame.groupby("optimizer", sort=False):
        row = {"optimizer": optimizer}
        for target in targets:
            at = mine[np.isclose(mine["target"], target, rtol=1e-12, atol=0)]
            if at.empty:
                continue
            spent = at["evaluations"].astype(float).to_numpy()
            row[f"solved {target:g}"] = float(np.mean(~np.isnan(spent)))
            if spent.size >= 6:
                summary = median_interval(spent)
                row[f"median evaluations {target:g}"] = summary.median
                row[f"95% interval {target:g}"] = (summary.low, summary.high)
        row["settings"] = _settings_summary(mine)
        rows.append(row)
    return pd.DataFrame(rows)


def _settings_summary(rows) -> str:
    settings = [json.loads(text) for text in rows.drop_duplicates("problem")["settings"]]
    if not settings or all(not s for s in settings):
        return "defaults"
    names = sorted({name for s in settings for name in s})
    parts = []
    for name in names:
        values = [s[name] for s in settings if name in s]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values) and len(set(numbers)) > 1:
            parts.append(f"{name} median {np.median(numbers):.3g} "
                         f"({min(numbers):.3g}..{max(numbers):.3g})")  # fmt: skip
        else:
            parts.append(f"{name}={values[0]}")
    return ", ".join(parts)
