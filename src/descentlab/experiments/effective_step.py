"""Experiment 6: AMSGrad avoids abrupt increases of the per-coordinate learning rate.

The step a coordinate takes is the first moment times the *effective step*: AMSGrad's
``alpha_t / (sqrt(vhat_t) + eps)`` with ``vhat_t = max(vhat_{t-1}, v_t)``, Adam's
``alpha_t / (sqrt(v_t / (1 - beta2**t)) + eps)``. Since ``vhat`` never falls, AMSGrad's effective
step cannot rise while ``alpha_t`` does not; Adam's ``v`` forgets a gradient spike within about
``1 / (1 - beta2)`` steps and its step size climbs back. The experiment feeds both optimizers
(their own ``init``/``step``, as the runner does) two gradient sequences with spikes: Reddi et
al.'s online sequence (1010 once every 101 steps, else -10) and a steady gradient 1 plus seeded
Student-t noise (3 degrees of freedom), at a constant ``alpha`` so that only the second moment
moves the step.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress

ALPHA, BETA1, BETA2 = 0.01, 0.9, 0.99
#: A rise counts as abrupt when it happens within this many steps.
WINDOW = 100


def sequences(quick: bool) -> dict[str, np.ndarray]:
    steps = 1000 if quick else 5000
    t = np.arange(1, steps + 1)
    heavy = 1.0 + np.random.default_rng(6).standard_t(3, size=steps)
    return {
        "Reddi et al.'s online gradients": np.where(t % 101 == 1, 1010.0, -10.0),
        "gradient 1 + Student-t noise (df 3)": heavy,
    }


def effective_steps(gradients: np.ndarray) -> dict[str, np.ndarray]:
    """Each optimizer's effective step after every gradient of the sequence."""
    adam = dl.Adam(alpha=ALPHA, beta1=BETA1, beta2=BETA2)
    amsgrad = dl.AMSGrad(alpha=ALPHA, beta1=BETA1, beta2=BETA2, beta1_decay="constant")
    x = np.zeros(1)
    steps = {"Adam": [], "AMSGrad": []}
    adam_state, ams_state = adam.init(x), amsgrad.init(x)
    for t, g in enumerate(gradients, start=1):
        _, adam_state = adam.step(x, np.array([g]), adam_state)
        _, ams_state = amsgrad.step(x, np.array([g]), ams_state)
        vhat = adam_state.v / (1.0 - BETA2**t)
        steps["Adam"].append(ALPHA / (np.sqrt(vhat) + adam.eps))
        steps["AMSGrad"].append(ALPHA / (np.sqrt(ams_state.vhat) + amsgrad.eps))
    return {name: np.concatenate(values) for name, values in steps.items()}


def abrupt_rise(step: np.ndarray) -> float:
    """The largest factor by which the step rises within :data:`WINDOW` steps."""
    if len(step) <= WINDOW:
        return float(np.max(step / np.minimum.accumulate(step)))
    lowest = sliding_window_view(step, WINDOW + 1).min(axis=1)
    return float(np.max(step[WINDOW:] / lowest))


def run(quick: bool, progress: Progress) -> Finding:
    chosen = sequences(quick)
    progress.plan(len(chosen))
    checks, rows, data = [], [], {}
    for label, gradients in chosen.items():
        steps = effective_steps(gradients)
        progress.advance(label)
        data[label] = steps
        rises = {name: abrupt_rise(step) for name, step in steps.items()}
        increases = {name: int(np.sum(np.diff(step) > 0)) for name, step in steps.items()}
        rows.append(
            {
                "sequence": label,
                "steps": len(gradients),
                **{f"{name} largest rise within {WINDOW} steps": r for name, r in rises.items()},
                **{f"{name} steps that increased": n for name, n in increases.items()},
            }
        )
        checks.append(
            Check(
                f"AMSGrad's effective step never increases ({label})",
                increases["AMSGrad"] == 0,
                f"it increased at {increases['AMSGrad']} of {len(gradients) - 1} steps; largest "
                f"rise within {WINDOW} steps x{rises['AMSGrad']:.3g}",
            )
        )
        checks.append(
            Check(
                f"Adam's effective step rises abruptly, at least 2x within {WINDOW} steps "
                f"({label})",
                rises["Adam"] >= 2.0,
                f"largest rise within {WINDOW} steps x{rises['Adam']:.3g}; it increased at "
                f"{increases['Adam']} of {len(gradients) - 1} steps",
            )
        )
    design = (
        f"Adam and AMSGrad (paper form) with alpha={ALPHA:g} constant, beta1={BETA1:g}, "
        f"beta2={BETA2:g}, fed {', '.join(f'{k} ({len(v)} steps)' for k, v in chosen.items())}"
    )
    return EXPERIMENT.finding(
        design=design,
        quick=quick,
        checks=checks,
        numbers={"sequences": rows},
        data={"steps": data, "gradients": chosen},
    )


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    steps = finding.data["steps"]
    figure, axes = plt.subplots(
        1, len(steps), figsize=(6.0 * len(steps), 4.4), layout="constrained", squeeze=False
    )
    for ax, (label, curves) in zip(axes[0], steps.items(), strict=True):
        t = np.arange(1, len(curves["Adam"]) + 1)
        ax.plot(t, curves["Adam"], color="tab:red", linewidth=1, label="Adam")
        ax.plot(t, curves["AMSGrad"], color="tab:blue", linewidth=1.6, label="AMSGrad")
        ax.set(
            yscale="log", xlabel="step t", ylabel="effective step alpha / sqrt(vhat)", title=label
        )
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    figure.suptitle("The per-coordinate step size after gradient spikes")
    return figure


EXPERIMENT = Experiment(
    name="effective-step",
    title="No abrupt learning-rate increases with AMSGrad",
    claim="AMSGrad avoids large abrupt changes in the learning rate for each input variable: "
    "its effective step alpha_t/sqrt(vhat_t) never rises, while Adam's rises after a gradient "
    "spike.",
    source="tutorial 002, introduction; Reddi, Kale & Kumar, ICLR 2018, Section 4",
    run=run,
    draw=draw,
)
