"""``descentlab plot RUN.json``: draw a saved run (written with --json FILE --save-path); with
``--landscape`` or ``--sharpness`` several runs of one problem, of any dimension.

A run file may come from anywhere, so nothing in it is imported or evaluated: its problem is
rebuilt only when it is a catalog function or an expression (checked by the allow-list). A run
of the user's own Python function is drawn only when the user names the function again with
``-f`` (and ``--grad``), or says ``--trust`` to import what the file names.
"""

from __future__ import annotations

from typing import Any

import click

from descentlab.cli._figures import check_figure_options, draw_run, figure_options
from descentlab.cli._landscape import draw_landscape, draw_sharpness, step_size_of
from descentlab.cli._problem import build_problem
from descentlab.problems.functions import STOCHASTIC_PROBLEMS
from descentlab.results import records

KINDS = ("pca", "filter")  # descentlab.landscape.slices.KINDS, without importing it at start


@click.command("plot")
@click.argument("run_files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False))  # fmt: skip
@click.option("--function", "-f", "function",
              help="Your own function (package.module:callable) for a run of one: the file's "
                   "own reference is never imported unless --trust is given.")  # fmt: skip
@click.option("--grad", help="With --function: its gradient (callable, torch, jax).")
@click.option("--trust", is_flag=True,
              help="Import the package.module:callable that the run file names.")  # fmt: skip
@click.option("--landscape", type=click.Choice(KINDS),
              help="Draw the runs' paths on a slice of the objective through their end: along "
                   "the paths' principal directions (pca) or two filter-normalized random "
                   "directions (filter); any dimension, networks included.")  # fmt: skip
@click.option("--points", type=click.IntRange(3, 201), default=31, show_default=True,
              help="With --landscape: grid points per side of the slice.")  # fmt: skip
@click.option(
    "--sharpness",
    is_flag=True,
    help="Draw the top Hessian eigenvalue at the recorded points, with 2 / step size.",
)
@click.option("--sharpness-every", type=click.IntRange(min=1), default=1, show_default=True,
              help="With --sharpness: measure at every so many recorded points.")  # fmt: skip
@figure_options
def plot_command(run_files: tuple[str, ...], function: str | None, grad: str | None,
                 trust: bool, **options: Any) -> None:  # fmt: skip
    """Draw the run saved in RUN_FILE to --plot FILE (and/or --animate FILE); with --landscape
    or --sharpness, the runs of one problem in RUN_FILES together."""
    if not options["plot_file"] and not options["animate_file"]:
        raise click.UsageError("give --plot FILE or --animate FILE")
    if options["landscape"] and options["sharpness"]:
        raise click.UsageError("give either --landscape or --sharpness, not both")
    if options["sharpness"] and not options["plot_file"]:
        raise click.UsageError("--sharpness draws to --plot FILE")
    if len(run_files) > 1 and not (options["landscape"] or options["sharpness"]):
        raise click.UsageError("several run files are drawn together with --landscape or "
                               "--sharpness; otherwise give one")  # fmt: skip
    check_figure_options(options)
    saved = {path: records.load(path) for path in run_files}
    for path, run in saved.items():
        if run.result.path is None:
            raise click.UsageError(f"{path} has no path: save runs with --json FILE --save-path")
    first, record = run_files[0], saved[run_files[0]].record
    problem = _problem(first, record, function, grad, trust)
    if not (options["landscape"] or options["sharpness"]):
        draw_run(problem, saved[first].result, options, label=record.optimizer.name)
        return
    runs, steps = _runs_of_one_problem(saved)
    if options["landscape"]:
        draw_landscape(problem, runs, options)
    else:
        draw_sharpness(problem, runs, steps, options)


def _runs_of_one_problem(saved: dict) -> tuple[dict, dict]:
    """The runs by label (their optimizer's name, numbered when repeated), checked to be of
    one problem, and the step size of each that has one."""
    names = {(run.record.problem.name, run.record.problem.dim) for run in saved.values()}
    if len(names) > 1:
        shown = ", ".join(f"{name} (d = {dim})" for name, dim in sorted(names, key=str))
        raise click.UsageError(f"the run files must be of one problem, not {shown}")
    runs, steps = {}, {}
    for run in saved.values():
        label = run.record.optimizer.name
        label = label if label not in runs else f"{label} ({len(runs) + 1})"
        runs[label] = run.result
        step = step_size_of(run.record)
        if step is not None:
            steps[label] = step
    return runs, steps


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
