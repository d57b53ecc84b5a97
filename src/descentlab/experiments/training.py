"""Experiment 8: Adam against AMSGrad in training, as in Reddi, Kale & Kumar's Section 5.

Two training problems on scikit-learn's digits (the ``descentlab[data]`` extra): L2-regularized
logistic regression (``logistic-digits``, convex, from ``x = 0``) and a one-hidden-layer tanh
network (``mlp-digits``, 32 units, 2,410 weights, from Glorot's initialization). Both methods
use minibatches of 64, ``beta1 = 0.9``, ``beta2 = 0.999`` and a constant step size tuned per
method and problem on a 7-point log grid over tuning seeds the evaluation never uses; then
seeded replicates train at the tuned step, and the full training loss (``f - f*`` for the
convex problem, ``f`` for the network, whose minimum is unknown) is compared as medians with
distribution-free 95% intervals. AMSGrad is the paper's (no bias correction, constant beta1).
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.experiments._training import BATCH, train, tune
from descentlab.problems.stochastic.finite_sum import logistic_digits
from descentlab.problems.stochastic.network import mlp_digits
from descentlab.results.statistics import band, disjoint, median_interval

GRID = np.geomspace(1e-4, 1e-1, 7)
METHODS = {
    "Adam": lambda a: dl.Adam(alpha=a, beta1=0.9, beta2=0.999),
    "AMSGrad": lambda a: dl.AMSGrad(alpha=a, beta1=0.9, beta2=0.999, beta1_decay="constant"),
}
#: Each problem, whether its runs start at 0, and what its loss is called.
PROBLEMS = {
    "logistic regression": (logistic_digits, True, "f - f*"),
    "one-hidden-layer network": (mlp_digits, False, "f"),
}


def run(quick: bool, progress: Progress) -> Finding:
    epochs, replicates, tuning = (4, 8, 2) if quick else (30, 20, 5)
    progress.plan(2 * len(PROBLEMS) * len(METHODS))
    rows, checks, curves = [], [], {}
    for label, (make_problem, zero, measure) in PROBLEMS.items():
        problem = make_problem()
        floor = problem.minimum if problem.minimum is not None else 0.0
        finals = {}
        for name, make in METHODS.items():
            best, medians = tune(problem, make, GRID, epochs, tuning, zero)
            progress.advance(f"tuning {name} on {label}")
            result = train(problem, make, np.full(replicates, best), epochs, seed=0, zero=zero)
            progress.advance(f"{replicates} replicates of {name} on {label}")
            losses = result.path_fun - floor
            curves[(label, name)] = (result.path_iter / result.path_iter[1], losses)
            finals[name] = median_interval(losses[-1])
            rows.append({"problem": label, "optimizer": name, "tuned step": best,
                         "tuning medians": medians, f"final {measure} median":
                         finals[name].median, "95% interval": [finals[name].low,
                                                               finals[name].high]})  # fmt: skip
        checks.append(_lower(label, measure, finals["AMSGrad"], finals["Adam"]))
    design = (
        f"logistic-digits (p=65, l2=1e-3, from x = 0) and mlp-digits (32 tanh units, 2410 "
        f"weights, l2=1e-4, Glorot starts); minibatches of {BATCH}, {epochs} epochs; "
        f"beta1=0.9, beta2=0.999; constant step tuned per method on a 7-point log grid "
        f"(1e-4..1e-1) over {tuning} tuning replicates (seed 1), then {replicates} replicates "
        "(seed 0) at the tuned step; final training loss as median with 95% interval."
    )
    return EXPERIMENT.finding(design=design, quick=quick, checks=checks,
                              numbers={"runs": rows}, data={"curves": curves})  # fmt: skip


def _lower(label: str, measure: str, amsgrad, adam) -> Check:
    return Check(
        f"AMSGrad reaches a lower training loss than Adam on the {label}",
        disjoint(amsgrad, adam) < 0,
        f"final {measure}: AMSGrad {amsgrad.text()} against Adam {adam.text()} (median, 95% "
        f"interval, {amsgrad.n} replicates; lower only when the intervals do not overlap)",
    )


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    curves = finding.data["curves"]
    labels = list(dict.fromkeys(label for label, _ in curves))
    figure, axes = plt.subplots(1, len(labels), figsize=(5.2 * len(labels), 4.4),
                                layout="constrained", squeeze=False)  # fmt: skip
    steps = {(r["problem"], r["optimizer"]): r["tuned step"] for r in finding.numbers["runs"]}
    for ax, label in zip(axes[0], labels, strict=True):
        for name, color in (("Adam", "tab:red"), ("AMSGrad", "tab:blue")):
            epochs, losses = curves[(label, name)]
            median, low, high = band(losses)
            ax.plot(epochs, median, color=color,
                    label=f"{name}, step {steps[(label, name)]:.2g}")  # fmt: skip
            ax.fill_between(epochs, low, high, color=color, alpha=0.2)
        measure = PROBLEMS[label][2]
        ax.set(title=label, yscale="log", xlabel="epoch", ylabel=f"training loss {measure}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    figure.suptitle("Adam vs AMSGrad on digits: median and interquartile range over seeds")
    return figure


EXPERIMENT = Experiment(
    name="adam-amsgrad-training",
    title="Adam vs AMSGrad in training",
    claim="On logistic regression and on a one-hidden-layer network, AMSGrad reaches a lower "
    "training loss than Adam, each at its own tuned step size.",
    source="Reddi, Kale & Kumar, ICLR 2018, Section 5 (logistic regression and a "
    "one-hidden-layer feedforward network on MNIST, Figure 2)",
    run=run,
    draw=draw,
)
