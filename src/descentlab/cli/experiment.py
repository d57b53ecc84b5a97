"""``descentlab experiments`` (the list) and ``descentlab experiment NAME``: claims, checked."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from descentlab.cli._engine import engine_option
from descentlab.cli._figures import IMAGE_TYPES, pyplot, save
from descentlab.cli._output import atomic_path, check_output_path
from descentlab.cli._progress import progress_bar
from descentlab.experiments import EXPERIMENTS, SUPPORTED, Finding, FindingStore, get

VERDICT_STYLES = {SUPPORTED: "bold green", "not supported": "bold red", "depends": "bold yellow"}


@click.command("experiments")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--store", "store_path", help="List the findings kept in this store instead.")
def experiments_command(as_json: bool, store_path: str | None) -> None:
    """List the experiments: each checks one claim of the tutorials or their papers."""
    if store_path is not None:
        _kept(store_path, as_json)
        return
    rows = [
        {"name": e.name, "title": e.title, "claim": e.claim, "source": e.source}
        for e in EXPERIMENTS.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="experiments (run one: descentlab experiment NAME [--quick])")
    for column in ("name", "title", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["title"], row["source"])
    Console().print(table)


@click.command("experiment")
@click.argument("name")
@click.option("--quick", is_flag=True, help="A smaller design that runs in seconds.")
@click.option(
    "--plot", "plot_file", help="Draw the experiment's figure to FILE (.png, .svg, .pdf)."
)
@click.option(
    "--json",
    "json_file",
    help="Write the claim, checks, verdict and numbers to FILE "
    "('-': standard output, instead of the report).",
)
@click.option("--dpi", type=click.IntRange(min=10, max=600), default=120, show_default=True)
@click.option("--store", "store_path",
              help="Keep the finding in this store (an SQLite file, made if new; "
                   "'descentlab experiments --store FILE' lists what it keeps).")  # fmt: skip
@engine_option
def experiment_command(name: str, quick: bool, plot_file: str | None, json_file: str | None,
                       dpi: int, store_path: str | None) -> None:  # fmt: skip
    """Run the experiment NAME (see 'descentlab experiments') and print its verdict, computed
    from the data of this run, with the numbers that decide it."""
    if name not in EXPERIMENTS:
        raise click.BadParameter(
            f"unknown experiment {name!r}: choose one of {', '.join(EXPERIMENTS)}",
            param_hint="NAME",
        )
    if plot_file and Path(plot_file).suffix.lower() not in IMAGE_TYPES:
        raise click.BadParameter(
            f"must end in {', '.join(IMAGE_TYPES)}, not {plot_file!r}", param_hint="--plot"
        )
    check_output_path("--plot", plot_file)
    check_output_path("--json", json_file, allow_dash=True)
    store = None if store_path is None else FindingStore(store_path)  # refused before the run
    finding = _run_with_progress(name, quick)
    if store is not None:
        with store:
            row = store.save(finding)
        click.echo(f"kept as finding {row} in {store_path}", err=True)
    if json_file == "-":
        click.echo(json.dumps(finding.to_dict(), indent=2))
    else:
        report(finding)
    if json_file and json_file != "-":
        with atomic_path(json_file) as partial:
            partial.write_text(json.dumps(finding.to_dict(), indent=2) + "\n")
        click.echo(f"wrote {json_file}", err=True)
    if plot_file:
        pyplot()
        save(get(name).draw(finding), plot_file, {"dpi": dpi})


def _kept(path: str, as_json: bool) -> None:
    with FindingStore(path, readonly=True) as store:
        rows = [{k: v for k, v in row.items() if k != "finding"} for row in store.findings()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"findings kept in {path}")
    for column in ("id", "name", "quick", "verdict", "created", "version"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(row[c]) for c in ("id", "name", "quick", "verdict", "created",
                                              "version")))  # fmt: skip
    Console().print(table)


def _run_with_progress(name: str, quick: bool) -> Finding:
    with progress_bar(name) as (bar, task):
        return get(name)(quick=quick, progress=_BarProgress(bar, task))


class _BarProgress:
    """The experiments' :class:`~descentlab.experiments.Progress` on a rich progress bar."""

    def __init__(self, bar: Progress, task) -> None:
        self.bar, self.task = bar, task

    def plan(self, total: int) -> None:
        self.bar.update(self.task, total=total)

    def advance(self, label: str) -> None:
        self.bar.update(self.task, advance=1, description=label)


def report(finding: Finding) -> None:
    """The claim, its source, the design, a table of checks and the verdict."""
    console = Console()
    mode = " (quick)" if finding.quick else ""
    console.print(f"[bold]{finding.title}[/bold]{mode}")
    console.print(f"claim:  {finding.claim}")
    console.print(f"source: {finding.source}")
    console.print(f"design: {finding.design}")
    table = Table(show_lines=False)
    table.add_column("holds")
    table.add_column("condition", overflow="fold")
    table.add_column("evidence", overflow="fold")
    for check in finding.checks:
        table.add_row("yes" if check.holds else "no", check.condition, check.evidence)
    console.print(table)
    style = VERDICT_STYLES[finding.verdict.outcome]
    console.print(
        f"verdict: [{style}]{finding.verdict.outcome}[/{style}] ({finding.verdict.reason})"
    )
