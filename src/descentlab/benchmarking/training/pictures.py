"""The training suite's pictures: learning curves with study bands per workload, times to the
target, and both rulesets' performance profiles. Each takes ``ax=`` (or a figure) and returns
it; none shows or saves."""

from __future__ import annotations

import math

import numpy as np

from descentlab.benchmarking.training.protocol import TAU_MAX, profile, ratios
from descentlab.benchmarking.training.results import TrainingResults
from descentlab.benchmarking.training.workloads import get_workload


def _axes(ax, figsize=(6.4, 4.4)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained").add_subplot()


def plot_learning_curves(results: TrainingResults, workload: str, ruleset: str = "external",
                         ax=None):  # fmt: skip
    """The validation metric of each study's best trial: median over studies and their range,
    one color per entrant, with the target."""
    ax = _axes(ax)
    spec = get_workload(workload)
    for k, entrant in enumerate(results.entrants):
        cell = results.cell(workload, entrant, ruleset)
        values = np.asarray(cell["valid"][spec.target_metric], dtype=float)
        values = values[:, results.best_rows(cell)]
        steps = np.asarray(cell["steps"])
        with np.errstate(all="ignore"):
            median = np.nanmedian(values, axis=1) if np.isfinite(values).any() else values[:, 0]
        color = f"C{k % 10}"
        ax.plot(steps, median, color=color, label=entrant)
        ax.fill_between(steps, np.nanmin(values, axis=1), np.nanmax(values, axis=1),
                        color=color, alpha=0.15)  # fmt: skip
    ax.axhline(results.targets[workload], color="black", linestyle="--", linewidth=1,
               label="target")  # fmt: skip
    if not spec.higher_is_better:
        ax.set_yscale("log")
    ax.set(title=f"{workload} ({ruleset} tuning)", xlabel="step",
           ylabel=f"validation {spec.target_metric}")  # fmt: skip
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="x-small")
    return ax


def plot_times(results: TrainingResults, ruleset: str = "external", ax=None):
    """Steps to the target per workload and entrant (missing bars: never reached)."""
    ax = _axes(ax, (8.0, 4.4))
    times = results.times(ruleset)
    workloads, entrants = results.workloads, results.entrants
    width = 0.8 / max(1, len(entrants))
    for k, entrant in enumerate(entrants):
        heights = [times[entrant].get(w, math.inf) for w in workloads]
        xs = np.arange(len(workloads)) + k * width
        shown = [(x, h) for x, h in zip(xs, heights, strict=True) if math.isfinite(h)]
        if shown:
            ax.bar(*zip(*shown, strict=True), width=width, color=f"C{k % 10}", label=entrant)
    ax.set_xticks(np.arange(len(workloads)) + 0.4 - width / 2, workloads, rotation=20,
                  ha="right", fontsize="small")  # fmt: skip
    ax.set(ylabel="steps to the validation target", yscale="log",
           title=f"time to target ({ruleset} tuning; no bar: not reached)")  # fmt: skip
    ax.legend(fontsize="x-small")
    return ax


def plot_profiles(results: TrainingResults, ruleset: str = "external", ax=None):
    """AlgoPerf's performance profile: the share of workloads each entrant reaches within
    ``tau`` times the fastest, ``tau`` from 1 to 4; the score in the legend."""
    ax = _axes(ax)
    taus = np.linspace(1.0, TAU_MAX, 301)
    found = ratios(results.times(ruleset))
    scores = results.scores(ruleset)
    for k, entrant in enumerate(results.entrants):
        ax.step(taus, profile(list(found[entrant].values()), taus), where="post",
                color=f"C{k % 10}", label=f"{entrant} (score {scores[entrant]:.3f})")  # fmt: skip
    ax.set(xlabel="tau (time over the fastest's)", ylabel="share of workloads", ylim=(-0.02, 1.02),
           title=f"performance profiles, {ruleset} tuning")  # fmt: skip
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="x-small", loc="lower right")
    return ax
