"""Experiment 7: minibatch logistic regression, as in the Adam and AMSGrad papers.

L2-regularized logistic regression on scikit-learn's digits (1797 images, 0-4 against 5-9,
standardized, p = 65; the ``descentlab[data]`` extra), minibatches of 64 drawn without
replacement within each epoch, from ``x = 0``. Each method's step size is tuned first, on a
grid and on tuning seeds that the evaluation does not use (the lowest median final objective
wins); the evaluation then runs the tuned step over its own seeded replicates and records the
full training objective ``f - f*`` (not the minibatch loss) once per epoch. ``f*`` is the
reference minimum (SciPy L-BFGS to ``gtol 1e-10``).
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.experiments._training import BATCH, train, tune
from descentlab.problems.stochastic.finite_sum import logistic_digits
from descentlab.results.statistics import band, disjoint, median_interval

GRIDS = {
    "SGD with momentum 0.9": (
        lambda a: dl.Momentum(step_size=a, momentum=0.9),
        np.geomspace(1e-3, 1.0, 7),
    ),
    "Adam": (lambda a: dl.Adam(alpha=a, beta1=0.9, beta2=0.999), np.geomspace(1e-4, 1e-1, 7)),
    "AMSGrad": (
        lambda a: dl.AMSGrad(alpha=a, beta1=0.9, beta2=0.999, beta1_decay="constant"),
        np.geomspace(1e-4, 1e-1, 7),
    ),
}


def run(quick: bool, progress: Progress) -> Finding:
    epochs, replicates, tuning = (5, 10, 3) if quick else (30, 20, 5)
    problem = logistic_digits()
    progress.plan(2 * len(GRIDS))
    rows, finals, curves = [], {}, {}
    for name, (make, grid) in GRIDS.items():
        best, tuned = tune(problem, make, grid, epochs, tuning)
        progress.advance(f"tuning {name}")
        result = train(problem, make, np.full(replicates, best), epochs, seed=0)
        progress.advance(f"{replicates} replicates of {name}")
        gap = result.path_fun - problem.minimum
        curves[name] = (result.path_iter / result.path_iter[1], gap)
        finals[name] = median_interval(gap[-1])
        rows.append(
            {
                "optimizer": name,
                "tuned step": best,
                "grid": grid,
                "tuning medians": tuned,
                "final f - f* median": finals[name].median,
                "95% interval": [finals[name].low, finals[name].high],
            }
        )
    momentum, adam, amsgrad = finals.values()
    checks = [
        _lower("AMSGrad reaches a lower training objective than Adam", amsgrad, adam),
        _not_higher(
            "Adam reaches a training objective at least as low as SGD with momentum", adam, momentum
        ),
    ]
    design = (
        f"{problem.name} (N={problem.n_examples}, p={problem.dim}, l2=1e-3), minibatches of "
        f"{BATCH}, {epochs} epochs from x = 0; step sizes tuned on a 7-point log grid over "
        f"{tuning} tuning replicates (seed 1), then {replicates} replicates (seed 0) at the "
        "tuned step; final f - f* as median with 95% interval."
    )
    return EXPERIMENT.finding(
        design=design,
        quick=quick,
        checks=checks,
        numbers={"optimizers": rows},
        data={"curves": curves},
    )


def _lower(condition: str, a, b) -> Check:
    return Check(
        condition,
        disjoint(a, b) < 0,
        f"final f - f*: {a.text()} against {b.text()} (median, 95% interval, {a.n} replicates)",
    )


def _not_higher(condition: str, a, b) -> Check:
    return Check(
        condition,
        disjoint(a, b) <= 0,
        f"final f - f*: {a.text()} against {b.text()} "
        f"(median, 95% interval, {a.n} replicates; overlapping intervals count as "
        "'as low')",
    )


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
    for row, (name, (epochs, gap)) in zip(
        finding.numbers["optimizers"], finding.data["curves"].items(), strict=True
    ):
        median, low, high = band(gap)
        line = ax.plot(epochs, median, label=f"{name}, step {row['tuned step']:.3g}")[0]
        ax.fill_between(epochs, low, high, color=line.get_color(), alpha=0.25)
    ax.set(
        yscale="log",
        xlabel="epoch",
        ylabel="training objective f - f*",
        title=f"Logistic regression on digits: median and interquartile range "
        f"over {len(finding.data['curves']['Adam'][1][0])} seeds",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return figure


EXPERIMENT = Experiment(
    name="logistic-regression",
    title="Minibatch logistic regression",
    claim="On logistic regression with minibatches, AMSGrad reaches a lower training objective "
    "than Adam, and Adam one at least as low as SGD with momentum, each at a tuned step size.",
    source="Reddi, Kale & Kumar, ICLR 2018, Section 5 (logistic regression on MNIST); Kingma & "
    "Ba, ICLR 2015, Section 6.1; tutorial 002 (AMSGrad improves Adam's convergence)",
    run=run,
    draw=draw,
)
