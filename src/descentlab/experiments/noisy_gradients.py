"""Experiment 3: does momentum overcome the oscillations of noisy gradients?

Compared fairly: the heavy ball with momentum ``beta`` and step ``alpha`` moves, on a steady
gradient, like gradient descent with the *effective step* ``alpha / (1 - beta)``; a comparison
at the same ``alpha`` gives momentum a ten times larger step and says little. So both methods
run on the same grid of effective steps, every grid point with the same seeded replicates
(replicate ``i`` sees the same noise in both methods), and each is judged at its own best
effective step. The problem is ``f = (x1**2 + 10 x2**2)/2`` with Gaussian noise of scale
``sigma`` added to every gradient.
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.results.statistics import band, disjoint, first_reach, median_interval

BETA = 0.9
L = 10.0
X0 = (0.8, 0.8)


def noisy_runs(
    optimizer_for, effective: np.ndarray, sigma: float, replicates: int, n_iter: int, every: int
) -> dl.Result:
    """One batch: every effective step times ``replicates`` seeded replicates."""
    steps = np.repeat(effective, replicates)
    problem = dl.get_function("quadratic", dim=2, kappa=L)
    x0 = np.broadcast_to(np.array(X0), (steps.size, 2))
    return dl.minimize(
        problem,
        optimizer_for(steps),
        n_iter=n_iter,
        x0=x0,
        seed=2024,
        noise=dl.GradientNoise(sigma),
        record=every,
    )


OPTIMIZERS = {
    "gradient descent": lambda effective: dl.GradientDescent(step_size=effective),
    f"momentum {BETA}": lambda effective: dl.Momentum(
        step_size=effective * (1 - BETA), momentum=BETA
    ),
}


def best_setting(result: dl.Result, effective: np.ndarray, replicates: int):
    """The effective step whose replicates end lowest (median), and its rows."""
    gaps = result.fun.reshape(len(effective), replicates)
    medians = np.array([median_interval(row).median for row in gaps])
    best = int(np.argmin(medians))
    return best, medians


def run(quick: bool, progress: Progress) -> Finding:
    sigmas = (0.1, 1.0) if quick else (0.01, 0.1, 1.0, 3.0)
    replicates, n_iter, every = (200, 300, 5) if quick else (500, 1000, 5)
    effective = np.geomspace(0.01, 1.5, 6 if quick else 11) / L
    progress.plan(len(sigmas) * len(OPTIMIZERS))
    checks, rows, data = [], [], {"effective": effective, "sigmas": sigmas, "runs": {}}
    for sigma in sigmas:
        summaries, at_largest = {}, {}
        for name, optimizer_for in OPTIMIZERS.items():
            result = noisy_runs(optimizer_for, effective, sigma, replicates, n_iter, every)
            progress.advance(f"{name}, sigma = {sigma:g}")
            best, medians = best_setting(result, effective, replicates)
            rows_of_best = slice(best * replicates, (best + 1) * replicates)
            final = median_interval(result.fun[rows_of_best])
            curve = result.path_fun[:, rows_of_best]
            median_curve = band(curve)[0]
            floor_time = first_reach(median_curve[:, None], result.path_iter, 2 * final.median)
            summaries[name] = final
            at_largest[name] = median_interval(result.fun[-replicates:])
            rows.append(
                {
                    "sigma": sigma,
                    "optimizer": name,
                    "best effective step": effective[best],
                    "final f - f* median": final.median,
                    "95% interval": [final.low, final.high],
                    "iterations to 2x the floor": float(floor_time[0]),
                }
            )
            data["runs"][(sigma, name)] = {
                "medians": medians,
                "iterations": result.path_iter,
                "curve": curve,
            }
        checks.append(
            _lower(
                f"momentum ends lower than gradient descent, each at its best "
                f"effective step, at sigma = {sigma:g}",
                *summaries.values(),
            )
        )
        checks.append(
            _lower(
                f"momentum ends lower than gradient descent at the largest "
                f"effective step ({effective[-1]:.3g} = {effective[-1] * L:.3g}/L), "
                f"at sigma = {sigma:g}",
                *at_largest.values(),
            )
        )
    design = (
        f"f = (x1^2 + 10 x2^2)/2 from {X0}, Gaussian gradient noise sigma in "
        f"{', '.join(f'{s:g}' for s in sigmas)}; gradient descent and momentum {BETA} on the "
        f"same {len(effective)} effective steps alpha/(1-beta) from {effective[0]:.3g} to "
        f"{effective[-1]:.3g}, {replicates} seeded replicates each (common noise), {n_iter} "
        "iterations; each method judged at the effective step with its lowest median final gap."
    )
    return EXPERIMENT.finding(
        design=design, quick=quick, checks=checks, numbers={"settings": rows}, data=data
    )


def _lower(condition: str, gd, hb) -> Check:
    order = disjoint(hb, gd)
    verdict = {-1: "momentum lower", 0: "intervals overlap", 1: "gradient descent lower"}[order]
    return Check(
        condition,
        order < 0,
        f"final f - f*: momentum {hb.text()}, gradient descent {gd.text()} (median, "
        f"95% interval, {hb.n} replicates each); {verdict}",
    )


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    data = finding.data
    figure, (left, right) = plt.subplots(1, 2, figsize=(12.0, 4.8), layout="constrained")
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for sigma, color in zip(data["sigmas"], colors, strict=False):
        for name, style in zip(OPTIMIZERS, ("-o", "--s"), strict=True):
            left.plot(
                data["effective"],
                data["runs"][(sigma, name)]["medians"],
                style,
                color=color,
                markersize=4,
                label=f"{name}, sigma={sigma:g}",
            )
    left.set(
        xscale="log",
        yscale="log",
        xlabel="effective step alpha / (1 - beta)",
        ylabel="median final f - f*",
        title="Same effective step, same final error?",
    )
    left.legend(fontsize="x-small", ncol=2)
    sigma = data["sigmas"][len(data["sigmas"]) // 2]
    for name, color in zip(OPTIMIZERS, colors, strict=False):
        run = data["runs"][(sigma, name)]
        median, low, high = band(run["curve"])
        right.plot(run["iterations"], median, color=color, label=f"{name} (median)")
        right.fill_between(
            run["iterations"],
            low,
            high,
            color=color,
            alpha=0.25,
            label=f"{name} (interquartile range)",
        )
    right.set(
        yscale="log",
        xlabel="iteration",
        ylabel="f - f*",
        title=f"sigma = {sigma:g}, each at its best effective step",
    )
    right.legend(fontsize="small")
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
    return figure


EXPERIMENT = Experiment(
    name="noisy-gradients",
    title="Momentum and noisy gradients",
    claim="Momentum overcomes the oscillations of noisy gradients: with noisy gradient "
    "estimates, gradient descent with momentum reaches a lower error than gradient descent.",
    source="tutorial 001, introduction and 'Momentum' section (quoting Deep Learning, 2016, "
    "p. 296)",
    run=run,
    draw=draw,
)
