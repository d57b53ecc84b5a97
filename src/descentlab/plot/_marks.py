"""What every view of a search shares: the path, its start and end, the known minima."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from descentlab.problems.problem import Problem

#: Paths longer than this many points are drawn with a dot every len // MAX_DOTS points.
MAX_DOTS = 80
#: One color per run, the same in every panel and picture of a comparison (its paths over the
#: contours, its convergence curve, its animation): Okabe & Ito's palette, which colour-blind
#: readers tell apart too. Paths are drawn with a dark outline, so every color shows on the
#: contours' dark and light ends and on white.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442", "#000000")
#: With more runs than colors, the colors come again with these dashes.
DASHES = ("-", "--", ":", "-.")


def run_style(k: int) -> dict:
    """The color (and, past the palette, the dashes) of the ``k``-th run of a picture."""
    return {"color": PALETTE[k % len(PALETTE)],
            "linestyle": DASHES[(k // len(PALETTE)) % len(DASHES)]}  # fmt: skip


def outlined(width: float = 2.6) -> list:
    """A dark stroke under a line, so it reads over any background."""
    from matplotlib import patheffects

    return [patheffects.Stroke(linewidth=width, foreground="0.1", alpha=0.8), patheffects.Normal()]


def new_axes(ax: Axes | None, projection: str | None = None) -> Axes:
    if ax is not None:
        return ax
    figure = plt.figure(figsize=(6.4, 5.2), layout="constrained")
    return figure.add_subplot(projection=projection)


def draw_path(ax: Axes, xs, ys, *, color: str, label: str | None = None, zs=None,
              outline: bool = False) -> None:  # fmt: skip
    """The path as dots joined by a line (the tutorials' look), start and end marked. Long
    paths show a dot every few points, so the line stays readable; ``outline`` strokes it dark
    underneath (a colored path over contours)."""
    coords = (xs, ys) if zs is None else (xs, ys, zs)
    every = max(1, len(xs) // MAX_DOTS)
    effects = {"path_effects": outlined()} if outline else {}
    ax.plot(*coords, ".-", color=color, linewidth=1.2, markersize=5, markevery=every,
            label=label, gid="path", zorder=3, **effects)  # fmt: skip
    start = [c[:1] for c in coords]
    end = [c[-1:] for c in coords]
    ax.plot(*start, "o", color=color, markersize=9, markerfacecolor="none", markeredgewidth=2,
            gid="start", zorder=4)  # fmt: skip
    ax.plot(*end, "*", color=color, markersize=14, markeredgecolor="black", markeredgewidth=0.6,
            gid="end", zorder=4)  # fmt: skip


def draw_minima_2d(ax: Axes, problem: Problem) -> None:
    if problem.minimizers is None or problem.minimizers.shape[-1] != 2:
        return
    ax.plot(problem.minimizers[:, 0], problem.minimizers[:, 1], "X", color="red",
            markeredgecolor="white", markersize=10, label="known minima", gid="minima")  # fmt: skip


def key_for_marks(ax: Axes) -> None:
    """A legend entry for the start and end symbols (drawn once, in grey)."""
    ax.plot([], [], "o", color="0.3", markerfacecolor="none", markeredgewidth=2, label="start")
    ax.plot([], [], "*", color="0.3", markersize=12, label="end")


def finite_rows(points: np.ndarray) -> np.ndarray:
    """The leading rows that are finite: a diverged path is drawn up to where it went bad."""
    good = np.isfinite(points).all(axis=tuple(range(1, points.ndim)))
    return points[: int(np.argmin(good)) if not good.all() else len(points)]


def legend_below(ax: Axes) -> None:
    """The legend under the axes, where it hides nothing of the picture; grey, so that white
    paths show in it."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize="small",
              facecolor="0.7", edgecolor="0.7")  # fmt: skip
