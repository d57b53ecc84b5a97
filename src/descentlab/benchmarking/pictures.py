"""The benchmark's pictures: ``plot_x(frame, *, ax=None) -> Axes``, numbers from
:mod:`~descentlab.benchmarking.profiles` and :mod:`~descentlab.benchmarking.results`."""

from __future__ import annotations

import numpy as np

from descentlab.benchmarking import profiles
from descentlab.benchmarking.results import costs_at, runtimes
from descentlab.plot._marks import run_style


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6.4, 4.4), layout="constrained")[1]


def plot_performance_profile(frame, target: float = 1e-4, *, ax=None):
    """Dolan & Moré: the share of runs each optimizer solves within a factor ``alpha`` of the
    best optimizer's evaluations, at ``target``."""
    ax = _axes(ax)
    costs, _, names = costs_at(frame, target)
    alphas = profiles.ratio_grid(costs)
    rho = profiles.performance_profile(costs, alphas)
    for k, (name, curve) in enumerate(zip(names, rho, strict=True)):
        ax.step(alphas, curve, where="post", label=name, **run_style(k))
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="within a factor alpha of the best",
           ylabel="share of runs", title=f"performance profile, f - f* <= {target:g}")  # fmt: skip
    return _finish(ax)


def plot_data_profile(frame, target: float = 1e-4, *, ax=None):
    """Moré & Wild: the share of runs each optimizer solves within a budget of ``kappa``
    units of ``d + 1`` evaluations, at ``target``."""
    ax = _axes(ax)
    costs, dims, names = costs_at(frame, target)
    finite = (costs / (dims[:, None] + 1))[np.isfinite(costs)]
    top = float(finite.max()) * 1.2 if finite.size else 10.0
    kappas = np.geomspace(min(0.1, top / 10), max(top, 1.0), 200)
    curves = profiles.data_profile(costs, dims, kappas)
    for k, (name, curve) in enumerate(zip(names, curves, strict=True)):
        ax.step(kappas, curve, where="post", label=name, **run_style(k))
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="budget in units of d + 1 evaluations",
           ylabel="share of runs", title=f"data profile, f - f* <= {target:g}")  # fmt: skip
    return _finish(ax)


def plot_ecdf(frame, *, ax=None):
    """COCO's runtime ECDF: the share of (run, target) pairs, over the targets 1e2 .. 1e-8,
    reached within a budget of evaluations per dimension."""
    ax = _axes(ax)
    names = list(dict.fromkeys(frame["optimizer"]))
    tables = {name: runtimes(frame, name) for name in names}
    finite = np.concatenate([(t / d[:, None])[np.isfinite(t)].ravel() for t, d in tables.values()])
    top = float(finite.max()) * 1.5 if finite.size else 100.0
    budgets = np.geomspace(0.1, max(top, 1.0), 300)
    for k, (name, (table, dims)) in enumerate(tables.items()):
        ax.step(budgets, profiles.runtime_ecdf(table, dims, budgets), where="post", label=name,
                **run_style(k))  # fmt: skip
    ax.set(xscale="log", ylim=(-0.02, 1.02), xlabel="evaluations / dimension",
           ylabel="share of (run, target) pairs",
           title="runtime ECDF, targets 1e2 .. 1e-8")  # fmt: skip
    return _finish(ax)


def _finish(ax):
    ax.grid(True, which="both", alpha=0.3)
    lines = len(ax.get_lines())
    if lines > 6:  # many optimizers: the legend beside the axes, not over the curves
        ax.legend(fontsize="x-small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.legend(fontsize="small", loc="lower right")
    return ax
