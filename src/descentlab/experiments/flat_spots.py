"""Experiment 4: does momentum coast across flat spots?

The objective is a well in a plateau, ``f(x) = 1 - exp(-x**2)`` (minimum 0 at 0; the gradient
``2 x exp(-x**2)`` is below 0.01 for ``|x| > 2.5``). Starts are drawn on the plateau, in
``[2.5, 3]``. A start has *crossed* the plateau when it first reaches the well, ``|x| <= 0.5``,
and has *settled* once ``f - f* <= 0.01`` (``|x| <= 0.1``) holds from then on. Gradient
descent, momentum at the tutorial's 0.3 and at 0.9 run from the same starts at the same step
size; gradient descent also runs at momentum 0.9's effective step ``alpha / (1 - beta)``, the
fair rival on a plateau where the gradient hardly changes.
"""

from __future__ import annotations

import numpy as np

import descentlab as dl
from descentlab._namespace import namespace
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.results.statistics import band, first_reach, median_interval

ALPHA = 0.5
WELL = 0.5
SETTLED = 0.01


def _plateau_f(x):
    xp = namespace(x)
    return 1.0 - xp.exp(-xp.sum(x**2, axis=-1))


def _plateau_grad(x):
    xp = namespace(x)  # the array API, so that the JAX engine compiles it too
    return 2.0 * x * xp.exp(-xp.sum(x**2, axis=-1, keepdims=True))


def plateau() -> dl.Problem:
    return dl.Problem(
        f=_plateau_f,
        grad=_plateau_grad,
        bounds=[(-3.0, 3.0)],
        minimum=0.0,
        minimizers=[[0.0]],
        name="plateau: 1 - exp(-x^2)",
        vectorized=True,
    )


def crossed_at(result: dl.Result) -> np.ndarray:
    """Per start, the first iteration at which ``|x| <= WELL`` (NaN: never)."""
    return first_reach(np.abs(result.path[..., 0]), result.path_iter, WELL)


def settled_at(result: dl.Result) -> np.ndarray:
    """Per start, the first iteration from which ``f - f* <= SETTLED`` holds to the end (NaN
    if it does not hold at the end)."""
    above = result.path_fun > SETTLED
    last_above = len(above) - 1 - np.argmax(above[::-1], axis=0)
    settled = ~above[-1]
    after = np.where(above.any(axis=0), last_above + 1, 0)
    return np.where(settled, result.path_iter[np.minimum(after, len(above) - 1)], np.nan)


def methods() -> dict[str, dl.Optimizer]:
    return {
        f"gradient descent, alpha={ALPHA:g}": dl.GradientDescent(step_size=ALPHA),
        f"momentum 0.3 (tutorial), alpha={ALPHA:g}": dl.Momentum(step_size=ALPHA, momentum=0.3),
        f"momentum 0.9, alpha={ALPHA:g}": dl.Momentum(step_size=ALPHA, momentum=0.9),
        f"gradient descent, alpha={ALPHA / 0.1:g} (momentum 0.9's effective step)": (
            dl.GradientDescent(step_size=ALPHA / 0.1)
        ),
    }


def run(quick: bool, progress: Progress) -> Finding:
    starts, n_iter = (64, 2000) if quick else (256, 4000)
    problem = plateau()
    x0 = 2.5 + 0.5 * np.random.RandomState(7).rand(starts, 1)
    progress.plan(len(methods()))
    crossed, settled, paths, rows = {}, {}, {}, []
    for name, optimizer in methods().items():
        result = dl.minimize(problem, optimizer, n_iter=n_iter, x0=x0)
        progress.advance(name)
        crossed[name], settled[name] = crossed_at(result), settled_at(result)
        paths[name] = (result.path_iter, result.path[..., 0])
        rows.append(
            {
                "method": name,
                "crossed": median_interval(crossed[name]),
                "settled": median_interval(settled[name]),
                "starts settled": int(np.isfinite(settled[name]).sum()),
            }
        )
    gd, _, heavy, gd_effective = rows
    checks = [
        _faster(
            "momentum 0.9 crosses the plateau faster than gradient descent at the same step size",
            heavy,
            gd,
            "crossed",
        ),
        _faster(
            "momentum 0.9 settles in the minimum faster than gradient descent at the same "
            "step size",
            heavy,
            gd,
            "settled",
        ),
        _faster(
            "momentum 0.9 settles in the minimum faster than gradient descent at its "
            "effective step alpha/(1-beta)",
            heavy,
            gd_effective,
            "settled",
        ),
    ]
    design = (
        f"f(x) = 1 - exp(-x^2), {starts} starts uniform in [2.5, 3] (seed 7), {n_iter} "
        f"iterations; crossed = first |x| <= {WELL:g}; settled = f - f* <= {SETTLED:g} from "
        "then on. Times are medians with 95% intervals over the starts (never = infinite)."
    )
    numbers = {
        "methods": [
            {
                "method": r["method"],
                "crossed": _numbers(r["crossed"]),
                "settled": _numbers(r["settled"]),
                "starts settled": r["starts settled"],
            }
            for r in rows
        ]
    }
    return EXPERIMENT.finding(
        design=design, quick=quick, checks=checks, numbers=numbers, data={"paths": paths}
    )


def _faster(condition: str, fast: dict, slow: dict, what: str) -> Check:
    a, b = fast[what], slow[what]
    return Check(
        condition,
        a.high < b.low,
        f"iterations {what}: {fast['method']} {a.text()}, {slow['method']} {b.text()} "
        f"(median, 95% interval over {a.n} starts)",
    )


def _numbers(summary) -> dict:
    return {"median": summary.median, "interval": [summary.low, summary.high]}


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12.0, 4.6), layout="constrained")
    xs = np.linspace(-3, 3, 400)
    left.plot(xs, 1 - np.exp(-(xs**2)), color="0.3")
    left.axvspan(2, 3, color="tab:orange", alpha=0.2, label="starts")
    left.set(xlabel="x", ylabel="f(x)", title="A well in a plateau: f(x) = 1 - exp(-x^2)")
    left.legend(fontsize="small")
    for name, (iterations, x) in finding.data["paths"].items():
        median, low, high = band(x)
        line = right.plot(iterations, median, label=name)[0]
        right.fill_between(iterations, low, high, color=line.get_color(), alpha=0.2)
    right.set(
        xscale="symlog",
        xlabel="iteration",
        ylabel="x (median and interquartile range)",
        title="Crossing the plateau from the same starts",
    )
    right.legend(fontsize="x-small")
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    return figure


EXPERIMENT = Experiment(
    name="flat-spots",
    title="Momentum coasts across flat spots",
    claim="Momentum is helpful when the search space is flat or nearly flat: it allows the "
    "search to progress in the same direction as before the flat spot and cross the flat region.",
    source="tutorial 001, 'Momentum' section",
    run=run,
    draw=draw,
)
