"""A sweep as a picture: iterations to the target over two hyperparameters (or one).

Each cell is the median over seeds (other swept hyperparameters: the best of them). Cells where
most seeds diverged or grew are marked, cells that did not reach the target are grey; where the
problem's curvature is known, theory is drawn on top: the heavy ball's stability boundary
``alpha = 2 (1 + beta) / L`` and Polyak's optimal setting (gradient descent: ``2 / L``). The
tutorials' hand-picked settings are marked where they apply.
"""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from descentlab.optimizers.theory import Quadratic
from descentlab.plot._marks import new_axes
from descentlab.sweeps.summary import is_log_spaced, per_setting, rank_settings, swept_columns

UNSTABLE_COLOR = "#5b1a1a"
NOT_REACHED_COLOR = "0.82"


def plot_sweep(
    frame,
    x: str | None = None,
    y: str | None = None,
    *,
    ax: Axes | None = None,
    curvature: tuple[float, float] | None = None,
) -> Axes:
    """Median iterations to the target over hyperparameters ``x`` and ``y`` of one optimizer on
    one problem (``frame`` from :func:`descentlab.sweep`); ``y=None`` draws a line over ``x``.
    ``curvature=(mu, L)`` draws the theory for gradient descent and the heavy ball."""
    _check_one_run(frame)
    x, y = _axes_of(frame, x, y)
    ax = new_axes(ax)
    best = _best_per_cell(frame, [x] if y is None else [x, y])
    if y is None:
        _draw_line(ax, best, x, frame)
    else:
        _draw_heatmap(ax, best, x, y)
    optimizer = str(frame["optimizer"].iloc[0])
    if curvature is not None:
        _draw_theory(ax, optimizer, x, y, Quadratic(*curvature), frame)
    _mark_tutorials(ax, optimizer, x, y)
    n_seeds = frame["seed"].nunique()
    target = frame["target"].iloc[0]
    ax.set_title(f"{optimizer} on {frame['problem'].iloc[0]}\nmedian over {n_seeds} seeds of "
                 f"iterations to f - f* <= {target:g}", fontsize=10)  # fmt: skip
    ax.legend(loc="best", fontsize=8, framealpha=0.85)
    return ax


def _check_one_run(frame) -> None:
    pairs = frame[["problem", "optimizer"]].drop_duplicates()
    if len(pairs) != 1:
        raise ValueError(
            f"plot_sweep draws one optimizer on one problem, and the frame holds {len(pairs)} "
            "pairs: select one, e.g. frame[frame.optimizer == 'momentum']"
        )


def _axes_of(frame, x: str | None, y: str | None) -> tuple[str, str | None]:
    swept = swept_columns(frame)
    for name in (x, y):
        if name is not None and name not in swept:
            raise ValueError(f"axis {name!r} is not a swept hyperparameter; swept: "
                             f"{', '.join(swept) or 'none'}")  # fmt: skip
    if x is None:
        if not swept:
            raise ValueError("the sweep varies no hyperparameter, so there is nothing to draw")
        x = swept[0]
        y = y if y is not None else (swept[1] if len(swept) > 1 else None)
    if x == y:
        raise ValueError(f"the two axes must differ, not both {x!r}")
    return x, y


def _best_per_cell(frame, axes: list[str]):
    """Per value of ``axes``: the setting with the fewest median iterations (then lowest gap)."""
    settings = rank_settings(per_setting(frame))
    return settings.groupby(axes, sort=True).head(1).sort_values(axes).reset_index(drop=True)


