"""3-D: the objective as a surface with the search lifted onto it."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from descentlab.plot import _data
from descentlab.plot._marks import draw_path, finite_rows, new_axes
from descentlab.problems.problem import Problem
from descentlab.results.result import Result


def plot_surface(
    problem: Problem,
    result: Result | None = None,
    *,
    ax: Axes | None = None,
    start: int | None = None,
    bounds: object = None,
    cmap: str = "viridis",
    resolution: int = 80,
    color: str = "red",
) -> Axes:
    """The surface ``z = f(x, y)`` (the tutorials' 3-D view) with the path of ``start``
    (default: the best) drawn at the height of its values."""
    ax = new_axes(ax, projection="3d")
    grid = _data.grid_values(problem, bounds, resolution)
    # Draw in the order given (surface, then path) instead of by depth, or the surface hides
    # the path that lies on it.
    ax.computed_zorder = False
    ax.plot_surface(*_mesh(grid), cmap=cmap, alpha=0.7, linewidth=0, antialiased=True, zorder=1)
    if result is not None:
        index = result.best() if start is None else start
        path, values = _data.run_path(result, index)
        keep = len(finite_rows(path))
        draw_path(ax, path[:keep, 0], path[:keep, 1], zs=values[:keep], color=color,
                  label=f"search (start {index})")  # fmt: skip
        ax.legend(loc="upper left", fontsize="small")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("f(x, y)")
    ax.set_title(problem.name)
    return ax


def _mesh(grid: _data.Grid):
    x, y = np.meshgrid(grid.x, grid.y)
    return x, y, grid.z
