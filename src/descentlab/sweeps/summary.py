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
    (median over the seeds that did not diverge; NaN when all did), ``diverged`` and
    ``unstable`` (shares of seeds that diverged, or diverged or grew) and ``status`` (the
    seeds' statuses in words: ``converged``, or ``max_iter 3, diverged 2``)."""
    by = hyperparameter_columns(frame) if by is None else by
    diverged = frame["status"] == "diverged"
    data = frame.assign(
        _iterations=frame["iterations"].astype("Float64").fillna(np.inf).astype(float),
        _reached=frame["iterations"].notna(),
        _unstable=unstable(frame),
        _diverged=diverged,
        _finite_gap=frame["final_gap"].where(~diverged),
    )
    keys = ["problem", "optimizer", *by]
    grouped = data.groupby(keys, sort=False, dropna=False)
    return grouped.agg(
        seeds=("seed", "size"),
        reached=("_reached", "sum"),
        iterations=("_iterations", "median"),
        final_gap=("_finite_gap", "median"),
        diverged=("_diverged", "mean"),
        unstable=("_unstable", "mean"),
        status=("status", status_words),
    ).reset_index()


def status_words(statuses) -> str:
    """``converged`` when every seed ended so, else each status with its count, most first."""
    counts = statuses.value_counts(sort=True)
    if len(counts) == 1:
        return str(counts.index[0])
    return ", ".join(f"{status} {count}" for status, count in counts.items())


def rank_settings(settings):
    """Settings best first: fewest median iterations to the target, then those with fewer
    diverged seeds, then the lowest median final gap of the seeds that did not diverge (a
    setting whose seeds all diverged comes last, whatever its numbers)."""
    return settings.sort_values(["iterations", "diverged", "final_gap"], kind="stable",
                                na_position="last")  # fmt: skip


def best_settings(frame, n: int = 5):
    """The ``n`` best settings of each (problem, optimizer), in the order of
    :func:`rank_settings`."""
    ranked = rank_settings(per_setting(frame))
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
