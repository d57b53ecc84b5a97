"""A network's (or any problem's) landscape: a 2-D slice with the optimizers' paths on it, as
contours, as a surface and moving; and the sharpness along a run against ``2 / eta``."""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm

from descentlab.landscape.slices import Slice
from descentlab.plot import _data
from descentlab.plot._marks import draw_path, finite_rows, new_axes, outlined, run_style
from descentlab.plot.animate import SearchAnimation
from descentlab.results.result import Result


def plot_landscape(plane: Slice, *, ax: Axes | None = None, levels: int = 40,
                   cmap: str = "viridis", log_levels: bool | None = None,
                   colorbar: bool = True) -> Axes:  # fmt: skip
    """The slice as filled contours with each path in its color; the legend gives the share
    of each path's movement that lies in the plane (the rest is out of the picture)."""
    _check(plane)
    ax = new_axes(ax)
    log = _spans_decades(plane.values) if log_levels is None else log_levels
    filled = ax.contourf(plane.a, plane.b, plane.values, levels=_data.contour_levels(
        plane.values, levels, log), cmap=cmap, norm=LogNorm() if log else None)  # fmt: skip
    if colorbar:
        ax.figure.colorbar(filled, ax=ax, label=f"{plane.problem} objective", format="%.3g")
    for k, (name, track) in enumerate(plane.paths.items()):
        track = finite_rows(track)
        draw_path(
            ax,
            track[:, 0],
            track[:, 1],
            color=run_style(k)["color"],
            outline=True,
            label=f"{name} ({plane.shares[name]:.0%} of its movement in the plane)",
        )
    ax.set(xlabel=_axis_label(plane, 0), ylabel=_axis_label(plane, 1),
           title=f"{plane.problem}: {_kind_text(plane)}")  # fmt: skip
    if plane.paths:
        ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return ax


def plot_landscape_surface(plane: Slice, *, ax: Axes | None = None, cmap: str = "viridis",
                           log: bool = False) -> Axes:  # fmt: skip
    """The slice as a 3-D surface with the paths lifted onto it (``log``: log10 of ``f``)."""
    _check(plane)
    ax = new_axes(ax, projection="3d")
    a, b = np.meshgrid(plane.a, plane.b)
    heights = np.log10(plane.values) if log else plane.values
    ax.plot_surface(a, b, heights, cmap=cmap, alpha=0.8, linewidth=0, antialiased=True)
    for k, (name, track) in enumerate(plane.paths.items()):
        track = finite_rows(track)
        z = _interpolated(plane, track)
        draw_path(ax, track[:, 0], track[:, 1], zs=np.log10(z) if log else z,
                  color=run_style(k)["color"], label=name)  # fmt: skip
    ax.set(
        xlabel=_axis_label(plane, 0),
        ylabel=_axis_label(plane, 1),
        zlabel="log10 f" if log else "f",
        title=f"{plane.problem}: {_kind_text(plane)}",
    )
    return ax


def _interpolated(plane: Slice, track: np.ndarray) -> np.ndarray:
    """The slice's values at the path's plane points, bilinear on the grid (a path's own
    values live off the plane, so they are not the surface's height)."""
    a = np.clip(track[:, 0], plane.a[0], plane.a[-1])
    b = np.clip(track[:, 1], plane.b[0], plane.b[-1])
    j = np.clip(np.searchsorted(plane.a, a) - 1, 0, len(plane.a) - 2)
    i = np.clip(np.searchsorted(plane.b, b) - 1, 0, len(plane.b) - 2)
    s = (a - plane.a[j]) / (plane.a[j + 1] - plane.a[j])
    t = (b - plane.b[i]) / (plane.b[i + 1] - plane.b[i])
    v = plane.values
    return ((1 - s) * (1 - t) * v[i, j] + s * (1 - t) * v[i, j + 1]
            + (1 - s) * t * v[i + 1, j] + s * t * v[i + 1, j + 1])  # fmt: skip


def animate_landscape(plane: Slice, *, frames: int = 60, cmap: str = "viridis",
                      figsize: tuple[float, float] = (6.4, 5.6)) -> SearchAnimation:  # fmt: skip
    """The paths moving over the slice's contours, ``frames`` frames (save it with
    :func:`~descentlab.plot.save_animation`)."""
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
        raise ValueError(f"frames must be a whole number >= 1, not {frames!r}")
    _check(plane, paths=True)
    figure, ax = plt.subplots(figsize=figsize, layout="constrained")
    plot_landscape(dataclasses.replace(plane, paths={}), ax=ax, cmap=cmap)
    tracks = {name: finite_rows(track) for name, track in plane.paths.items()}
    lines = {name: ax.plot([], [], ".-", color=run_style(k)["color"], markersize=5,
                           label=name, path_effects=outlined())[0]
             for k, name in enumerate(tracks)}  # fmt: skip
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    longest = max(len(t) for t in tracks.values())
    shown = _data.thinned(longest, frames)

    def draw(frame: int):
        k = shown[frame]
        for name, track in tracks.items():
            upto = min(k + 1, len(track))
            lines[name].set_data(track[:upto, 0], track[:upto, 1])
        return list(lines.values())

    return SearchAnimation(figure, list(lines.values()), draw, len(shown))


def plot_sharpness(result: Result, *, step_size: float | None = None, start: int = 0,
                   ax: Axes | None = None, label: str | None = None,
                   color: str | None = None) -> Axes:  # fmt: skip
    """The top Hessian eigenvalue at the recorded points of ``start`` (a result from
    :func:`~descentlab.landscape.sharpness_along`), with the ``2 / step_size`` line above which
    gradient descent's quadratic model diverges."""
    if result.path_sharpness is None:
        raise ValueError("result has no sharpness: measure it with "
                         "dl.landscape.sharpness_along(problem, result)")  # fmt: skip
    ax = new_axes(ax)
    rows, top = len(result.path_iter), result.path_sharpness.shape[-1]
    column = result.path_sharpness.reshape(rows, -1, top)[:, start, 0]
    measured = np.isfinite(column)
    line = ax.plot(result.path_iter[measured], column[measured], ".-", color=color,
                   label=label or "top Hessian eigenvalue")[0]  # fmt: skip
    if step_size is not None:
        ax.axhline(2 / step_size, color=line.get_color(), linestyle="--", linewidth=1,
                   label=f"2 / step size = {2 / step_size:.4g}")  # fmt: skip
    ax.set(xlabel="iteration", ylabel="sharpness (top Hessian eigenvalue)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def _spans_decades(values: np.ndarray) -> bool:
    """Positive values over more than a decade: a network's loss about a solution is (the
    default contours' rule asks for more, for test functions)."""
    finite = values[np.isfinite(values)]
    return bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 10)


def _check(plane: object, paths: bool = False) -> None:
    if not isinstance(plane, Slice):
        raise TypeError(f"plane must be a dl.landscape.Slice (from loss_slice), not "
                        f"{type(plane).__name__}")  # fmt: skip
    if paths and not plane.paths:
        raise ValueError("the slice has no paths to animate: give loss_slice some results")


def _kind_text(plane: Slice) -> str:
    return ("principal directions of the paths" if plane.kind == "pca"
            else "filter-normalized random directions")  # fmt: skip


def _axis_label(plane: Slice, k: int) -> str:
    if plane.kind == "pca" and plane.variance is not None:
        return f"principal direction {k + 1} ({plane.variance[k]:.1%} of the movement)"
    return f"filter-normalized direction {k + 1}"
