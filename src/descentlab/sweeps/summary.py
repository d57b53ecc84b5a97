"""From a sweep's cells to settings: medians over seeds, the best settings, unstable cells."""

from __future__ import annotations

import numpy as np

#: Columns of a sweep's frame that are not hyperparameters.
NOT_HYPERPARAMETERS = frozenset(
    ("problem", "optimizer", "seed", "final_gap", "start_gap", "iterations", "gradients",
     "status", "seconds", "n_iter", "target", "cell")
)  # fmt: skip


def hyperparameter_columns(frame) -> list[str]:
    """The hyperparameter columns of a sweep's frame, in order."""
    return [c for c in frame.columns if c not in NOT_HYPERPARAMETERS]


def swept_columns(frame) -> list[str]:
    """The hyperparameters that take more than one value in ``frame``."""
    return [c for c in hyperparameter_columns(frame) if frame[c].nunique(dropna=True) > 1]


def unstable(frame):
    """True for cells that diverged or ended farther from the minimum than they started."""
    return (frame["status"] == "diverged") | (frame["final_gap"] > frame["start_gap"])


def per_setting(frame, by: list[str] | None = None):
    """One row per (problem, optimizer, setting) with, over its seeds: ``seeds``, ``reached``
    (how many reached the target), ``iterations`` (median; a seed that never reached counts
    as infinitely slow, so the median is finite only when most seeds reached), ``final_gap``
    (median) and ``unstable`` (share of seeds that diverged or grew)."""
    by = hyperparameter_columns(frame) if by is None else by
    data = frame.assign(
        _iterations=frame["iterations"].astype("Float64").fillna(np.inf).astype(float),
        _reached=frame["iterations"].notna(),
        _unstable=unstable(frame),
    )
    keys = ["problem", "optimizer", *by]
    grouped = data.groupby(keys, sort=False, dropna=False)
    return grouped.agg(
        seeds=("seed", "size"),
        reached=("_reached", "sum"),
        iterations=("_iterations", "median"),
        final_gap=("final_gap", "median"),
        unstable=("_unstable", "mean"),
    ).reset_index()


def best_settings(frame, n: int = 5):
    """The ``n`` best settings of each (problem, optimizer): fewest median iterations to the
    target, then lowest median final gap."""
    settings = per_setting(frame)
    ranked = settings.sort_values(["iterations", "final_gap"], kind="stable")
    top = ranked.groupby(["problem", "optimizer"], sort=False).head(n)
    pairs = zip(frame["problem"], frame["optimizer"], strict=True)
    order = {pair: k for k, pair in enumerate(dict.fromkeys(pairs))}
    group = [order[pair] for pair in zip(top["problem"], top["optimizer"], strict=True)]
    return top.assign(_group=group).sort_values("_group", kind="stable").drop(
        columns="_group").reset_index(drop=True)  # fmt: skip


def is_log_spaced(values) -> bool:
    """True for three or more positive values with a constant ratio (a ``log:`` axis)."""
    v = np.unique(np.asarray(values, dtype=float))
    if v.size < 3 or v[0] <= 0:
        return False
    steps = np.diff(np.log(v))
    lin_steps = np.diff(v)
    return bool(np.allclose(steps, steps[0], rtol=1e-6) and not
                np.allclose(lin_steps, lin_steps[0], rtol=1e-6))  # fmt: skip
