"""Many starts: where they ended, a thinned sample of their paths, and the minima found."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from descentlab.plot import _data
from descentlab.plot._marks import draw_minima_2d, legend_below, new_axes
from descentlab.plot.contour import draw_contours
from descentlab.problems.problem import Problem
from descentlab.results.multistart import summarize
from descentlab.results.result import Result


def plot_starts(
    problem: Problem,
    result: Result,
    *,
    ax: Axes | None = None,
    max_paths: int = 30,
    bounds: object = None,
    cmap: str = "viridis",
    tol: float = 1e-3,
) -> Axes:
    """Final points of every start over the contours, up to ``max_paths`` paths (evenly
    thinned), and each distinct minimum found, annotated with how many starts reached it."""
    ax = new_axes(ax)
    draw_contours(ax, problem, bounds=bounds, cmap=cmap)
    if result.path is not None:
        paths = result.path.reshape(len(result.path), -1, 2)
        for j in _data.thinned(paths.shape[1], max_paths):
            ax.plot(paths[:, j, 0], paths[:, j, 1], "-", color="white", alpha=0.45,
                    linewidth=0.8, gid="sample-path")  # fmt: skip
    final = result.x.reshape(-1, 2)
    ax.plot(final[:, 0], final[:, 1], ".", color="orange", markersize=4, label="final points",
            gid="final")  # fmt: skip
    draw_minima_2d(ax, problem)
    for minimum in summarize(result, problem, tol).minima:
        ax.annotate(f"{minimum.count}", minimum.x, xytext=(6, 6), textcoords="offset points",
                    color="white", fontsize="small", fontweight="bold", gid="count")  # fmt: skip
    ax.set_title(f"{problem.name}: {np.size(result.fun)} starts")
    legend_below(ax)
    return ax
