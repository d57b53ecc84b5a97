"""The top-level command group."""

from __future__ import annotations

import click

from descentlab._version import __version__
from descentlab.cli.benchmark import benchmark_command
from descentlab.cli.check_grad import check_grad_command
from descentlab.cli.compare import compare_command
from descentlab.cli.experiment import experiment_command, experiments_command
from descentlab.cli.listing import functions_command, optimizers_command
from descentlab.cli.plot_cmd import plot_command
from descentlab.cli.run import run_group
from descentlab.cli.runs import runs_group
from descentlab.cli.schedules_cmd import schedules_command
from descentlab.cli.serve import serve_command
from descentlab.cli.sweep import sweep_command
from descentlab.cli.tune import tune_command
from descentlab.cli.tutorial import tutorial_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="descentlab")
def cli() -> None:
    """Gradient descent and its descendants: run, trace and compare first-order optimizers."""


cli.add_command(run_group)
cli.add_command(tutorial_command)
cli.add_command(functions_command)
cli.add_command(optimizers_command)
cli.add_command(check_grad_command)
cli.add_command(compare_command)
cli.add_command(plot_command)
cli.add_command(experiments_command)
cli.add_command(experiment_command)
cli.add_command(sweep_command)
cli.add_command(runs_group)
cli.add_command(tune_command)
cli.add_command(schedules_command)
cli.add_command(serve_command)
cli.add_command(benchmark_command)
