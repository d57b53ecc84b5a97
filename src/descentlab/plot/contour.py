"""2-D: filled contours of the objective with the search drawn on them."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.ticker import LogFormatterSciNotation, LogLocator, MaxNLocator

from descentlab.plot import _data
from descentlab.plot._marks import (
    draw_minima_2d,
    draw_path,
    finite_rows,
    key_for_marks,
    legend_below,
    new_axes,
)
from descentlab.problems.problem import Problem
from descentlab.results.result import Result


def plot_contour(
    problem: Problem,
    result: Result | None = None,
    *,
    ax: Axes | None = None,
    start: int | None = None,
    bounds: object = None,
    levels: int = 50,
    cmap: str = "viridis",
    log_levels: bool | None = None,
    colorbar: bool = True,
    color: str = "white",
    label: str | None = None,
) -> Axes:
    """Filled contours (``levels`` of them; log-spaced automatically where ``f`` spans orders
    of magnitude) with the path of ``start`` (default: the best) as white dots joined by a
    line, the known minima as red crosses, and a colorbar. ``cmap="jet"`` gives the tutorials'
    colors; the default is perceptually uniform.
    """
    ax = new_axes(ax)
    draw_contours(ax, problem, bounds=bounds, levels=levels, cmap=cmap, log_levels=log_levels,
                  colorbar=colorbar)  # fmt: skip
    draw_minima_2d(ax, problem)
    if result is not None:
        index = result.best() if start is None else start
        path, _ = _data.run_path(result, index)
        path = finite_rows(path)
        draw_path(ax, path[:, 0], path[:, 1], color=color, label=label or f"search (start {index})")
        key_for_marks(ax)
    legend_below(ax)
    return ax


def draw_contours(ax, problem, *, bounds=None, levels=50, cmap="viridis", log_levels=None,
                  colorbar=True):  # fmt: skip
    """The filled contours alone, on ``ax``; returns the contour set."""
    grid = _data.grid_values(problem, bounds)
    log = _data.wants_log_levels(grid.z) if log_levels is None else log_levels
    values = _data.contour_levels(grid.z, levels, log)
    norm = LogNorm(values[0], values[-1]) if log else None
    z = grid.z.clip(min=values[0]) if log else grid.z
    filled = ax.contourf(grid.x, grid.y, z, levels=values, cmap=cmap, norm=norm, extend="both")
    if colorbar:
        ticks = (
            {"ticks": LogLocator(), "format": LogFormatterSciNotation()}
            if log
            else {"ticks": MaxNLocator(8)}
        )
        bar = ax.figure.colorbar(filled, ax=ax, **ticks)
        bar.set_label("f(x, y)" + (" (log scale)" if log else ""))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(problem.name)
    ax.set_xlim(grid.x[0], grid.x[-1])
    ax.set_ylim(grid.y[0], grid.y[-1])
    return filled
