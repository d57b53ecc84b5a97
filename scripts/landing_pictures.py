"""Draw the three pictures of the landing page and the README into docs/_static/.

Run from a checkout: ``python scripts/landing_pictures.py``. Each picture is made by the
library from a seeded run, so rerunning gives the same pictures.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import descentlab as dl
from descentlab import plot
from descentlab.benchmarking.pictures import plot_performance_profile

OUT = Path(__file__).resolve().parents[1] / "docs" / "_static"


def contour() -> plt.Figure:
    problem = dl.get_function("rosenbrock")
    optimizers = {
        "momentum": dl.Momentum(step_size=5e-4, momentum=0.9),
        "adam": dl.Adam(alpha=0.05),
    }
    runs = {name: dl.minimize(problem, opt, n_iter=1500, x0=[-1.5, 2.5])
            for name, opt in optimizers.items()}  # fmt: skip
    return plot.plot_comparison(problem, runs)


def starts() -> plt.Figure:
    problem = dl.get_function("himmelblau")
    result = dl.minimize(problem, dl.Adam(alpha=0.05), n_iter=2000, seed=0, starts=400,
                         record=10, tol=dl.Tolerance(grad=1e-8))  # fmt: skip
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    plot.plot_starts(problem, result, ax=ax)
    return fig


def profiles() -> plt.Figure:
    frame = dl.benchmark("conditioning", ["gd", "nesterov", "adam", "amsgrad"], budget=100,
                         seeds=4, tuning="grid", trials=6)  # fmt: skip
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    plot_performance_profile(frame, target=1e-4, ax=ax)
    return fig


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in {"contour": contour, "starts": starts, "profiles": profiles}.items():
        fig = draw()
        fig.savefig(OUT / f"{name}.png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
