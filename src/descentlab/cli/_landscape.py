"""``descentlab plot RUN.json [RUN.json ...] --landscape pca|filter`` and ``--sharpness``: a
problem of any dimension (a network) seen along a plane with the runs' paths on it, and the
top Hessian eigenvalue along a run with the ``2 / step size`` line."""

from __future__ import annotations

from typing import Any

import click

from descentlab.cli._figures import figure_size, pyplot, save
from descentlab.cli._output import atomic_path


def draw_landscape(problem, runs: dict, options: dict[str, Any]) -> None:
    """Write --plot (contours, or --surface) and --animate of the slice through ``runs``."""
    from descentlab import landscape, plot

    paths = {label: _first_start(result) for label, result in runs.items()}
    plane = landscape.loss_slice(problem, paths, kind=options["landscape"],
                                 points=options["points"])  # fmt: skip
    for label, share in plane.shares.items():
        click.echo(f"{label}: {share:.1%} of its movement lies in the plane", err=True)
    if options.get("plot_file"):
        plt = pyplot()
        figure = plt.figure(figsize=figure_size(options, (7.2, 6.0)), layout="constrained")
        if options.get("surface"):
            plot.plot_landscape_surface(plane, ax=figure.add_subplot(projection="3d"),
                                        cmap=options["cmap"])  # fmt: skip
        else:
            plot.plot_landscape(plane, ax=figure.add_subplot(), cmap=options["cmap"])
        save(figure, options["plot_file"], options)
    if options.get("animate_file"):
        movie = plot.animate_landscape(plane, frames=options["frames"], cmap=options["cmap"],
                                       figsize=figure_size(options, (7.2, 6.0)))  # fmt: skip
        with atomic_path(options["animate_file"]) as partial:
            plot.save_animation(movie, partial, fps=options["fps"], dpi=options["dpi"])
        click.echo(f"wrote {options['animate_file']}", err=True)


def draw_sharpness(problem, runs: dict, steps: dict, options: dict[str, Any]) -> None:
    """Write --plot: each run's top Hessian eigenvalue at its recorded points, with
    ``2 / step size`` for the runs whose step size is one number."""
    from descentlab import landscape, plot

    plt = pyplot()
    figure = plt.figure(figsize=figure_size(options, (7.2, 5.0)), layout="constrained")
    ax = figure.add_subplot()
    for k, (label, result) in enumerate(runs.items()):
        measured = landscape.sharpness_along(problem, result, every=options["sharpness_every"])
        plot.plot_sharpness(measured, step_size=steps.get(label), ax=ax, label=label,
                            color=f"C{k}")  # fmt: skip
    ax.set_yscale("log")
    save(figure, options["plot_file"], options)


def _first_start(result):
    """A batch run's best start's path, as the picture of one run."""
    if result.path.ndim == 2:
        return result.path
    return result.path.reshape(result.path.shape[0], -1, result.path.shape[-1])[:, result.best()]


def step_size_of(record) -> float | None:
    """The run's step size, when the optimizer has one number for it."""
    settings = record.optimizer.hyperparameters or {}
    for name in ("step_size", "alpha", "learning_rate"):
        value = settings.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None
