"""``descentlab compare OPT OPT ... --function NAME``: several optimizers from the same starts."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from descentlab.cli._args import parse_vector
from descentlab.cli._figures import (
    check_animation_dim,
    check_figure_options,
    figure_options,
    figure_size,
    pyplot,
    save,
    write_animation,
)
from descentlab.cli._hypers import check_hypers, hypers_for
from descentlab.cli._problem import PROBLEM_OPTIONS, build_problem
from descentlab.cli._stochastic import STOCHASTIC_OPTIONS, noise_from
from descentlab.optimizers import get_optimizer
from descentlab.runner import minimize
from descentlab.statistics import BANDS, first_reach, median_interval


def _options(command):
    options = [
        *PROBLEM_OPTIONS,
        click.option("--x0", help="Starting point as comma-separated numbers."),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True),
        click.option("--n-iter", type=click.IntRange(min=1), default=100, show_default=True),
        click.option("--ftol", type=click.FloatRange(min=0, min_open=True), default=1e-6,
                     show_default=True, help="Reach f - f* <= this (f when f* is unknown)."),
        click.option("--hyper", "hypers", multiple=True, metavar="[OPT.]NAME=VALUE",
                     help="A hyperparameter for every optimizer that has it, or for OPT only."),
        click.option("--starts", type=click.IntRange(1, 100_000), default=1, show_default=True,
                     help="Replicates: random starts from --seed (or copies of --x0), each with "
                          "its own noise and minibatch stream; the table gives medians with 95% "
                          "intervals and the picture a band."),
        click.option("--band", type=click.Choice(BANDS), default="iqr", show_default=True,
                     help="With --starts > 1: the band drawn around the median curve."),
        *STOCHASTIC_OPTIONS,
        figure_options,
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


@click.command("compare")
@click.argument("names", nargs=-1, required=True)
@_options
def compare_command(names: tuple[str, ...], **options: Any) -> None:
    """Run the optimizers NAMES from the same start and print, per optimizer, the iterations it
    took to reach the tolerance, its final value and its status; --plot draws their paths and
    convergence side by side."""
    check_figure_options(options)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(
            f"name each optimizer once, not {', '.join(repeated)} twice (to compare settings "
            "of one optimizer, use descentlab sweep)", param_hint="NAMES",
        )  # fmt: skip
    check_hypers(names, options["hypers"])
    optimizers = {name: get_optimizer(name, **hypers_for(name, options["hypers"]))
                  for name in names}  # fmt: skip
    x0 = parse_vector("--x0", options["x0"]) if options["x0"] else None
    problem = build_problem(options, x0)
    check_animation_dim(options, problem.dim)
    replicates = options["starts"]
    if 1 < replicates < 6:
        raise click.BadParameter(
            f"medians with 95% intervals need at least 6 replicates, not {replicates}",
            param_hint="--starts",
        )
    starts = None if replicates == 1 or x0 is not None else replicates
    if x0 is not None and replicates > 1:
        x0 = np.broadcast_to(np.asarray(x0, dtype=float), (replicates, len(x0)))
    settings = {"n_iter": options["n_iter"], "x0": x0, "seed": options["seed"], "starts": starts,
                "noise": noise_from(options), "batch_size": options["batch_size"],
                "project": options["project"]}  # fmt: skip
    results = {name: minimize(problem, optimizer, **settings)
               for name, optimizer in optimizers.items()}  # fmt: skip
    if replicates == 1:
        _table(problem, results, options["ftol"])
    else:
        _replicates_table(problem, results, options["ftol"])
    if options["plot_file"]:
        from descentlab.plot import plot_comparison

        pyplot()
        band = options["band"] if replicates > 1 else None
        figure = plot_comparison(problem, results, cmap=options["cmap"], band=band,
                                 figsize=figure_size(options, (12.0, 5.6)))  # fmt: skip
        save(figure, options["plot_file"], options)
    if options["animate_file"]:
        write_animation(problem, results, options)


def reached_at(path_fun: np.ndarray, path_iter: np.ndarray, target: float) -> int | None:
    """The first recorded iteration with ``f <= target``, or None."""
    hits = np.flatnonzero(path_fun <= target)
    return int(path_iter[hits[0]]) if hits.size else None


def _table(problem, results, ftol: float) -> None:
    floor = problem.minimum if problem.minimum is not None else 0.0
    what = "f - f*" if problem.minimum is not None else "f"
    table = Table(title=f"{problem.name}: iterations to {what} <= {ftol:g}")
    for column in ("optimizer", "iterations", "final f", "status"):
        table.add_column(column)
    for name, result in results.items():
        hit = reached_at(np.ravel(result.path_fun), result.path_iter, floor + ftol)
        table.add_row(
            name,
            "not reached" if hit is None else str(hit),
            f"{float(result.fun):.6g}",
            str(result.status),
        )
    Console().print(table)


def _replicates_table(problem, results, ftol: float) -> None:
    """Per optimizer, over its replicates: how many reached the target, the iterations it took
    and the final gap as medians with 95% intervals (a start that never reached counts as
    infinitely slow), and the statuses."""
    floor = problem.minimum if problem.minimum is not None else 0.0
    what = "f - f*" if problem.minimum is not None else "f"
    n = next(iter(results.values())).n_starts
    table = Table(title=f"{problem.name}: {n} replicates each, median [95% interval]; "
                        f"target {what} <= {ftol:g}")  # fmt: skip
    for column in ("optimizer", "reached", "iterations to target", f"final {what}", "status"):
        table.add_column(column)
    for name, result in results.items():
        values = np.asarray(result.path_fun).reshape(len(result.path_iter), -1)
        hits = first_reach(values, result.path_iter, floor + ftol)
        statuses = Counter(str(s) for s in np.ravel(result.status))
        table.add_row(
            name,
            f"{int(np.isfinite(hits).sum())}/{hits.size}",
            median_interval(hits).text(4),
            median_interval(np.ravel(result.fun) - floor).text(4),
            ", ".join(f"{count} {status}" for status, count in statuses.most_common()),
        )
    Console().print(table)
