"""Experiments 13-15: the crowded valley's claims, on the training benchmark's own data.

Schmidt, Schneider & Hennig (ICML 2021) trained 15 optimizers on 8 problems at three tuning
budgets and four schedules and concluded that no optimizer dominates, that tuning (and
schedules) matter about as much as the choice, and, later work added, schedule-free methods
match a tuned cosine (Defazio et al. 2024). Each experiment here runs the training suite's
tuning budgets (:mod:`descentlab.benchmarking.training.budgets`: one-shot, best of 5, best of
25, each choice re-run on 6 evaluation seeds, under the constant, cosine and warm-up + cosine
schedules) and reads its claim's checks from the numbers
(:mod:`descentlab.benchmarking.training.verdicts`). The full design is the default training
suite's workloads and optimizers (about half an hour on 2 cores, computed once per process
and shared by the three; set :data:`STORE` to a training store's path to keep and resume the
cells); the quick one two convex workloads, AdamW, Nesterov and schedule-free AdamW, the
constant and cosine schedules.
"""

from __future__ import annotations

import functools

import numpy as np

from descentlab.experiments._base import Check, Experiment, Finding, Progress

#: A training store's path the designs read and write (None: computed in memory).
STORE: str | None = None
QUICK = {"workloads": ("least-squares-diabetes", "logistic-breast-cancer"),
         "optimizers": ("adamw", "nesterov", "schedule-free-adamw"),
         "schedules": ("constant", "cosine")}  # fmt: skip
SOURCE = ("Schmidt, Schneider & Hennig, ICML 2021, 'Descending through a Crowded Valley: "
          "Benchmarking Deep Learning Optimizers'")  # fmt: skip


@functools.cache
def _results(quick: bool, store: str | None):
    from descentlab.benchmarking.training import training_benchmark
    from descentlab.benchmarking.training.budgets import SCHEDULES

    if quick:
        return training_benchmark("quick", rulesets=("budgets",), store=store, **QUICK)
    return training_benchmark("default", rulesets=("budgets",), store=store,
                              schedules=SCHEDULES)  # fmt: skip


def _design(quick: bool) -> str:
    from descentlab.benchmarking.training.suite import TIERS

    workloads, optimizers = (QUICK["workloads"], QUICK["optimizers"]) if quick else TIERS["default"]
    schedules = QUICK["schedules"] if quick else ("constant", "cosine", "warmup-cosine")
    return (f"the training suite's tuning budgets on {', '.join(workloads)}; optimizers "
            f"{', '.join(optimizers)}; schedules {', '.join(schedules)} (schedule-free: none); "
            "per budget (defaults, best of 5, best of 25 log-uniform trials of the step size, "
            "ranked on the tuning seed) the choice re-run on 6 evaluation seeds; the final "
            "test metric's median and distribution-free 95% interval.")  # fmt: skip


def _experiment(claim_index: int, name: str, title: str, claim: str,
                source: str) -> Experiment:  # fmt: skip
    """The experiment whose checks are those of the suite's ``claim_index``-th claim."""

    def run(quick: bool, progress: Progress) -> Finding:
        from descentlab.benchmarking.training.verdicts import claims

        progress.plan(1)
        results = _results(quick, STORE)
        progress.advance("the tuning budgets")
        claim = claims(results)[claim_index]
        checks = [Check(condition, bool(holds), evidence)
                  for condition, holds, evidence in claim.checks]  # fmt: skip
        return experiment.finding(design=_design(quick), quick=quick, checks=checks,
                                  numbers={"budgets": results.budgets()}, data={})  # fmt: skip

    experiment = Experiment(name, title, claim, source, run=run, draw=draw)
    return experiment


MARKERS = {"constant": "o", "cosine": "s", "warmup-cosine": "^"}


