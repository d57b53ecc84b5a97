"""``descentlab tune OPTIMIZER -f F [--space NAME=RANGE ...] --budget N``: Optuna, batched."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table

from descentlab.cli._args import with_options
from descentlab.cli._engine import engine_option
from descentlab.cli._hypers import check_hypers, hypers_for
from descentlab.cli._problem import PROBLEM_OPTIONS
from descentlab.cli._progress import progress_bar
from descentlab.cli.sweep import check_table_path, sweep_problem, write_table
from descentlab.sweeps.tune import AGGREGATES, METRICS, default_space, tune


def _options(command):
    options = [
        *PROBLEM_OPTIONS,
        click.option("--space", "spaces", multiple=True, metavar="NAME=RANGE",
                     help="Search NAME over log:LO:HI, lin:LO:HI or listed values a,b,c "
                          "(default: the step size over log:1e-5:1, and the momentum over "
                          "lin:0:0.99 where there is one)."),
        click.option("--budget", type=click.IntRange(1, 100_000), default=64, show_default=True,
                     help="Trials in all."),
        click.option("--batch", type=click.IntRange(1, 10_000), default=16, show_default=True,
                     help="Trials asked at once and run as one vectorized batch."),
        click.option("--metric", type=click.Choice(METRICS), default="iterations",
                     show_default=True, help="iterations to the target, or log10 final gap."),
        click.option("--over", type=click.Choice(AGGREGATES), default="median",
                     show_default=True, help="Score a trial by its median or worst seed."),
        click.option("--seeds", type=click.IntRange(1, 10_000), default=5, show_default=True),
        click.option("--n-iter", type=click.IntRange(min=1), default=500, show_default=True),
        click.option("--target", type=click.FloatRange(min=0, min_open=True), default=1e-8,
                     show_default=True),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
                     help="Seed of the sampler (TPE)."),
        click.option("--hyper", "hypers", multiple=True, metavar="NAME=VALUE",
                     help="A hyperparameter held fixed."),
        click.option("--out", "out_file", help="Write every trial to FILE (.csv or .parquet)."),
    ]  # fmt: skip
    return with_options(command, options)


@click.command("tune")
@click.argument("name")
@_options
@engine_option
def tune_command(name: str, **options: Any) -> None:
    """Tune optimizer NAME on one problem with Optuna's TPE sampler; print the best settings
    beside the defaults and the tutorial's settings, scored on the same seeds."""
    check_hypers((name,), options["hypers"])
    out = options["out_file"]
    check_table_path("--out", out)
    space = _space(options["spaces"])
    problem = sweep_problem(options)
    with progress_bar(f"tuning {name}") as (bar, task):
        tuning = tune(problem, name, space, options["budget"], metric=options["metric"],
                      seeds=options["seeds"], n_iter=options["n_iter"], target=options["target"],
                      batch=options["batch"], seed=options["seed"], over=options["over"],
                      hyper=hypers_for(name, options["hypers"]),
                      progress=lambda done, total, label: bar.update(task, completed=done,
                                                                     total=total))  # fmt: skip
    report(tuning, problem.label, options)
    if out:
        write_table(tuning.trials, out)


def _space(texts: tuple[str, ...]) -> dict[str, str] | None:
    if not texts:
        return None
    space: dict[str, str] = {}
    for text in texts:
        key, equals, spec = text.partition("=")
        if not equals or not key.strip() or not spec.strip():
            raise click.BadParameter(f"expected NAME=RANGE such as step_size=log:1e-5:1, got "
                                     f"{text!r}", param_hint="--space")  # fmt: skip
        if key.strip() in space:
            raise click.BadParameter(f"{key.strip()} is given twice", param_hint="--space")
        space[key.strip()] = spec
    return space


def report(tuning, label: str, options: dict[str, Any]) -> None:
    """The trials' outcome and the comparison with the defaults and the tutorial."""
    console = Console()
    states = tuning.trials["state"].value_counts()
    console.print(f"{tuning.optimizer} on {label}: {len(tuning.trials)} trials "
                  f"({', '.join(f'{n} {s}' for s, n in states.items())})")  # fmt: skip
    searched = list(tuning.best)
    what = "iterations to f - f* <= " + f"{options['target']:g}" if tuning.metric == (
        "iterations") else "log10 final f - f*"  # fmt: skip
    table = Table(title=f"score: {options['over']} over {options['seeds']} seeds of {what}")
    for column in ("settings", *searched, "reached", "score"):
        table.add_column(column)
    for row in tuning.reference.to_dict("records"):
        score = "diverged or grew" if row["unstable"] else f"{row['score']:.4g}"
        table.add_row(row["settings"], *(f"{row[h]:.4g}" for h in searched),
                      f"{row['reached']}/{row['seeds']}", score)  # fmt: skip
    console.print(table)


__all__ = ["default_space", "tune_command"]
