"""The search moving over the objective: one or several optimizers, frame by frame."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from descentlab.plot import _data
from descentlab.plot._marks import draw_minima_2d, finite_rows, outlined, run_style
from descentlab.plot.contour import draw_contours
from descentlab.problems.problem import Problem
from descentlab.results.result import Result


def animate(
    problem: Problem,
    results: Result | Mapping[str, Result],
    *,
    start: int = 0,
    frames: int = 60,
    trail: int | None = None,
    bounds: object = None,
    cmap: str = "viridis",
    figsize: tuple[float, float] = (6.4, 5.2),
) -> SearchAnimation:
    """An animation of the recorded paths of ``start`` (1-D over the line, 2-D over the
    contours; the title says which start, when the runs have several). ``frames`` recorded
    iterations are shown, evenly spread; ``trail`` keeps only the last so many points of each
    path (None: the whole path so far). Each frame shows the iteration and the current value of
    each run. Save it with :func:`save_animation`, or show it in a notebook with
    ``.to_matplotlib()``."""
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 1:
        raise ValueError(f"frames must be a whole number >= 1, not {frames!r}")
    if trail is not None and (isinstance(trail, bool) or not isinstance(trail, int) or trail < 1):
        raise ValueError(f"trail must be a whole number >= 1 or None, not {trail!r}")
    runs = {"search": results} if isinstance(results, Result) else dict(results)
    paths = {label: _finite_path(r, start) for label, r in runs.items()}
    dim = next(iter(runs.values())).x.shape[-1]
    if dim > 2:
        raise ValueError(f"animations show 1-D and 2-D problems; this one has {dim} dimensions")
    figure, ax = plt.subplots(figsize=figsize, layout="constrained")
    _background(ax, problem, dim, bounds, cmap)
    starts = next(iter(runs.values())).n_starts
    if starts > 1:  # which of the batch's starts is moving
        ax.set_title(f"{problem.name}: start {start} of {starts}")
    iterations = np.asarray(next(iter(runs.values())).path_iter)
    shown = _data.thinned(len(iterations), frames)
    effects = {"path_effects": outlined()} if dim == 2 else {}
    lines = {
        label: ax.plot(
            [], [], ".-", color=run_style(k)["color"], label=label, markersize=5, **effects
        )[0]
        for k, label in enumerate(runs)
    }  # the colors of plot_paths and plot_convergence
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    caption = ax.text(0.02, 0.02, "", transform=ax.transAxes, fontsize="small", family="monospace",
                      color="white" if dim == 2 else "black", va="bottom")  # fmt: skip

    def draw(frame: int):
        k = shown[frame]
        first = 0 if trail is None else max(0, k + 1 - trail)
        text = [f"iteration {int(iterations[k])}"]
        for label, (points, values) in paths.items():
            upto = min(k + 1, len(points))
            ys = points[first:upto, 1] if dim == 2 else values[first:upto]
            lines[label].set_data(points[first:upto, 0], ys)
            text.append(f"{label}: f = {values[upto - 1]:.4g}")
        caption.set_text("\n".join(text))
        return [*lines.values(), caption]

    return SearchAnimation(figure, [*lines.values(), caption], draw, len(shown))


@dataclass(frozen=True)
class SearchAnimation:
    """A figure whose ``artists`` move: ``draw(k)`` sets them for frame ``k`` of ``frames``."""

    figure: Figure
    artists: list
    draw: Callable[[int], list]
    frames: int

    def to_matplotlib(self, interval: int = 100) -> animation.FuncAnimation:
        """The same frames as a matplotlib ``FuncAnimation`` (for notebooks and other writers)."""
        for artist in self.artists:
            artist.set_animated(False)
        return animation.FuncAnimation(self.figure, self.draw, frames=self.frames,
                                       interval=interval, blit=False)  # fmt: skip


def render_frames(movie: SearchAnimation, dpi: int) -> Iterator[np.ndarray]:
    """The frames as RGBA arrays, each rendered once: the still background (contours, axes,
    legend) is drawn one time and restored, then only the moving artists are drawn on it."""
    figure = movie.figure
    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    for artist in movie.artists:
        artist.set_animated(True)  # left out of the background
    canvas.draw()
    figure.set_layout_engine("none")  # keep the layout just computed, frame after frame
    background = canvas.copy_from_bbox(figure.bbox)
    for k in range(movie.frames):
        canvas.restore_region(background)
        for artist in movie.draw(k):
            figure.draw_artist(artist)
        yield np.asarray(canvas.buffer_rgba()).copy()


def save_animation(movie: SearchAnimation, path: str | Path, *, fps: int = 10,
                   dpi: int = 100) -> Path:  # fmt: skip
    """Write ``movie`` as GIF (Pillow; each frame rendered once, see :func:`render_frames`) or
    MP4 (ffmpeg, where installed, through matplotlib's writer), by the extension."""
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= 100:
        raise ValueError(f"fps must be a whole number in [1, 100], not {fps!r}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        images = [Image.fromarray(frame) for frame in render_frames(movie, dpi)]
        images[0].save(path, save_all=True, append_images=images[1:],
                       duration=int(1000 / fps), loop=0)  # fmt: skip
    elif suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise ValueError("MP4 needs ffmpeg, which is not installed here: write a .gif instead")
        movie.to_matplotlib().save(path, writer=animation.FFMpegWriter(fps=fps), dpi=dpi)
    else:
        raise ValueError(f"animation file must end in .gif or .mp4, not {path.name!r}")
    plt.close(movie.figure)
    return path


def _finite_path(result: Result, start: int):
    points, values = _data.run_path(result, start)
    end = len(finite_rows(np.column_stack([points, values])))
    return points[:end], values[:end]


def _background(ax, problem, dim, bounds, cmap) -> None:
    if dim == 2:
        draw_contours(ax, problem, bounds=bounds, cmap=cmap)
        draw_minima_2d(ax, problem)
        return
    x, fx = _data.line_values(problem, bounds)
    ax.plot(x, fx, color="0.4", linewidth=1.2)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(problem.name)