def draw(finding: Finding):
    """One panel per workload (three to a row): each optimizer (a colour) and schedule (a
    marker) at the three budgets, its final test metric's median and 95% interval; losses on
    a log scale, cut at ten times the tuned budgets' worst; one legend for the figure."""
    import matplotlib.pyplot as plt

    rows = finding.numbers["budgets"]
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    entrants = list(dict.fromkeys(r["entrant"] for r in rows))
    columns = min(3, len(workloads))
    lines = -(-len(workloads) // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(4.8 * columns, 3.4 * lines + 0.9),
                                layout="constrained", squeeze=False)  # fmt: skip
    for ax, workload in zip(axes.flat, workloads, strict=False):
        _draw_workload(ax, [r for r in rows if r["workload"] == workload], workload, entrants)
    for ax in axes.flat[len(workloads) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=min(6, len(labels)),
                  fontsize="small")  # fmt: skip
    figure.suptitle(finding.title)
    return figure


def _draw_workload(ax, rows: list[dict], workload: str, entrants: list[str]) -> None:
    import matplotlib.pyplot as plt

    from descentlab.benchmarking.training import get_workload

    budgets = list(dict.fromkeys(r["budget"] for r in rows))
    groups = list(dict.fromkeys((r["entrant"], r["schedule"]) for r in rows))
    for k, (entrant, schedule) in enumerate(groups):
        found = {r["budget"]: r["test"] for r in rows
                 if (r["entrant"], r["schedule"]) == (entrant, schedule)}  # fmt: skip
        xs = np.arange(len(budgets)) + 0.7 * (k / max(1, len(groups) - 1) - 0.5)
        middle, low, high = (np.array([found[b][i] for b in budgets], dtype=float)
                             for i in range(3))  # fmt: skip
        with np.errstate(invalid="ignore"):  # a diverged seed: an infinite end, no bar
            spread = np.array([middle - low, high - middle])
        errors = np.where(np.isfinite(spread), spread, 0.0)
        ax.errorbar(xs, middle, yerr=errors, fmt=MARKERS.get(schedule, "o"), capsize=2,
                    markersize=4, color=plt.get_cmap("tab10")(entrants.index(entrant) % 10),
                    label=f"{entrant}, {schedule}")  # fmt: skip
    metric = get_workload(workload).target_metric
    if metric != "accuracy":  # a one-shot far above the tuned is left off the top
        ax.set_ylim(*_loss_range(rows))
    ax.set_xticks(range(len(budgets)), budgets)
    ax.set(title=workload, ylabel=f"final test {metric}",
           yscale="linear" if metric == "accuracy" else "log")  # fmt: skip
    ax.grid(True, which="both", alpha=0.3)


def _loss_range(rows: list[dict]) -> tuple[float, float]:
    """From half the lowest end drawn to twice the highest, the top no more than ten times
    the tuned budgets' worst."""
    ends = np.array([r["test"] for r in rows], dtype=float)
    shown = ends[np.isfinite(ends) & (ends > 0)]
    tuned = ends[[r["budget"] != "one-shot" for r in rows]]
    tuned = tuned[np.isfinite(tuned) & (tuned > 0)]
    if not shown.size:
        return 1e-3, 1.0
    top = 2 * shown.max() if not tuned.size else min(2 * shown.max(), 10 * tuned.max())
    return shown.min() / 2, top


DOMINANCE = _experiment(
    0,
    "crowded-valley-dominance",
    "No optimizer dominates the training workloads",
    "No optimizer is best on every workload: at the large tuning budget, none is clearly "
    "better than every other on all of them.",
    SOURCE + " (Section 4, 'no optimizer dominates')",
)
BUDGETS = _experiment(
    1,
    "crowded-valley-budgets",
    "A larger tuning budget against another optimizer",
    "On a workload, tuning an optimizer (one-shot defaults to the best of 25 trials) helps at "
    "least as much as switching to the best optimizer's defaults.",
    SOURCE + " (Section 4, 'tuning helps about as much as trying other optimizers')",
)
SCHEDULE_FREE = _experiment(
    2,
    "crowded-valley-schedule-free",
    "Schedule-free against a tuned cosine, in the training suite",
    "Schedule-free AdamW without a schedule is not clearly worse than AdamW with a tuned cosine "
    "schedule, at the same tuning budget.",
    "Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, NeurIPS 2024, 'The Road Less "
    "Scheduled'; budgets and schedules as in " + SOURCE,
)
EXPERIMENTS_BY_NAME = {e.name: e for e in (DOMINANCE, BUDGETS, SCHEDULE_FREE)}
