"""The top-level command group, which imports a command's module only when it runs.

``descentlab --help`` lists every command from the table below without importing any of them,
so it starts as fast as Python does; ``descentlab NAME`` imports NAME's module alone. A test
checks that each summary here is the one its command's own help starts with.
"""

from __future__ import annotations

import importlib

import click

from descentlab._version import __version__

# name: (module under descentlab.cli, attribute, the first sentence of the command's help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": (
        "run",
        "run_group",
        "Minimize a test function with an optimizer and print the trace or a summary.",
    ),
    "tutorial": (
        "tutorial",
        "tutorial_command",
        "Run a tutorial's configuration and print its trace (gd, momentum or amsgrad).",
    ),
    "functions": (
        "listing",
        "functions_command",
        "List the test functions: formula, domain and known minimum.",
    ),
    "optimizers": (
        "listing",
        "optimizers_command",
        "List the optimizers by family: hyperparameters with defaults, update rule and reference.",
    ),
    "check-grad": (
        "check_grad",
        "check_grad_command",
        "Check a gradient against central differences at random points in the bounds "
        "(with --engine jax: the gradient the JAX engine runs with, jax.grad of f when "
        "none is given).",
    ),
    "compare": (
        "compare",
        "compare_command",
        "Run the optimizers NAMES from the same start and print, per optimizer, the "
        "iterations it took to reach the tolerance, its final value and its status; "
        "--plot draws their paths and convergence side by side.",
    ),
    "plot": (
        "plot_cmd",
        "plot_command",
        "Draw the run saved in RUN_FILE to --plot FILE (and/or --animate FILE); with --landscape "
        "or --sharpness, the runs of one problem in RUN_FILES together.",
    ),
    "experiments": (
        "experiment",
        "experiments_command",
        "List the experiments: each checks one claim of the tutorials or their papers.",
    ),
    "experiment": (
        "experiment",
        "experiment_command",
        "Run the experiment NAME (see 'descentlab experiments') and print its verdict, "
        "computed from the data of this run, with the numbers that decide it.",
    ),
    "sweep": (
        "sweep",
        "sweep_command",
        "Run every setting of the --grid for the optimizers NAMES on one problem, each "
        "setting from --seeds starts, as vectorized batches; print the best settings.",
    ),
    "runs": (
        "runs",
        "runs_group",
        "The sweeps kept in a store: list them, show one, export cells to CSV or Parquet.",
    ),
    "tune": (
        "tune",
        "tune_command",
        "Tune optimizer NAME on one problem with Optuna's TPE sampler; print the best "
        "settings beside the defaults and the tutorial's settings, scored on the same "
        "seeds.",
    ),
    "schedules": (
        "schedules_cmd",
        "schedules_command",
        "List the step-size schedules with their formulas and their optax and PyTorch "
        "twins; --plot draws them all over --steps iterations, or the one --schedule "
        "names.",
    ),
    "serve": (
        "serve",
        "serve_command",
        "Serve the playground: pick a function, click a start, move sliders, watch the paths.",
    ),
    "docs": (
        "docs_cmd",
        "docs_command",
        "Build the documentation site (tutorials, gallery, how-to pages, API and CLI "
        "reference) with Sphinx, warnings as errors, and print where it is.",
    ),
    "benchmark": (
        "benchmark",
        "benchmark_command",
        "Benchmark optimizers on a suite of problems at equal budgets (tuning included, "
        "on other seeds), print the leaderboard, and write the table, profiles and a "
        "report.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are looked up, not when listed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"descentlab.cli.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(n, short_help(n, limit)) for n in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def short_help(name: str, limit: int) -> str:
    """The command's summary cut to ``limit`` as click cuts a command's own help."""
    return click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="descentlab")
def cli() -> None:
    """Gradient descent and its descendants: run, trace and compare first-order optimizers."""
