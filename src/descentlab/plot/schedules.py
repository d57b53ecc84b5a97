"""Schedules as curves: the value each gives at every iteration."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes

from descentlab.plot._marks import new_axes
from descentlab.schedules import Schedule


def plot_schedules(schedules: Mapping[str, Schedule], steps: int, *, ax: Axes | None = None,
                   log: bool = False) -> Axes:  # fmt: skip
    """One line per schedule over iterations ``1 .. steps`` (``log``: a log value axis)."""
    ax = new_axes(ax)
    t = np.arange(1, steps + 1)
    for label, schedule in schedules.items():
        values = np.array([float(np.mean(schedule(int(k)))) for k in t])
        ax.plot(t, values, linewidth=1.6, label=label, gid="schedule")
    ax.set_xlabel("iteration t")
    ax.set_ylabel("value")
    if log:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax
