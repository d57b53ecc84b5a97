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


def _run(claim_index: int, experiment_name: str):
    def run(quick: bool, progress: Progress) -> Finding:
        from descentlab.benchmarking.training.verdicts import claims

        progress.plan(1)
        results = _results(quick, STORE)
        progress.advance("the tuning budgets")
        claim = claims(results)[claim_index]
        checks = [Check(condition, bool(holds), evidence)
                  for condition, holds, evidence in claim.checks]  # fmt: skip
        rows = results.budgets()
        return EXPERIMENTS_BY_NAME[experiment_name].finding(
            design=_design(quick), quick=quick, checks=checks, numbers={"budgets": rows},
            data={})  # fmt: skip

    return run


def draw(finding: Finding):
    """One panel per workload: each optimizer and schedule's test metric at the three
    budgets (median, 95% interval)."""
    import matplotlib.pyplot as plt

    from descentlab.benchmarking.training import get_workload

    rows = finding.numbers["budgets"]
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    figure, axes = plt.subplots(1, len(workloads), figsize=(4.6 * len(workloads), 4.4),
                                layout="constrained", squeeze=False)  # fmt: skip
    budgets = list(dict.fromkeys(r["budget"] for r in rows))
    for ax, workload in zip(axes[0], workloads, strict=True):
        groups = list(dict.fromkeys((r["entrant"], r["schedule"]) for r in rows
                                    if r["workload"] == workload))  # fmt: skip
        for k, (entrant, schedule) in enumerate(groups):
            found = {r["budget"]: r["test"] for r in rows
                     if (r["workload"], r["entrant"], r["schedule"]) == (workload, entrant,
                                                                         schedule)}  # fmt: skip
            xs = [b + 0.6 * (k / max(1, len(groups) - 1) - 0.5) for b in range(len(budgets))]
            medians = np.array([found[b][0] for b in budgets], dtype=float)
            errors = np.array(
                [
                    [found[b][0] - found[b][1] for b in budgets],
                    [found[b][2] - found[b][0] for b in budgets],
                ],
                dtype=float,
            )
            errors = np.where(np.isfinite(errors), errors, 0.0)  # a diverged seed: no bar
            ax.errorbar(xs, medians, yerr=errors, fmt="o", capsize=3,
                        label=f"{entrant}, {schedule}")  # fmt: skip
        ax.set_xticks(range(len(budgets)), budgets)
        metric = get_workload(workload).target_metric
        ax.set(title=workload, xlabel="tuning budget", ylabel=f"final test {metric}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="x-small")
    figure.suptitle(finding.title)
    return figure


DOMINANCE = Experiment(
    name="crowded-valley-dominance",
    title="No optimizer dominates the training workloads",
    claim="No optimizer is best on every workload: at the large tuning budget, none is "
    "clearly better than every other on all of them.",
    source=SOURCE + " (Section 4, 'no optimizer dominates')",
    run=_run(0, "crowded-valley-dominance"),
    draw=draw,
)
BUDGETS = Experiment(
    name="crowded-valley-budgets",
    title="A larger tuning budget against another optimizer",
    claim="On a workload, tuning an optimizer (one-shot defaults to the best of 25 trials) "
    "helps at least as much as switching to the best optimizer's defaults.",
    source=SOURCE + " (Section 4, 'tuning helps about as much as trying other optimizers')",
    run=_run(1, "crowded-valley-budgets"),
    draw=draw,
)
SCHEDULE_FREE = Experiment(
    name="crowded-valley-schedule-free",
    title="Schedule-free against a tuned cosine, in the training suite",
    claim="Schedule-free AdamW without a schedule is not clearly worse than AdamW with a "
    "tuned cosine schedule, at the same tuning budget.",
    source="Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, NeurIPS 2024, 'The Road Less "
    "Scheduled'; budgets and schedules as in " + SOURCE,
    run=_run(2, "crowded-valley-schedule-free"),
    draw=draw,
)
EXPERIMENTS_BY_NAME = {e.name: e for e in (DOMINANCE, BUDGETS, SCHEDULE_FREE)}
