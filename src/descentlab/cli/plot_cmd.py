"""``descentlab plot RUN.json``: draw a saved run (written with --json FILE --save-path).

A run file may come from anywhere, so nothing in it is imported or evaluated: its problem is
rebuilt only when it is a catalog function or an expression (checked by the allow-list). A run
of the user's own Python function is drawn only when the user names the function again with
``-f`` (and ``--grad``), or says ``--trust`` to import what the file names.
"""

from __future__ import annotations

from typing import Any

import click

from descentlab.cli._figures import check_figure_options, draw_run, figure_options
from descentlab.cli._problem import build_problem
from descentlab.problems.functions import STOCHASTIC_PROBLEMS
from descentlab.results import records


@click.command("plot")
@click.argument("run_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--function", "-f", "function",
              help="Your own function (package.module:callable) for a run of one: the file's "
                   "own reference is never imported unless --trust is given.")  # fmt: skip
@click.option("--grad", help="With --function: its gradient (callable, torch, jax).")
@click.option("--trust", is_flag=True,
              help="Import the package.module:callable that the run file names.")  # fmt: skip
@figure_options
def plot_command(run_file: str, function: str | None, grad: str | None, trust: bool,
                 **options: Any) -> None:  # fmt: skip
    """Draw the run saved in RUN_FILE to --plot FILE (and/or --animate FILE)."""
    if not options["plot_file"] and not options["animate_file"]:
        raise click.UsageError("give --plot FILE or --animate FILE")
    check_figure_options(options)
    saved = records.load(run_file)
    if saved.result.path is None:
        raise click.UsageError(f"{run_file} has no path: save runs with --json FILE --save-path")
    problem = _problem(run_file, saved.record, function, grad, trust)
    draw_run(problem, saved.result, options, label=saved.record.optimizer.name)


def _problem(run_file: str, record, function: str | None, grad: str | None, trust: bool):
    """The run's problem, rebuilt from the catalog or an expression, or from what the user
    names on the command line; never from code the file names, unless trusted."""
    named = record.settings.problem
    if named is None:
        raise click.UsageError(f"{run_file} does not say how its problem was made (no settings)")
    user_code = named.function is not None and ":" in named.function
    if function is not None:
        named = named.model_copy(update={"function": function, "grad": grad, "expr": None})
    elif user_code and not trust:
        raise click.UsageError(
            f"{run_file} was made with the Python function {named.function!r}; descentlab does "
            f"not import code that a file names: give it again with -f {named.function}"
            + (f" --grad {named.grad}" if named.grad else "")
            + ", or --trust if you trust the file"
        )
    bounds = None if named.function in STOCHASTIC_PROBLEMS else record.problem.bounds
    options = {
        "function": named.function,
        "expr": named.expr,
        "grad": named.grad,
        "params": tuple(named.params or ()),
        "dim": record.problem.dim,
        "bounds": tuple(f"{lo!r},{hi!r}" for lo, hi in bounds) if bounds else (),
    }
    return build_problem(options, None)
