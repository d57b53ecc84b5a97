"""``descentlab benchmark --suite training [--quick | --full]``: the training workloads under
AlgoPerf's two rulesets, stored and resumable, with a leaderboard, JSON and an offline report."""

from __future__ import annotations

import json
import math
import shlex
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from descentlab.cli._args import given
from descentlab.cli._output import atomic_path, check_output_folder, check_output_path, opened_store
from descentlab.cli._progress import progress_bar

#: The benchmark options that mean nothing to the training suite.
NOT_FOR_TRAINING = {"functions": "--functions", "dims": "--dims", "instances": "--instances",
                    "trials": "--tune", "targets": "--targets", "hypers": "--hyper",
                    "name": "--name", "seeds": "--seeds", "budget": "--budget",
                    "tuning": "--tuning", "profile_target": "--profile-target",
                    "out_dir": "--out"}  # fmt: skip


def run_training(options: dict[str, Any]) -> None:
    for key, flag in NOT_FOR_TRAINING.items():
        if given(key) or (key == "hypers" and options["hypers"]):
            raise click.UsageError(f"{flag} does not apply to --suite training (its workloads, "
                                   "budgets and tuning protocol are fixed): drop it")  # fmt: skip
    if options["quick"] and options["full"]:
        raise click.UsageError("give either --quick or --full, not both")
    if options["no_store"] and given("store_path"):
        raise click.UsageError("give either --store FILE or --no-store, not both")
    if options["workers"] and options["scheduler"]:
        raise click.UsageError("give either --workers or --scheduler, not both")
    if options["schedules"] and not options["budgets"]:
        raise click.UsageError("--schedules chooses the schedules of --budgets: give --budgets")
    check_output_folder("--report", options["report_dir"], ("index.html",))
    check_output_path("--json", options["json_file"], allow_dash=True)
    tier = "quick" if options["quick"] else "full" if options["full"] else "default"
    from descentlab.benchmarking.training import TrainingStore, training_benchmark

    optimizers = _list(options["optimizers"], "--optimizers")
    workloads = _list(options["workloads"], "--workloads")
    schedules = _list(options["schedules"], "--schedules")
    store = None if options["no_store"] else opened_store(TrainingStore, options["store_path"])
    from descentlab.cli.benchmark import _client

    client = _client(options["scheduler"])
    try:
        with progress_bar("training benchmark") as (bar, task):
            results = training_benchmark(
                tier, optimizers=optimizers, workloads=workloads, store=store,
                rulesets=("external", "self", "budgets") if options["budgets"] else
                ("external", "self"),
                engine=options.get("engine"), workers=options["workers"], client=client,
                **({"schedules": schedules} if schedules else {}),
                progress=lambda done, total, label: bar.update(task, completed=done, total=total,
                                                               description=label))  # fmt: skip
    finally:
        if store is not None:
            store.close()
        if client is not None:
            client.close()
    if options["json_file"] == "-":
        click.echo(json.dumps(results.to_dict(), indent=1, default=_plain))
    else:
        _print(results)
    if options["json_file"] and options["json_file"] != "-":
        with atomic_path(options["json_file"]) as partial:
            partial.write_text(json.dumps(results.to_dict(), indent=1, default=_plain) + "\n")
        click.echo(f"wrote {options['json_file']}", err=True)
    if options["report_dir"]:
        from descentlab.benchmarking.training.report import write_training_report

        command = "descentlab " + shlex.join(sys.argv[1:]) if sys.argv else ""
        path = write_training_report(results, options["report_dir"], command=command)
        click.echo(f"wrote {path}", err=True)


def _list(text: str | None, option: str) -> list[str] | None:
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise click.BadParameter(f"name at least one, not {text!r}", param_hint=option)
    return names


def _plain(value):
    return None if isinstance(value, float) and not math.isfinite(value) else str(value)


def _print(results) -> None:
    console = Console()
    for ruleset in results.rulesets():
        board = results.leaderboard()
        board = board[board["ruleset"] == ruleset]
        table = Table(title=f"{ruleset} tuning: AlgoPerf score, then steps to each workload's "
                            "validation target (- : not reached)")  # fmt: skip
        for column in ("optimizer", "score", *results.workloads):
            table.add_column(column, overflow="fold")
        for row in board.to_dict("records"):
            table.add_row(row["entrant"], f"{row['score']:.3f}",
                          *(_steps(row[w]) for w in results.workloads))  # fmt: skip
        console.print(table)
    if results.budgets():
        _print_budgets(results, console)


def _print_budgets(results, console) -> None:
    from descentlab.benchmarking.training.verdicts import claims

    table = Table(title="tuning budgets: final test metric over 6 evaluation seeds, median "
                        "[95% interval]")  # fmt: skip
    for column in ("workload", "optimizer", "schedule", "one-shot", "small (5)", "large (25)"):
        table.add_column(column, overflow="fold")
    rows = results.budgets()
    for group in dict.fromkeys((r["workload"], r["entrant"], r["schedule"]) for r in rows):
        found = {r["budget"]: r["test"] for r in rows
                 if (r["workload"], r["entrant"], r["schedule"]) == group}  # fmt: skip
        table.add_row(*group, *(f"{m:.4g} [{lo:.4g}, {hi:.4g}]" for m, lo, hi in found.values()))
    console.print(table)
    for claim in claims(results):
        console.print(f"[bold]{claim.claim}[/bold] verdict: {claim.verdict}")
        for condition, holds, evidence in claim.checks:
            console.print(f"  {'yes' if holds else 'no '} {condition}: {evidence}")


def _steps(value: float) -> str:
    return "-" if not math.isfinite(value) else f"{value:.0f}"
