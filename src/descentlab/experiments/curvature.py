"""Experiment 2: momentum where curvature differs a lot between directions.

On a quadratic with curvatures in ``[mu, L]`` (condition number ``kappa = L/mu``), gradient
descent at its best constant step ``2/(L+mu)`` shrinks the error by ``r = (kappa-1)/(kappa+1)``
per iteration; the heavy ball at Polyak's optimal ``alpha = 4/(sqrt(L)+sqrt(mu))**2``,
``beta = r_hb**2`` by ``r_hb = (sqrt(kappa)-1)/(sqrt(kappa)+1)`` (Polyak 1964; Nocedal & Wright,
sec. 3.3). One decade of error reduction therefore takes ``ln 10 / -ln r`` iterations, and the
ratio of the two grows like ``sqrt(kappa)``. The experiment measures the decay of
``||x_k - x*||`` on ``f = (x1**2 + kappa x2**2)/2`` from ``(1, 1)``.
"""

from __future__ import annotations

import math

import numpy as np

import descentlab as dl
from descentlab.experiments._base import Check, Experiment, Finding, Progress
from descentlab.optimizers.theory import Quadratic
from descentlab.results.statistics import iterations_per_decade

#: The error window the decay rate is fitted over (relative to the start's error).
WINDOW = (1e-2, 1e-12)


def theory(kappa: float) -> dict[str, float]:
    """Per-iteration contraction of both methods at their optimal settings, and the settings."""
    quadratic = Quadratic(1.0, kappa)
    hb_step, hb_momentum = quadratic.polyak
    return {
        "gd_step": quadratic.gd_step,
        "hb_step": hb_step,
        "hb_momentum": hb_momentum,
        "r_gd": quadratic.gd_rate,
        "r_hb": quadratic.heavy_ball_rate,
    }


def per_decade(r: float) -> float:
    return math.log(10.0) / -math.log(r)


def measured_per_decade(problem: dl.Problem, optimizer: dl.Optimizer, r: float) -> float:
    """Iterations per decade of ``||x_k||``, fitted over :data:`WINDOW` of a recorded run."""
    n_iter = int(per_decade(r) * 11.5) + 50
    result = dl.minimize(problem, optimizer, n_iter=n_iter, x0=[1.0, 1.0], record="all")
    errors = np.linalg.norm(result.path, axis=-1) / math.sqrt(2.0)
    return iterations_per_decade(result.path_iter, errors, *WINDOW)


def run(quick: bool, progress: Progress) -> Finding:
    kappas = (10.0, 100.0, 1e3) if quick else (10.0, 100.0, 1e3, 1e4)
    progress.plan(len(kappas))
    checks, rows = [], []
    for kappa in kappas:
        best = theory(kappa)
        problem = dl.get_function("quadratic", dim=2, kappa=kappa)
        gd = measured_per_decade(
            problem, dl.GradientDescent(step_size=best["gd_step"]), best["r_gd"]
        )
        hb = measured_per_decade(
            problem,
            dl.Momentum(step_size=best["hb_step"], momentum=best["hb_momentum"]),
            best["r_hb"],
        )
        progress.advance(f"kappa = {kappa:g}")
        row = {
            "kappa": kappa,
            "gd measured": gd,
            "gd theory": per_decade(best["r_gd"]),
            "hb measured": hb,
            "hb theory": per_decade(best["r_hb"]),
            "ratio": gd / hb,
        }
        rows.append(row)
        for method in ("gd", "hb"):
            off = row[f"{method} measured"] / row[f"{method} theory"] - 1.0
            name = "gradient descent" if method == "gd" else "heavy ball"
            checks.append(
                Check(
                    f"{name} iterations per decade within 10% of theory at kappa = {kappa:g}",
                    bool(abs(off) <= 0.10),
                    f"measured {row[f'{method} measured']:.4g}, "
                    f"theory {row[f'{method} theory']:.4g} "
                    f"({100 * off:+.1f}%)",
                )
            )
    ratios = ", ".join(f"{r['ratio']:.3g}" for r in rows)
    exponent = float(
        np.polyfit(np.log([r["kappa"] for r in rows]), np.log([r["ratio"] for r in rows]), 1)[0]
    )
    checks.append(
        Check(
            "the iteration ratio gradient descent / heavy ball grows like sqrt(kappa)",
            abs(exponent - 0.5) <= 0.05,
            f"ratio ~ kappa^{exponent:.3f} (fitted over kappa = "
            f"{', '.join(f'{k:g}' for k in kappas)}); ratios "
            f"{ratios}",
        )
    )
    design = (
        "f = (x1^2 + kappa x2^2)/2 from (1, 1); gradient descent at 2/(L+mu) and the heavy ball "
        "at Polyak's optimal (alpha, beta); iterations per decade of ||x - x*|| from a line "
        f"fitted to log10 of the error between {WINDOW[0]:g} and {WINDOW[1]:g} of its start."
    )
    return EXPERIMENT.finding(
        design=design,
        quick=quick,
        checks=checks,
        numbers={"kappas": rows, "ratio exponent": exponent},
        data={"rows": rows},
    )


def draw(finding: Finding):
    import matplotlib.pyplot as plt

    rows = finding.data["rows"]
    kappa = np.array([r["kappa"] for r in rows])
    figure, ax = plt.subplots(figsize=(7.0, 4.6), layout="constrained")
    fine = np.geomspace(kappa.min(), kappa.max(), 100)
    for method, name, color in (
        ("gd", "gradient descent, 2/(L+mu)", "tab:blue"),
        ("hb", "heavy ball, Polyak's optimum", "tab:orange"),
    ):
        rates = [theory(k)["r_gd" if method == "gd" else "r_hb"] for k in fine]
        ax.plot(
            fine,
            [per_decade(r) for r in rates],
            color=color,
            linewidth=1,
            label=f"{name}: theory ln10 / -ln r",
        )
        ax.plot(
            kappa,
            [r[f"{method} measured"] for r in rows],
            "o",
            color=color,
            label=f"{name}: measured",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("condition number kappa = L / mu")
    ax.set_ylabel("iterations per decade of ||x - x*||")
    ax.set_title(
        f"Momentum on ill-conditioned quadratics: ratio ~ kappa^"
        f"{finding.numbers['ratio exponent']:.2f}"
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return figure


EXPERIMENT = Experiment(
    name="curvature",
    title="Momentum accelerates where curvature is large",
    claim="Momentum is most useful where the objective has a large amount of curvature: on "
    "ill-conditioned quadratics the heavy ball at its optimal setting needs about sqrt(kappa) "
    "times fewer iterations than gradient descent at its best step.",
    source="tutorial 001 (quoting Deep Learning, 2016, p. 296); theory: Polyak (1964)",
    run=run,
    draw=draw,
)
