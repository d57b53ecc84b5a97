"""Several optimizers from the same start on one picture, and their convergence curves."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from descentlab.plot import _data
from descentlab.plot._marks import (
    draw_minima_2d,
    draw_path,
    finite_rows,
    key_for_marks,
    legend_below,
    run_style,
)
from descentlab.plot.contour import draw_contours
from descentlab.plot.convergence import plot_convergence
from descentlab.problems.problem import Problem
from descentlab.results.result import Result


def plot_paths(
    problem: Problem,
    results: Mapping[str, Result],
    *,
    ax: Axes | None = None,
    start: int = 0,
    bounds: object = None,
    cmap: str = "viridis",
) -> Axes:
    """Each run's path of ``start`` in its own color with a legend: over the contours in 2-D,
    over the objective's line in 1-D. The k-th run has the k-th color of
    :data:`~descentlab.plot._marks.PALETTE`, as in :func:`plot_convergence` and the
    animations, so one optimizer looks the same in every panel."""
    if ax is None:
        ax = plt.figure(figsize=(6.4, 5.2), layout="constrained").add_subplot()
    dim = next(iter(results.values())).x.shape[-1]
    if dim == 2:
        draw_contours(ax, problem, bounds=bounds, cmap=cmap)
        draw_minima_2d(ax, problem)
    else:
        x, fx = _data.line_values(problem, bounds)
        ax.plot(x, fx, color="0.4", linewidth=1.2, label="f(x)", gid="objective")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.set_title(problem.name)
    for k, (label, result) in enumerate(results.items()):
        path, values = _data.run_path(result, start)
        path = finite_rows(path)
        ys = path[:, 1] if dim == 2 else values[: len(path)]
        draw_path(ax, path[:, 0], ys, color=run_style(k)["color"], label=label, outline=True)
    key_for_marks(ax)
    legend_below(ax)
    return ax


def plot_comparison(
    problem: Problem,
    results: Mapping[str, Result],
    *,
    start: int = 0,
    bounds: object = None,
    cmap: str = "viridis",
    figsize: tuple[float, float] = (12.0, 5.0),
    band: str | None = None,
) -> Figure:
    """A figure of two panels: :func:`plot_paths` and :func:`plot_convergence` (for more than
    two dimensions, the convergence panel alone); ``band`` as in :func:`plot_convergence`."""
    dim = next(iter(results.values())).x.shape[-1]
    if dim > 2:
        figure = plt.figure(figsize=(figsize[0] / 2, figsize[1]), layout="constrained")
        plot_convergence(problem, results, ax=figure.add_subplot(), band=band)
        return figure
    figure, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    plot_paths(problem, results, ax=left, start=start, bounds=bounds, cmap=cmap)
    plot_convergence(problem, results, ax=right, band=band)
    return figure
