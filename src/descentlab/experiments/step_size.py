"""Experiment 1: the step size as a scale factor, and the largest stable one.

Gradient descent moves by ``alpha * g``. On a quadratic whose largest curvature is ``L`` the
error along that direction is multiplied by ``1 - alpha L`` each step, so the run is stable for
``alpha < 2/L`` and blows up beyond. The experiment finds the largest stable step size from runs
alone (doubling, then repeated subdivision of the bracket, every trial step of a round run as one
batch), without being told ``L``, and compares it with ``2/L``; and it counts the iterations to
``f - f* <= 1e-10`` over a grid of step sizes, whose best point theory puts at ``2/(L + mu)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress

TARGET = 1e-10


@dataclass(frozen=True)
class Bowl:
    """A quadratic of known curvature range ``[mu, L]`` and the start used on it."""

    label: str
    problem: dl.Problem
    L: float
    mu: float
    x0: np.ndarray


def bowls() -> list[Bowl]:
    x_squared = dl.get_function("sphere", dim=1)  # f = x**2: L = mu = 2
    axes = dl.get_function("quadratic", dim=2, kappa=10.0)
    rotated = dl.get_function("quadratic", dim=5, kappa=100.0, rotation_seed=0)
    start5 = dl.uniform_starts(rotated.bounds, None, 1)
    return [
        Bowl("x**2", x_squared, 2.0, 2.0, np.array([0.8])),
        Bowl("quadratic, kappa=10, 2-D", axes, 10.0, 1.0, np.array([0.8, 0.8])),
        Bowl("rotated quadratic, kappa=100, 5-D", rotated, 100.0, 1.0, start5),
    ]


def stable(bowl: Bowl, steps: np.ndarray, n_iter: int) -> np.ndarray:
    """Per step size: did ``n_iter`` steps of gradient descent end below where they began?"""
    x0 = np.broadcast_to(bowl.x0, (len(steps), bowl.x0.size))
    result = dl.minimize(
        bowl.problem, dl.GradientDescent(step_size=steps), n_iter=n_iter, x0=x0, record=None
    )
    start_gap = float(bowl.problem.f(bowl.x0)) - bowl.problem.minimum
    gap = result.fun - bowl.problem.minimum
    return np.isfinite(gap) & (gap < start_gap) & (result.status != "diverged")


def largest_stable_step(bowl: Bowl, n_iter: int, rounds: int, points: int) -> tuple[float, float]:
    """A bracket ``[lo, hi]`` of the largest stable step size, from runs only: double from
    1e-4 until a run is unstable, then cut the bracket into ``points`` trials ``rounds`` times."""
    doubling = 1e-4 * 2.0 ** np.arange(40)
    ok = stable(bowl, doubling, n_iter)
    first_bad = int(np.argmin(ok))
    if ok.all() or first_bad == 0:
        raise RuntimeError(f"no stability bracket found on {bowl.label}")
    lo, hi = doubling[first_bad - 1], doubling[first_bad]
    for _ in range(rounds):
        trials = np.linspace(lo, hi, points)
        ok = stable(bowl, trials, n_iter)
        last_good = int(np.argmin(ok)) - 1 if not ok.all() else points - 1
        lo, hi = trials[last_good], trials[min(last_good + 1, points - 1)]
    return float(lo), float(hi)


def iterations_to_target(bowl: Bowl, scaled_steps: np.ndarray, n_iter: int) -> np.ndarray:
    """Iterations to ``f - f* <= TARGET`` per step size ``scaled_steps * 2/L`` (NaN: never)."""
    steps = scaled_steps * 2.0 / bowl.L
    x0 = np.broadcast_to(bowl.x0, (len(steps), bowl.x0.size))
    result = dl.minimize(
        bowl.problem,
        dl.GradientDescent(step_size=steps),
        n_iter=n_iter,
        x0=x0,
        tol=dl.Tolerance(fun=TARGET),
        record=None,
    )
    return np.where(result.success, result.nit, np.nan).astype(float)


def run(quick: bool, progress: Progress) -> Finding:
    n_iter, rounds, points, grid_size = (1500, 3, 16, 41) if quick else (5000, 4, 32, 121)
    grid = np.linspace(0.02, 1.1, grid_size)
    shapes = bowls()
    progress.plan(2 * len(shapes))
    checks, rows, curves = [], [], {}
    for bowl in shapes:
        lo, hi = largest_stable_step(bowl, n_iter, rounds, points)
        progress.advance(f"largest stable step on {bowl.label}")
        measured = 0.5 * (lo + hi)
        error = measured / (2.0 / bowl.L) - 1.0
        checks.append(
            Check(
                f"largest stable step = 2/L to 1% on {bowl.label}",
                abs(error) <= 0.01,
                f"found {measured:.6g} (bracket [{lo:.6g}, {hi:.6g}]), 2/L = {2 / bowl.L:.6g}, "
                f"off by {100 * error:+.3f}%",
            )
        )
        iterations = iterations_to_target(bowl, grid, 20 * n_iter)
        progress.advance(f"iterations against the step size on {bowl.label}")
        best = grid[np.nanargmin(iterations)] * 2.0 / bowl.L
        theory_best = 2.0 / (bowl.L + bowl.mu)
        cell = (grid[1] - grid[0]) * 2.0 / bowl.L
        checks.append(
            Check(
                f"fewest iterations within two grid cells of 2/(L+mu) on {bowl.label}",
                abs(best - theory_best) <= 2 * cell + 1e-12,
                f"fewest ({int(np.nanmin(iterations))}) at step {best:.4g}; "
                f"2/(L+mu) = {theory_best:.4g}; grid cell {cell:.3g}",
            )
        )
        rows.append(
            {
                "problem": bowl.label,
                "L": bowl.L,
                "mu": bowl.mu,
                "2/L": 2 / bowl.L,
                "largest stable step": measured,
                "relative error": error,
                "best step on grid": best,
                "2/(L+mu)": theory_best,
                "fewest iterations": float(np.nanmin(iterations)),
            }
        )
        curves[bowl.label] = iterations
    design = (
        f"Gradient descent on three quadratics of known L. Largest stable step: doubling from "
        f"1e-4, then {rounds} rounds cutting the bracket into {points} trial steps, each round "
        f"one batch; a step is stable when {n_iter} steps end below the start's f. Iterations "
        f"to f - f* <= {TARGET:g} on {grid_size} steps from 0.02 to 1.1 times 2/L."
    )
    return EXPERIMENT.finding(
        design=design,
        quick=quick,
        checks=checks,
        numbers={"problems": rows},
        data={"grid": grid, "curves": curves, "rows": rows},
    )


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
    grid = finding.data["grid"]
    for row, (label, iterations) in zip(
        finding.data["rows"], finding.data["curves"].items(), strict=True
    ):
        line = ax.plot(grid, iterations, ".-", markersize=3, label=label)[0]
        ax.axvline(
            row["largest stable step"] * row["L"] / 2,
            color=line.get_color(),
            linestyle=":",
            linewidth=1.5,
        )
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1, label="2/L (theory)")
    ax.set_yscale("log")
    ax.set_xlabel("step size x L/2   (dotted: largest stable step found by runs)")
    ax.set_ylabel(f"iterations to f - f* <= {TARGET:g}")
    ax.set_title("The step size scales the gradient: stable below 2/L, fastest near 2/(L+mu)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return figure


EXPERIMENT = Experiment(
    name="step-size",
    title="The step size is a scale factor on the gradient",
    claim="The step size is used as a scale factor on the magnitude of the gradient (curvature) "
    "of the objective function: on a quadratic of largest curvature L, gradient descent is "
    "stable exactly for step sizes below 2/L and fastest at 2/(L+mu).",
    source="tutorial 001 (gradient descent with momentum), the paragraph after the first run; "
    "theory: Nocedal & Wright (2006), sec. 3.3",
    run=run,
    draw=draw,
)
