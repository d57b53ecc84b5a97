"""``descentlab compare OPT OPT ... --function NAME``: several optimizers from the same starts."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from descentlab.cli._args import parse_vector, with_options
from descentlab.cli._engine import engine_option
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
from descentlab.cli._progress import progress_bar
from descentlab.cli._stochastic import STOCHASTIC_OPTIONS, noise_from
from descentlab.optimizers import get_optimizer
from descentlab.results.statistics import BANDS, first_reach, median_interval
from descentlab.runner import minimize


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
        click.option("--tune", "tune_budget", type=click.IntRange(1, 10_000), metavar="BUDGET",
                     help="First tune each optimizer's step size (and momentum) with BUDGET "
                          "Optuna trials on 5 other starts (seeds after --seed), then compare "
                          "the tuned settings."),
        *STOCHASTIC_OPTIONS,
        figure_options,
    ]  # fmt: skip
    return with_options(command, options)


@click.command("compare")
@click.argument("names", nargs=-1, required=True)
@_options
@engine_option
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
    chosen = {name: hypers_for(name, options["hypers"]) for name in names}
    x0 = parse_vector("--x0", options["x0"]) if options["x0"] else None
    problem = build_problem(options, x0)
    tuned = _tuned(names, chosen, options) if options["tune_budget"] else {}
    optimizers = {name: get_optimizer(name, **chosen[name], **tuned.get(name, {}))
                  for name in names}  # fmt: skip
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
    notes = {name: ", ".join(f"{k}={v:.4g}" for k, v in values.items())
             for name, values in tuned.items()}  # fmt: skip
    table = _table if replicates == 1 else _replicates_table
    table(problem, results, options["ftol"], notes, _tuned_title(notes, options))
    if options["plot_file"]:
        from descentlab.plot import plot_comparison

        pyplot()
        band = options["band"] if replicates > 1 else None
        figure = plot_comparison(problem, results, cmap=options["cmap"], band=band,
                                 figsize=figure_size(options, (12.0, 5.6)))  # fmt: skip
        save(figure, options["plot_file"], options)
    if options["animate_file"]:
        write_animation(problem, results, options)


def _tuned(names, chosen, options: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each optimizer's tuned step size (and momentum), on seeds other than the compared ones."""
    from descentlab.cli.sweep import sweep_problem
    from descentlab.sweeps.tune import default_space, tune

    if options["noise"] is not None or options["batch_size"] is not None:
        raise click.UsageError("--tune tunes on the exact gradient: drop --noise and --batch-size")
    problem = sweep_problem(options)
    seeds = tuning_seeds(options["seed"])
    tuned = {}
    with progress_bar("tuning") as (bar, task):
        for name in names:
            space = {k: v for k, v in default_space(name).items() if k not in chosen[name]}
            if not space:
                continue
            bar.update(task, description=f"tuning {name}")
            tuned[name] = tune(problem, name, space, options["tune_budget"], seeds=seeds,
                               n_iter=options["n_iter"], target=options["ftol"],
                               hyper=chosen[name]).best  # fmt: skip
    return tuned


def _tuned_title(notes: dict[str, str], options: dict[str, Any]) -> str:
    if not notes:
        return ""
    seeds = tuning_seeds(options["seed"])
    shown = f"{seeds[0]}-{seeds[-1]}" if seeds[-1] > seeds[0] else ", ".join(map(str, seeds))
    return (f"; tuned first ({options['tune_budget']} Optuna trials each, median iterations "
            f"to target on seeds {shown})")  # fmt: skip


def tuning_seeds(seed: int) -> list[int]:
    """The five seeds after ``seed`` (wrapping past 2**32 - 1 to 0), never ``seed`` itself."""
    return [(seed + k) % 2**32 for k in range(1, 6)]


def _add_notes(table: Table, notes: dict[str, str]) -> None:
    if notes:
        table.add_column("tuned settings")


def reached_at(path_fun: np.ndarray, path_iter: np.ndarray, target: float) -> int | None:
    """The first recorded iteration with ``f <= target``, or None."""
    hits = np.flatnonzero(path_fun <= target)
    return int(path_iter[hits[0]]) if hits.size else None


def _table(problem, results, ftol: float, notes: dict[str, str], tuned: str) -> None:
    floor = problem.minimum if problem.minimum is not None else 0.0
    what = "f - f*" if problem.minimum is not None else "f"
    table = Table(title=f"{problem.name}: iterations to {what} <= {ftol:g}{tuned}")
    for column in ("optimizer", "iterations", "final f", "status"):
        table.add_column(column)
    _add_notes(table, notes)
    for name, result in results.items():
        hit = reached_at(np.ravel(result.path_fun), result.path_iter, floor + ftol)
        table.add_row(
            name,
            "not reached" if hit is None else str(hit),
            f"{float(result.fun):.6g}",
            str(result.status),
            *([notes.get(name, "as given")] if notes else []),
        )
    Console().print(table)


def _replicates_table(problem, results, ftol: float, notes: dict[str, str], tuned: str) -> None:
    """Per optimizer, over its replicates: how many reached the target, the iterations it took
    and the final gap as medians with 95% intervals (a start that never reached counts as
    infinitely slow), and the statuses."""
    floor = problem.minimum if problem.minimum is not None else 0.0
    what = "f - f*" if problem.minimum is not None else "f"
    n = next(iter(results.values())).n_starts
    table = Table(title=f"{problem.name}: {n} replicates each, median [95% interval]; "
                        f"target {what} <= {ftol:g}{tuned}")  # fmt: skip
    for column in ("optimizer", "reached", "iterations to target", f"final {what}", "status"):
        table.add_column(column)
    _add_notes(table, notes)
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
            *([notes.get(name, "as given")] if notes else []),
        )
    Console().print(table)
