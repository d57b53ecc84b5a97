"""Pictures from the command line: options, the view that fits the run, and saving.

matplotlib is imported lazily, on the headless Agg backend, so runs without pictures do not
pay for it and no display is ever needed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from descentlab.cli._args import parse_vector, with_options
from descentlab.cli._output import atomic_path, check_output_path

IMAGE_TYPES = (".png", ".svg", ".pdf")


#: Pictures larger than this many pixels are refused (a 100 x 100 inch figure at 1200 dpi
#: would need 57 GB of memory to render).
MAX_PIXELS = 50_000_000
MAX_INCHES = 100.0


def figure_options(command):
    options = [
        click.option("--plot", "plot_file", help="Draw the run to FILE (.png, .svg or .pdf)."),
        click.option("--surface", is_flag=True, help="With --plot in 2-D: a 3-D surface view."),
        click.option("--animate", "animate_file", help="Write an animation to FILE (.gif, .mp4)."),
        click.option("--fps", type=click.IntRange(1, 100), default=10, show_default=True),
        click.option("--frames", type=click.IntRange(2, 2000), default=60, show_default=True,
                     help="Frames of the animation (recorded iterations, evenly spread)."),
        click.option("--trail", type=click.IntRange(min=1),
                     help="Points of the path kept on each frame (default: all so far)."),
        click.option("--dpi", type=click.IntRange(min=10, max=1200), default=120,
                     show_default=True),
        click.option("--size", help="Figure size in inches as W,H."),
        click.option("--cmap", default="viridis", show_default=True,
                     help="Colormap of the contours (jet: the tutorials' look)."),
    ]  # fmt: skip
    return with_options(command, options)


def check_figure_options(options: dict[str, Any]) -> None:
    """Fail before the run, not after it, on a file or size that cannot be written."""
    plot_file, animate_file = options.get("plot_file"), options.get("animate_file")
    if plot_file and Path(plot_file).suffix.lower() not in IMAGE_TYPES:
        raise click.BadParameter(
            f"must end in {', '.join(IMAGE_TYPES)}, not {plot_file!r}", param_hint="--plot"
        )
    if animate_file and Path(animate_file).suffix.lower() not in (".gif", ".mp4"):
        raise click.BadParameter(
            f"must end in .gif or .mp4, not {animate_file!r}", param_hint="--animate"
        )
    check_output_path("--plot", plot_file)
    check_output_path("--animate", animate_file)
    if animate_file and Path(animate_file).suffix.lower() == ".mp4":
        from matplotlib import animation

        if not animation.writers.is_available("ffmpeg"):
            raise click.BadParameter(
                "MP4 needs ffmpeg, which is not installed here: write a .gif instead",
                param_hint="--animate",
            )
    width, height = figure_size(options, (6.4, 5.6))
    dpi = options.get("dpi") or 100
    if width * dpi * height * dpi > MAX_PIXELS:
        raise click.BadParameter(
            f"{width:g} x {height:g} inches at {dpi} dpi is {width * dpi * height * dpi:,.0f} "
            f"pixels, more than the {MAX_PIXELS:,} allowed: lower --size or --dpi",
            param_hint="--size/--dpi",
        )
    if not (plot_file or animate_file):
        return
    import matplotlib

    if options["cmap"] not in matplotlib.colormaps:
        raise click.BadParameter(f"unknown colormap {options['cmap']!r}", param_hint="--cmap")


def check_animation_dim(options: dict[str, Any], dim: int | None) -> None:
    if options.get("animate_file") and dim is not None and dim > 2:
        raise click.BadParameter(
            f"animations show 1-D and 2-D problems; this one has {dim} dimensions",
            param_hint="--animate",
        )


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_run(problem, result, options: dict[str, Any], label: str = "run") -> None:
    """Write --plot and --animate for one run (named ``label``): the view that fits it."""
    if options.get("plot_file"):
        figure = _run_figure(problem, result, options, label)
        save(figure, options["plot_file"], options)
    if options.get("animate_file"):
        write_animation(problem, {label: result}, options)


def _run_figure(problem, result, options, label):
    from descentlab import plot

    plt = pyplot()
    dim, many = result.x.shape[-1], result.x.ndim > 1
    steps = result.path_step is not None  # a step rule chose the steps: show them beside
    size = figure_size(options, (12.0, 5.2) if steps else (6.4, 5.6))
    figure = plt.figure(figsize=size, layout="constrained")
    if result.path is None and not (dim == 2 and many):
        raise click.UsageError("this picture needs the recorded path: drop --final-only")
    cells = figure.add_gridspec(1, 2 if steps else 1)
    if steps:
        plot.plot_step_sizes({label: result}, ax=figure.add_subplot(cells[0, 1]))
    main = cells[0, 0]
    if dim > 2:
        click.echo(f"note: d = {dim}: drawing the convergence view", err=True)
        plot.plot_convergence(problem, {label: result}, ax=figure.add_subplot(main))
    elif dim == 1:
        plot.plot_line(problem, result, ax=figure.add_subplot(main))
    elif options.get("surface"):
        plot.plot_surface(problem, result, ax=figure.add_subplot(main, projection="3d"),
                          cmap=options["cmap"])  # fmt: skip
    elif many:
        plot.plot_starts(problem, result, ax=figure.add_subplot(main), cmap=options["cmap"])
    else:
        plot.plot_contour(problem, result, ax=figure.add_subplot(main), cmap=options["cmap"])
    return figure


def write_animation(problem, results, options: dict[str, Any]) -> None:
    """The animation of one start: of a batch run alone, the start that ended lowest (said on
    standard error, and in the animation's title)."""
    from descentlab import plot

    pyplot()
    start = 0
    if len(results) == 1:
        (result,) = results.values()
        if result.n_starts > 1:
            start = result.best()
            click.echo(f"note: --animate shows start {start} of {result.n_starts}, the one that "
                       f"ended lowest (f = {float(result.fun.reshape(-1)[start]):.6g})",
                       err=True)  # fmt: skip
    movie = plot.animate(
        problem,
        results,
        start=start,
        frames=options["frames"],
        trail=options["trail"],
        cmap=options["cmap"],
        figsize=figure_size(options, (6.4, 5.6)),
    )
    with atomic_path(options["animate_file"]) as partial:
        plot.save_animation(movie, partial, fps=options["fps"], dpi=options["dpi"])
    click.echo(f"wrote {options['animate_file']}", err=True)


def save(figure, path: str, options: dict[str, Any]) -> None:
    try:
        with atomic_path(path) as partial:
            figure.savefig(partial, dpi=options["dpi"])
    finally:
        pyplot().close(figure)
    click.echo(f"wrote {path}", err=True)


def figure_size(options: dict[str, Any], default: tuple[float, float]) -> tuple[float, float]:
    """``--size W,H`` in inches, each finite and in (0, 100], or ``default``."""
    if not options.get("size"):
        return default
    size = parse_vector("--size", options["size"])
    if len(size) != 2 or not all(math.isfinite(v) and 0 < v <= MAX_INCHES for v in size):
        raise click.BadParameter(
            f"expected W,H in inches, each in (0, {MAX_INCHES:g}], got {options['size']!r}",
            param_hint="--size",
        )
    return size[0], size[1]
