"""1-D: the objective over its domain with the search on it (the tutorials' line plot)."""

from __future__ import annotations

from matplotlib.axes import Axes

from descentlab.plot import _data
from descentlab.plot._marks import draw_path, finite_rows, key_for_marks, new_axes
from descentlab.problems.problem import Problem
from descentlab.results.result import Result


def plot_line(
    problem: Problem,
    result: Result | None = None,
    *,
    ax: Axes | None = None,
    start: int | None = None,
    bounds: object = None,
    color: str = "red",
) -> Axes:
    """``f`` over the 1-D domain; the recorded path of ``start`` (default: the best) as red
    dots joined by a line, its start circled and its end starred."""
    ax = new_axes(ax)
    x, fx = _data.line_values(problem, bounds)
    ax.plot(x, fx, color="tab:blue", linewidth=1.5, label="f(x)", gid="objective")
    if result is not None:
        index = result.best() if start is None else start
        path, values = _data.run_path(result, index)
        keep = len(finite_rows(path))
        draw_path(ax, path[:keep, 0], values[:keep], color=color, label=f"search (start {index})")
        key_for_marks(ax)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(problem.name)
    ax.legend(loc="best", fontsize="small")
    return ax
