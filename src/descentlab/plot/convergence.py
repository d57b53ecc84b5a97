"""How fast each run closes in: ``f - f*`` against iterations or evaluations, on a log axis."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from descentlab.plot import _data
from descentlab.plot._marks import new_axes, run_style
from descentlab.problems.problem import Problem
from descentlab.results.result import Result

BAND_NAMES = {"iqr": "interquartile range", "ci95": "95% interval of the median"}


def plot_convergence(
    problem: Problem,
    results: Result | Mapping[str, Result],
    *,
    ax: Axes | None = None,
    against: str = "iteration",
    band: str | None = None,
) -> Axes:
    """One line per run (a ``{label: Result}`` mapping, or one Result): ``f - f*`` where the
    minimum is known, else ``f``, on a log axis, against the iteration or (``against="nfev"``)
    the number of function evaluations.

    Without ``band`` each line is the run's best start. With ``band="iqr"`` or ``"ci95"`` each
    line is the median over the run's recorded starts (replicates, for a noisy or minibatch
    run) with a shaded band: the interquartile range or the 95% interval of the median; the
    legend says which and over how many starts.
    """
    ax = new_axes(ax)
    runs = {"run": results} if isinstance(results, Result) else dict(results)
    ylabel = "f(x)"
    for k, (label, result) in enumerate(runs.items()):
        style = run_style(k)  # the color its path has in plot_paths and the animations
        if band is None:
            curve = _data.convergence(result, problem, against)
            ax.plot(curve.x, curve.y, linewidth=1.8, label=label, gid="convergence", **style)
        else:
            curve = _data.convergence_band(result, problem, against, band)
            text = f"{label}: median, {BAND_NAMES[band]} of {curve.n} starts"
            line = ax.plot(curve.x, curve.median, linewidth=1.8, label=text, gid="convergence",
                           **style)[0]  # fmt: skip
            ax.fill_between(curve.x, curve.low, curve.high, color=line.get_color(), alpha=0.25,
                            linewidth=0, gid="band")  # fmt: skip
        ylabel = curve.ylabel
    if problem.minimum is not None or all(_positive(r) for r in runs.values()):
        ax.set_yscale("log")
    ax.set_xlabel("iteration" if against == "iteration" else "function evaluations")
    ax.set_ylabel(ylabel)
    ax.set_title(f"convergence on {problem.name}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def _positive(result: Result) -> bool:
    return result.path_fun is not None and bool((result.path_fun > 0).all())


def plot_step_sizes(results: Result | Mapping[str, Result], *, ax: Axes | None = None) -> Axes:
    """The step each update took (``Result.path_step``, recorded when a step rule chose it:
    a line search, Polyak's or Barzilai-Borwein's step) against the iteration, on a log axis;
    for many starts, the median over them."""
    ax = new_axes(ax)
    runs = {"run": results} if isinstance(results, Result) else dict(results)
    drawn = False
    for label, result in runs.items():
        if result.path_step is None:
            continue
        steps = np.asarray(result.path_step, dtype=float).reshape(len(result.path_iter), -1)
        with warnings.catch_warnings():  # the start has no step: an all-NaN row
            warnings.simplefilter("ignore", RuntimeWarning)
            middle = np.nanmedian(np.where(steps > 0, steps, np.nan), axis=1)
        ax.plot(result.path_iter, middle, ".-", markersize=3, linewidth=1.2, label=label,
                gid="step-size")  # fmt: skip
        drawn = True
    if not drawn:
        raise ValueError("no run here recorded its step sizes: they are recorded with a step "
                         "rule (step_rule=dl.Armijo(), ...)")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("step size (||x_k - x_k-1|| / ||g||)")
    ax.set_title("step size per iteration", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax
