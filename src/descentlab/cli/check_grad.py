"""``descentlab check-grad``: compare a gradient with central differences."""

from __future__ import annotations

from typing import Any

import click

from descentlab.cli._engine import engine_option
from descentlab.cli._problem import PROBLEM_OPTIONS, build_problem
from descentlab.engines.gradient_check import DEFAULT_THRESHOLD, MAX_POINTS, check_gradient

DISAGREES = 1


def _options(command):
    extra = [
        click.option(
            "--points",
            type=click.IntRange(1, MAX_POINTS),
            default=20,
            show_default=True,
            help="Number of points drawn uniformly in the bounds.",
        ),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True),
        click.option(
            "--threshold",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_THRESHOLD,
            show_default=True,
            help="Largest relative error accepted.",
        ),
    ]
    for option in reversed([*PROBLEM_OPTIONS, *extra]):
        command = option(command)
    return command


@click.command("check-grad")
@_options
@engine_option
def check_grad_command(**options: Any) -> None:
    """Check a gradient against central differences at random points in the bounds (with
    --engine jax: the gradient the JAX engine runs with, jax.grad of f when none is given).

    Exits with 1 when the largest relative error is above the threshold.
    """
    problem = build_problem(options, None)
    if problem.bounds is None:
        raise click.UsageError("check-grad needs --bounds (or a catalog function)")
    check = check_gradient(
        problem, n_points=options["points"], seed=options["seed"], threshold=options["threshold"]
    )
    click.echo(f"{problem.name}: {check.summary()}")
    if not check.ok:
        click.get_current_context().exit(DISAGREES)
