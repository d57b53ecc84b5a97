"""Experiment 12: the step size Prodigy and D-Adaptation estimate against the one tuning finds.

D-Adaptation (Defazio & Mishchenko, 2023) and Prodigy (Mishchenko & Defazio, 2024) run Adam
with step size ``d``, an estimate of the distance to the solution they grow from ``d0 = 1e-6``
as the gradients accumulate; the papers report that ``d`` settles near the step size that hand
tuning finds, so the method needs none. The design tunes Adam's step size on a fine 17-point
log grid (1e-4..1, a factor 1.78 apart) over tuning seeds the evaluation never uses, and runs
Prodigy and D-Adapt AdamW (step-size multiplier 1, their default) for the same epochs on the
evaluation seeds; it compares each final ``d`` (median over replicates) with Adam's tuned step
(within a factor of 3 counts as near) and each final training loss with tuned Adam's (not
wholly above its 95% interval counts as as good).
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.experiments._training import BATCH, train, tune
from descentlab.problems.stochastic.finite_sum import logistic_digits
from descentlab.problems.stochastic.network import mlp_digits
from descentlab.results.statistics import disjoint, median_interval

GRID = np.geomspace(1e-4, 1.0, 17)
NEAR = 3.0
ESTIMATORS = {"Prodigy": lambda a: dl.Prodigy(), "D-Adapt AdamW": lambda a: dl.DAdaptAdamW()}
PROBLEMS = {"logistic regression": (logistic_digits, True, "f - f*"),
            "one-hidden-layer network": (mlp_digits, False, "f")}  # fmt: skip


def adam(a):
    return dl.Adam(alpha=a)


def run(quick: bool, progress: Progress) -> Finding:
    epochs, replicates, tuning = (3, 6, 1) if quick else (20, 12, 3)
    progress.plan(len(PROBLEMS) * (2 + len(ESTIMATORS)))
    rows, checks, tuning_curves = [], [], {}
    for label, (make_problem, zero, measure) in PROBLEMS.items():
        problem = make_problem()
        floor = problem.minimum if problem.minimum is not None else 0.0
        best, medians = tune(problem, adam, GRID, epochs, tuning, zero)
        progress.advance(f"tuning Adam on {label}")
        runs = {"Adam": train(problem, adam, np.full(replicates, best), epochs, 0, zero)}
        progress.advance(f"Adam at its tuned step on {label}")
        for name, make in ESTIMATORS.items():
            runs[name] = train(problem, make, np.ones(replicates), epochs, 0, zero)
            progress.advance(f"{name} on {label}")
        finals = {name: median_interval(r.path_fun[-1] - floor) for name, r in runs.items()}
        estimates = {name: np.ravel(runs[name].state.d) for name in ESTIMATORS}
        tuning_curves[label] = (GRID, medians, best, {n: float(np.median(d))
                                                      for n, d in estimates.items()})  # fmt: skip
        for name in runs:
            d = estimates.get(name)
            rows.append({"problem": label, "optimizer": name, f"final {measure} median":
                         finals[name].median, "95% interval": [finals[name].low,
                         finals[name].high], "step": best if d is None else float(np.median(d)),
                         "step is": "tuned" if d is None else "estimated d (median)",
                         "d per replicate": None if d is None else d})  # fmt: skip
        for name in ESTIMATORS:
            checks += _checks(label, measure, name, float(np.median(estimates[name])), best,
                              finals[name], finals["Adam"])  # fmt: skip
    design = (
        f"logistic-digits (from x = 0) and mlp-digits (Glorot starts); minibatches of {BATCH}, "
        f"{epochs} epochs; Adam's step tuned on a 17-point log grid 1e-4..1 over {tuning} "
        f"tuning replicates (seed 1); Adam at it, Prodigy and D-Adapt AdamW (d0 = 1e-6, "
        f"multiplier 1) on {replicates} replicates (seed 0); near: within a factor {NEAR:g}."
    )
    return EXPERIMENT.finding(design=design, quick=quick, checks=checks, numbers={"runs": rows},
                              data={"tuning": tuning_curves})  # fmt: skip


def _checks(label, measure, name, d, best, final, adam_final) -> list[Check]:
    return [
        Check(f"{name}'s estimated step is near Adam's tuned step on the {label}",
              1 / NEAR <= d / best <= NEAR,
              f"{name}'s d (median) {d:.3g} against Adam's tuned step {best:.3g}: ratio "
              f"{d / best:.3g} (near: between {1 / NEAR:.3g} and {NEAR:g})"),
        Check(f"{name} trains as well as tuned Adam on the {label}",
              disjoint(final, adam_final) <= 0,
              f"final {measure}: {name} {final.text()} against tuned Adam {adam_final.text()} "
              f"(median, 95% interval, {final.n} replicates)"),
    ]  # fmt: skip


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    tuning = finding.data["tuning"]
    figure, axes = plt.subplots(1, len(tuning), figsize=(5.2 * len(tuning), 4.4),
                                layout="constrained", squeeze=False)  # fmt: skip
    for ax, (label, (grid, medians, best, estimates)) in zip(axes[0], tuning.items(),
                                                             strict=True):  # fmt: skip
        ax.loglog(grid, medians, "o-", color="0.3", label="Adam: median loss per step size")
        ax.axvline(best, color="black", linestyle="--", label=f"tuned step {best:.2g}")
        for (name, d), color in zip(estimates.items(), ("tab:red", "tab:blue"), strict=False):
            ax.axvline(d, color=color, label=f"{name}'s d {d:.2g}")
        ax.axvspan(best / NEAR, best * NEAR, color="0.9", zorder=0)
        ax.set(title=label, xlabel="step size", ylabel="final training loss (tuning seeds)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    figure.suptitle("The step size learning-rate-free methods estimate, on Adam's tuning curve")
    return figure


EXPERIMENT = Experiment(
    name="learning-rate-free",
    title="Estimated vs tuned step size",
    claim="Prodigy and D-Adaptation estimate a step size near the one hand tuning finds for "
    "Adam, and train as well as Adam at its tuned step.",
    source="Mishchenko & Defazio, ICML 2024, 'Prodigy: An Expeditiously Adaptive "
    "Parameter-Free Learner'; Defazio & Mishchenko, ICML 2023, 'Learning-Rate-Free Learning "
    "by D-Adaptation'",
    run=run,
    draw=draw,
)
