"""``descentlab plot RUN.json``: draw a saved run (written with --json FILE --save-path)."""

from __future__ import annotations

from typing import Any

import click

from descentlab import records
from descentlab.cli._figures import check_figure_options, draw_run, figure_options
from descentlab.cli._problem import build_problem
from descentlab.result import Result


@click.command("plot")
@click.argument("run_file", type=click.Path(exists=True, dir_okay=False))
@figure_options
def plot_command(run_file: str, **options: Any) -> None:
    """Draw the run saved in RUN_FILE to --plot FILE (and/or --animate FILE)."""
    if not options["plot_file"] and not options["animate_file"]:
        raise click.UsageError("give --plot FILE or --animate FILE")
    check_figure_options(options)
    record = records.load(run_file)
    result = Result.from_dict(record["result"])
    if result.path is None:
        raise click.UsageError(f"{run_file} has no path: save runs with --json FILE --save-path")
    draw_run(_problem(record), result, options, label=record["optimizer"]["name"])


def _problem(record: dict[str, Any]):
    """The run's problem, rebuilt from how the command line named it."""
    named = record["settings"].get("problem")
    if named is None:
        raise click.UsageError("the run does not say how its problem was made (no settings)")
    bounds = record["problem"]["bounds"]
    options = {
        **named,
        "params": tuple(named.get("params") or ()),
        "dim": record["problem"]["dim"],
        "bounds": tuple(f"{lo!r},{hi!r}" for lo, hi in bounds) if bounds else (),
    }
    return build_problem(options, None)
