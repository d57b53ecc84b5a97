"""``descentlab runs list | show ID | export [ID] --out FILE``: what the store holds."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from descentlab.sweeps.store import DEFAULT_PATH, Store
from descentlab.sweeps.table import to_frame

STORE_OPTION = click.option("--store", "store_path", default=DEFAULT_PATH, show_default=True,
                            help="The SQLite store written by descentlab sweep.")  # fmt: skip


@click.group("runs")
def runs_group() -> None:
    """The sweeps kept in a store: list them, show one, export cells to CSV or Parquet."""


@runs_group.command("list")
@STORE_OPTION
def list_command(store_path: str) -> None:
    """Every stored sweep with how many of its cells are finished."""
    with _open(store_path) as store:
        sweeps = store.sweeps()
    table = Table(title=f"{len(sweeps)} sweeps in {store_path}")
    for column in ("id", "created", "problem", "optimizer", "finished"):
        table.add_column(column)
    for s in sweeps:
        table.add_row(str(s["id"]), s["created"], s["problem"], s["optimizer"],
                      f"{s['finished']}/{s['cells']}")  # fmt: skip
    Console().print(table)


@runs_group.command("show")
@click.argument("sweep_id", type=int)
@STORE_OPTION
@click.option("--top", type=click.IntRange(1, 1000), default=5, show_default=True)
def show_command(sweep_id: int, store_path: str, top: int) -> None:
    """What sweep SWEEP_ID ran and its best settings."""
    with _open(store_path) as store:
        definition = store.definition(sweep_id)
        frame = to_frame(store.cell_rows(sweep_id))
    console = Console()
    console.print(f"sweep {sweep_id}: {definition['optimizer']} on {definition['problem_label']}")
    for name, axis in definition["grid"].items():
        values = axis["values"]
        console.print(f"  {name}: {len(values)} values ({axis['scale']}) from {values[0]:g} "
                      f"to {values[-1]:g}")  # fmt: skip
    if definition["fixed"]:
        console.print(f"  fixed: {definition['fixed']}")
    cells = len(definition["seeds"]) * _product(definition["grid"])
    seeds, n_iter, target = len(definition["seeds"]), definition["n_iter"], definition["target"]
    console.print(f"  {seeds} seeds, {n_iter} iterations, target {target}; {len(frame)} cells "
                  f"of {cells} finished")  # fmt: skip
    if frame.empty:
        return
    from descentlab.cli.sweep import settings_table

    console.print(settings_table(frame, top, "best settings (median over seeds)"))


@runs_group.command("export")
@click.argument("sweep_id", type=int, required=False)
@STORE_OPTION
@click.option("--out", "out_file", required=True, help="A .csv or .parquet file.")
def export_command(sweep_id: int | None, store_path: str, out_file: str) -> None:
    """Every finished cell (of sweep SWEEP_ID, or of all) to a CSV or Parquet file."""
    from descentlab.cli.sweep import check_table_path, write_table

    check_table_path("--out", out_file)
    with _open(store_path) as store:
        frame = to_frame(store.cell_rows(sweep_id))
    write_table(frame, out_file)
    click.echo(f"wrote {len(frame)} cells to {out_file}", err=True)


def _open(path: str) -> Store:
    """The store for reading: a missing, empty or foreign file is refused as it is."""
    return Store(path, readonly=True)


def _product(grid: dict) -> int:
    count = 1
    for axis in grid.values():
        count *= len(axis["values"])
    return count
