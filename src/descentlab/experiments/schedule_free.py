"""Experiment 11: schedule-free AdamW without a schedule against AdamW with a tuned cosine.

Defazio et al. (2024) replace the step-size schedule by an average of the iterates: their
schedule-free AdamW takes a constant step size (after a warm-up) and, they report, matches or
beats AdamW with a tuned warm-up + cosine schedule at the same number of steps (it won
AlgoPerf's self-tuning track). The design gives both the same budget on a convex problem
(``logistic-digits``, from ``x = 0``) and a network (``mlp-digits``, Glorot's start):
minibatches of 64, the same epochs, a linear warm-up over the first 5% of the steps for both
(then cosine to 0 for AdamW, flat for schedule-free), the peak step size tuned per method on
the same 9-point log grid over tuning seeds the evaluation never uses, then seeded replicates
at the tuned step. Schedule-free's loss is measured at its averaged point ``x``, as its
authors evaluate it. "Matches" means its final loss's 95% interval is not wholly above
AdamW's.
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.experiments._training import (
    BATCH,
    curves_of,
    draw_curves,
    steps_per_run,
    tuned_runs,
)
from descentlab.problems.stochastic.finite_sum import logistic_digits
from descentlab.problems.stochastic.network import mlp_digits
from descentlab.results.statistics import disjoint
from descentlab.schedules import CosineDecay, Warmup

GRID = np.geomspace(1e-4, 1.0, 9)
WARMUP = 0.05
#: Each problem, whether its runs start at 0, and what its loss is called.
PROBLEMS = {"logistic regression": (logistic_digits, True, "f - f*"),
            "one-hidden-layer network": (mlp_digits, False, "f")}  # fmt: skip


def methods(total: int) -> dict:
    """Both methods for runs of ``total`` steps, each a function of its peak step sizes."""
    warm = max(1, round(WARMUP * total))
    return {
        "schedule-free AdamW": lambda a: dl.ScheduleFreeAdamW(alpha=a, warmup_steps=warm),
        "AdamW, warm-up + cosine": lambda a: dl.AdamW(
            alpha=Warmup(CosineDecay(a, total - warm), warm), weight_decay=0.0),
    }  # fmt: skip


def run(quick: bool, progress: Progress) -> Finding:
    epochs, replicates, tuning = (3, 6, 1) if quick else (20, 12, 3)
    progress.plan(2 * len(PROBLEMS))
    rows, checks, curves = [], [], {}
    for label, (make_problem, zero, measure) in PROBLEMS.items():
        problem = make_problem()
        floor = problem.minimum if problem.minimum is not None else 0.0
        contenders = methods(steps_per_run(problem, epochs))
        tuned = tuned_runs(problem, contenders, GRID, epochs, replicates, tuning, zero, progress)
        for name, t in tuned.items():
            rows.append({"problem": label, "optimizer": name, "tuned step": t.step,
                         "tuning medians": t.medians, f"final {measure} median": t.final.median,
                         "95% interval": [t.final.low, t.final.high]})  # fmt: skip
        curves |= curves_of(label, tuned, floor)
        free, cosine = (tuned[name].final for name in contenders)
        checks.append(Check(
            f"schedule-free AdamW matches AdamW with a tuned cosine on the {label}",
            disjoint(free, cosine) <= 0,
            f"final {measure}: schedule-free {free.text()} against cosine {cosine.text()} "
            f"(median, 95% interval, {free.n} replicates each; matched unless schedule-free's "
            "interval lies wholly above)"))  # fmt: skip
    design = (
        f"logistic-digits (from x = 0) and mlp-digits (Glorot starts); minibatches of {BATCH}, "
        f"{epochs} epochs; linear warm-up over {WARMUP:.0%} of the steps for both, then "
        "cosine to 0 (AdamW, weight decay 0) or flat (schedule-free AdamW, evaluated at its "
        f"average); peak step tuned per method on the grid 1e-4..1 (9 points) over {tuning} "
        f"tuning replicates (seed 1), then {replicates} replicates (seed 0)."
    )
    return EXPERIMENT.finding(design=design, quick=quick, checks=checks,
                              numbers={"runs": rows}, data={"curves": curves})  # fmt: skip


def draw(finding: Finding):
    return draw_curves(
        finding,
        "training loss (f - f* where known)",
        "Schedule-free AdamW vs AdamW, warm-up + cosine (median, IQR)",
    )


EXPERIMENT = Experiment(
    name="schedule-free",
    title="Schedule-free vs a tuned cosine",
    claim="Schedule-free AdamW, with no schedule, trains as well as AdamW with a tuned "
    "warm-up + cosine schedule at the same number of steps.",
    source="Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, NeurIPS 2024, 'The Road "
    "Less Scheduled' (Section 5; AlgoPerf 2024 self-tuning track)",
    run=run,
    draw=draw,
)
