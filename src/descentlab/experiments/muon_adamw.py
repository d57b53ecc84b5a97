"""Experiment 10: Muon against AdamW at equal steps and equal tuning.

Muon (Jordan et al., 2024) orthogonalizes each weight matrix's momentum by Newton-Schulz
iterations (its biases go to AdamW at the same step size); Jordan et al. report it trains
networks faster than AdamW for the same number of steps. The design gives both the same
budget on two networks whose ``structure`` names their weight matrices, ``mlp-digits`` (one
hidden layer) and ``deep-mlp-digits`` (three): minibatches of 64, the same epochs, a step size
tuned per method on the same 9-point log grid over tuning seeds the evaluation never uses,
then seeded replicates at the tuned step; the final training loss is compared as medians with
distribution-free 95% intervals (lower only when the intervals do not overlap).
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.experiments._training import BATCH, curves_of, draw_curves, tuned_runs
from descentlab.results.statistics import disjoint

GRID = np.geomspace(1e-4, 1.0, 9)
METHODS = {
    "Muon": lambda a: dl.Muon(step_size=a),
    "AdamW": lambda a: dl.AdamW(alpha=a),
}
PROBLEMS = ("mlp-digits", "deep-mlp-digits")


def run(quick: bool, progress: Progress) -> Finding:
    epochs, replicates, tuning = (3, 6, 1) if quick else (20, 12, 3)
    progress.plan(len(PROBLEMS) * len(METHODS))
    rows, checks, curves = [], [], {}
    for label in PROBLEMS:
        problem = dl.get_function(label)
        tuned = tuned_runs(problem, METHODS, GRID, epochs, replicates, tuning, False, progress)
        for name, t in tuned.items():
            rows.append({"problem": label, "optimizer": name, "tuned step": t.step,
                         "tuning medians": t.medians, "final loss median": t.final.median,
                         "95% interval": [t.final.low, t.final.high]})  # fmt: skip
        curves |= curves_of(label, tuned)
        muon, adamw = tuned["Muon"].final, tuned["AdamW"].final
        checks.append(Check(
            f"Muon reaches a lower training loss than AdamW on {label}",
            disjoint(muon, adamw) < 0,
            f"final loss: Muon {muon.text()} against AdamW {adamw.text()} (median, 95% "
            f"interval, {muon.n} replicates each, both tuned on the same grid)"))  # fmt: skip
    design = (
        f"mlp-digits (2,410 weights) and deep-mlp-digits (4,522; three hidden layers), Glorot "
        f"starts; minibatches of {BATCH}, {epochs} epochs for both methods; Muon (beta 0.95, "
        f"Nesterov, 5 Newton-Schulz steps, AdamW on the biases) and AdamW (weight decay 0.01), "
        f"each step tuned on the grid 1e-4..1 (9 points) over {tuning} tuning replicates "
        f"(seed 1), then {replicates} replicates (seed 0); final training loss as median "
        "with 95% interval."
    )
    return EXPERIMENT.finding(design=design, quick=quick, checks=checks,
                              numbers={"runs": rows}, data={"curves": curves})  # fmt: skip


def draw(finding: Finding):
    return draw_curves(
        finding, "training loss", "Muon vs AdamW at equal steps and equal tuning (median, IQR)"
    )


EXPERIMENT = Experiment(
    name="muon-adamw",
    title="Muon vs AdamW",
    claim="At equal steps and equal tuning, Muon trains a network to a lower loss than AdamW.",
    source="Jordan, Jin, Boza, You, Cesista, Newhouse & Bernstein, 2024, 'Muon: An optimizer "
    "for hidden layers in neural networks' (kellerjordan.github.io/posts/muon)",
    run=run,
    draw=draw,
)