def _edges(values: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around sorted centers: midpoints (in log10 for a log axis)."""
    v = np.log10(values) if log else values.astype(float)
    if v.size == 1:
        half = 0.5 if not log else 0.25
        inner = np.array([v[0] - half, v[0] + half])
    else:
        mid = (v[1:] + v[:-1]) / 2
        inner = np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])
    return 10**inner if log else inner


def _draw_heatmap(ax: Axes, best, x: str, y: str) -> None:
    xs, ys = np.unique(best[x]), np.unique(best[y])
    iterations = np.full((ys.size, xs.size), np.nan)
    shaky = np.zeros((ys.size, xs.size), dtype=bool)
    for row in best.itertuples(index=False):
        i, j = np.searchsorted(ys, getattr(row, y)), np.searchsorted(xs, getattr(row, x))
        iterations[i, j] = row.iterations if np.isfinite(row.iterations) else np.nan
        shaky[i, j] = row.unstable > 0.5
    log_x, log_y = is_log_spaced(xs), is_log_spaced(ys)
    ex, ey = _edges(xs, log_x), _edges(ys, log_y)
    ax.set_facecolor(NOT_REACHED_COLOR)
    finite = iterations[np.isfinite(iterations)]
    norm = None
    if finite.size and finite.max() > max(finite.min(), 1) * 10:
        norm = mcolors.LogNorm(vmin=max(finite.min(), 1), vmax=finite.max())
    mesh = ax.pcolormesh(ex, ey, np.ma.masked_invalid(np.where(shaky, np.nan, iterations)),
                         cmap="viridis_r", norm=norm, gid="heatmap")  # fmt: skip
    ax.figure.colorbar(mesh, ax=ax, label="median iterations to target")
    ax.pcolormesh(ex, ey, np.ma.masked_where(~shaky, np.ones_like(iterations)),
                  cmap=mcolors.ListedColormap([UNSTABLE_COLOR]), gid="unstable")  # fmt: skip
    if finite.size:
        i, j = np.unravel_index(np.nanargmin(np.where(shaky, np.nan, iterations)), shaky.shape)
        ax.plot(xs[j], ys[i], "o", markerfacecolor="none", markeredgecolor="white",
                markersize=11, markeredgewidth=2, gid="best",
                label=f"best cell: {iterations[i, j]:g} iterations")  # fmt: skip
    ax.set_xscale("log" if log_x else "linear")
    ax.set_yscale("log" if log_y else "linear")
    ax.set_xlim(ex[0], ex[-1])
    ax.set_ylim(ey[0], ey[-1])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.add_artist(ax.legend(handles=_key(), loc="lower left", fontsize=8, framealpha=0.85))


def _key() -> list[Patch]:
    return [
        Patch(color=UNSTABLE_COLOR, label="diverged or grew (most seeds)"),
        Patch(color=NOT_REACHED_COLOR, label="target not reached (most seeds)"),
    ]


def _draw_line(ax: Axes, best, x: str, frame) -> None:
    xs = best[x].to_numpy(dtype=float)
    iterations = best["iterations"].to_numpy(dtype=float)
    shaky = best["unstable"].to_numpy() > 0.5
    ax.plot(xs, np.where(np.isfinite(iterations) & ~shaky, iterations, np.nan), ".-",
            color="C0", gid="heatmap", label="median iterations to target")  # fmt: skip
    log = is_log_spaced(xs)
    edges = _edges(xs, log)
    for k in np.flatnonzero(shaky):
        ax.axvspan(edges[k], edges[k + 1], color=UNSTABLE_COLOR, alpha=0.45, linewidth=0,
                   gid="unstable", label="diverged or grew (most seeds)" if k == shaky.argmax()
                   else None)  # fmt: skip
    ax.set_xscale("log" if log else "linear")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(x)
    ax.set_ylabel("median iterations to target")
    ax.set_ylim(0, frame["n_iter"].max() * 1.05)


def _draw_theory(ax: Axes, optimizer: str, x: str, y: str | None, q: Quadratic, frame) -> None:
    """The stability boundary and the optimum where theory gives them for these axes."""
    step = "step_size"
    if optimizer == "momentum" and {x, y} == {step, "momentum"}:
        betas = np.linspace(0.0, 0.999, 400)
        limit = q.heavy_ball_limit(betas)
        curve = (limit, betas) if x == step else (betas, limit)
        ax.plot(*curve, color="white", linestyle="--", linewidth=1.6, gid="stability-boundary",
                label="stability boundary 2(1+beta)/L")  # fmt: skip
        alpha, beta = q.polyak
        ax.plot(*((alpha, beta) if x == step else (beta, alpha)), "*", color="orange",
                markeredgecolor="black", markersize=15, gid="polyak",
                label=f"Polyak's optimum ({alpha:.3g}, {beta:.3g})")  # fmt: skip
    elif y is None and x == step and optimizer in ("gd", "momentum"):
        beta = float(frame["momentum"].iloc[0]) if optimizer == "momentum" else 0.0
        formula = "2/L" if optimizer == "gd" else f"2(1+beta)/L, beta={beta:g}"
        ax.axvline(q.heavy_ball_limit(beta), color="black", linestyle="--",
                   gid="stability-boundary", label=f"stability limit {formula}")  # fmt: skip
        if optimizer == "gd":
            ax.axvline(q.gd_step, color="orange", gid="optimum", label="optimal step 2/(L+mu)")


def _mark_tutorials(ax: Axes, optimizer: str, x: str, y: str | None) -> None:
    from descentlab.tutorials import TUTORIALS

    for tutorial in TUTORIALS.values():
        if tutorial.optimizer.name != optimizer:
            continue
        settings = tutorial.optimizer.settings()
        if x not in settings or (y is not None and y not in settings):
            continue
        point = (settings[x], settings[y]) if y is not None else (settings[x],)
        limits = [ax.get_xlim()] if y is None else [ax.get_xlim(), ax.get_ylim()]
        inside = all(min(lim) <= v <= max(lim) for v, lim in zip(point, limits, strict=True))
        label = f"tutorial '{tutorial.name}' setting" + ("" if inside else " (outside the grid)")
        if y is None:
            ax.axvline(point[0], color="red", linestyle=":", gid="tutorial", label=label)
        else:
            ax.plot(*point, "D", color="red", markeredgecolor="white", markersize=9,
                    gid="tutorial", label=label, clip_on=True)  # fmt: skip
