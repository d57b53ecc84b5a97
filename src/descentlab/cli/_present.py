"""How a run is shown on the terminal after it ends."""

from __future__ import annotations

import click
import numpy as np

from descentlab.optimizers import Optimizer
from descentlab.problems.problem import Problem
from descentlab.results.multistart import summarize
from descentlab.results.result import Result

MAX_ROWS = 5


def print_summary(problem: Problem, optimizer: Optimizer, result: Result, seed: int) -> None:
    """One line for a single start; counts and a table of the best starts for a batch."""
    head = f"{optimizer.name} on {problem.name} (d={result.x.shape[-1]}, seed {seed})"
    if result.x.ndim == 1:
        regret = "" if result.regret is None else f", R_t/t = {_average_regret(result):.4g}"
        click.echo(
            f"{head}: {result.status} after {int(result.nit)} iterations "
            f"({result.message}); f = {float(result.fun):.6g}, "
            f"||g|| = {float(result.grad_norm):.3g}{regret}, {result.time:.3g} s"
        )
        return
    summary = summarize(result, problem)
    click.echo(f"{head}, {result.time:.3g} s")
    if result.regret is not None:
        low, middle, high = np.quantile(_average_regret(result), [0.25, 0.5, 0.75])
        click.echo(f"average regret R_t/t: median {middle:.4g}, quartiles {low:.4g} .. {high:.4g}")
    for line in summary.lines():
        click.echo(line)
    _best_table(result)


def _best_table(result: Result) -> None:
    from rich.console import Console  # only a batch's summary draws a table
    from rich.table import Table

    fun = result.fun.ravel()
    order = np.argsort(np.where(np.isnan(fun), np.inf, fun))[:MAX_ROWS]
    table = Table(title=f"best {len(order)} of {result.n_starts} starts")
    for column in ("start", "status", "iterations", "f", "||g||", "x"):
        table.add_column(column)
    x = result.x.reshape(-1, result.x.shape[-1])
    for j in order:
        table.add_row(
            str(j),
            str(result.status.ravel()[j]),
            str(result.nit.ravel()[j]),
            f"{fun[j]:.6g}",
            f"{result.grad_norm.ravel()[j]:.3g}",
            "[" + ", ".join(f"{v:.6g}" for v in x[j]) + "]",
        )
    Console().print(table)


def _average_regret(result: Result):
    """``R_t / t`` after the last round (round nit + 1 played the final point)."""
    return result.regret / (np.asarray(result.nit) + 1)
