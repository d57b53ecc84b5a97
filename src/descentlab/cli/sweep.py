"""``descentlab sweep OPTIMIZER -f F --grid NAME=SPEC ...``: a grid of settings, stored."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from descentlab.cli._args import given, with_options
from descentlab.cli._engine import engine_option
from descentlab.cli._figures import IMAGE_TYPES, pyplot, save
from descentlab.cli._hypers import check_hypers, hypers_for
from descentlab.cli._output import atomic_path, check_output_path, opened_store
from descentlab.cli._problem import PROBLEM_OPTIONS, build_problem, catalog_parameters
from descentlab.cli._progress import progress_bar
from descentlab.problems.functions import FUNCTIONS
from descentlab.sweeps.grid import parse_grid_options
from descentlab.sweeps.problems import CatalogProblem, OwnProblem, SweepProblem
from descentlab.sweeps.store import DEFAULT_PATH, Store
from descentlab.sweeps.summary import best_settings, hyperparameter_columns
from descentlab.sweeps.sweep import sweep

TABLE_TYPES = (".csv", ".parquet")


def _options(command):
    options = [
        *PROBLEM_OPTIONS,
        click.option("--grid", "grids", multiple=True, required=True, metavar="NAME=SPEC",
                     help="Values of a hyperparameter: log:LO:HI:N, lin:LO:HI:N or a,b,c. "
                          "Repeat for more axes; every combination runs."),
        click.option("--hyper", "hypers", multiple=True, metavar="[OPT.]NAME=VALUE",
                     help="A hyperparameter held fixed."),
        click.option("--seeds", type=click.IntRange(1, 10_000), default=5, show_default=True,
                     help="Starts per setting: seeds 0..N-1, each the tutorials' random start."),
        click.option("--n-iter", type=click.IntRange(min=1), default=500, show_default=True),
        click.option("--target", type=click.FloatRange(min=0, min_open=True), default=1e-8,
                     show_default=True, help="A cell succeeds at f - f* <= this."),
        click.option("--store", "store_path", default=DEFAULT_PATH, show_default=True,
                     help="SQLite file of finished cells; a rerun skips them."),
        click.option("--no-store", is_flag=True, help="Keep results in memory only."),
        click.option("--out", "out_file", help="Write every cell to FILE (.csv or .parquet)."),
        click.option("--plot", "plot_file",
                     help="Heatmap of iterations to target (.png, .svg or .pdf)."),
        click.option("--axes", help="The heatmap's X,Y hyperparameters (default: the first two "
                                    "swept)."),
        click.option("--top", type=click.IntRange(1, 1000), default=5, show_default=True,
                     help="Rows of the best-settings table per optimizer."),
        click.option("--chunk-size", type=click.IntRange(min=1),
                     help="Settings per batch (default: all, up to 100,000 cells)."),
        click.option("--workers", type=click.IntRange(1, 256),
                     help="Run chunks on a local Dask cluster of N processes (127.0.0.1)."),
        click.option("--scheduler", metavar="tcp://HOST:PORT",
                     help="Run chunks on an existing Dask cluster."),
        click.option("--dpi", type=click.IntRange(10, 1200), default=120, show_default=True),
    ]  # fmt: skip
    return with_options(command, options)


@click.command("sweep")
@click.argument("names", nargs=-1, required=True)
@_options
@engine_option
def sweep_command(names: tuple[str, ...], **options: Any) -> None:
    """Run every setting of the --grid for the optimizers NAMES on one problem, each setting from
    --seeds starts, as vectorized batches; print the best settings. Finished cells go to the
    --store, so an interrupted sweep resumes where it stopped."""
    check_hypers(names, options["hypers"])
    if options["no_store"] and given("store_path"):
        raise click.UsageError("give either --store FILE or --no-store, not both")
    if options["plot_file"] and len(names) != 1:
        raise click.BadParameter("a heatmap shows one optimizer: name one", param_hint="--plot")
    if options["workers"] and options["scheduler"]:
        raise click.UsageError("give either --workers or --scheduler, not both")
    _check_outputs(options)
    grid = parse_grid_options(options["grids"])
    axes = _heatmap_axes(grid, options)
    problem = sweep_problem(options)
    target = _target(problem, options)
    hyper = {f"{name}.{key}": value for name in names
             for key, value in hypers_for(name, options["hypers"]).items()}  # fmt: skip
    store = None if options["no_store"] else opened_store(Store, options["store_path"])
    client = _client(options["scheduler"])
    began, found = time.perf_counter(), []
    try:
        with progress_bar("sweep") as (bar, task):

            def progress(done: int, total: int, label: str) -> None:
                if not found:
                    found.append(done)
                bar.update(task, completed=done, total=total, description=label)

            frame = sweep(problem, list(names), grid, seeds=options["seeds"],
                          n_iter=options["n_iter"], target=target, hyper=hyper,
                          store=store, chunk_size=options["chunk_size"], client=client,
                          workers=options["workers"], progress=progress)  # fmt: skip
    finally:
        if store is not None:
            store.close()
        if client is not None:
            client.close()
    _report(frame, found[0] if found else 0, time.perf_counter() - began, options)
    if options["out_file"]:
        write_table(frame, options["out_file"])
    if options["plot_file"]:
        _heatmap(frame, problem, axes, options)


def _target(problem: SweepProblem, options: dict[str, Any]) -> float | None:
    """``--target``, or None for a problem with no known minimum: its cells then run every
    iteration and are ranked by their final value (said in a note)."""
    if problem.build().minimum is not None:
        return options["target"]
    if given("target"):
        raise click.UsageError("--target needs the problem's known minimum: give --minimum F")
    click.echo("descentlab: note: the problem has no known minimum (--minimum F gives one): "
               "every cell runs --n-iter iterations, ranked by its final f", err=True)  # fmt: skip
    return None


def sweep_problem(options: dict[str, Any]) -> SweepProblem:
    """A catalog function as a small description (for the store and workers), else the
    user's own problem."""
    function = options["function"]
    built = build_problem(options, None)
    if function is not None and ":" not in function and function in FUNCTIONS:
        bounds = tuple(map(tuple, built.bounds.tolist())) if options["bounds"] else None
        parameters = tuple(sorted(catalog_parameters(options["params"]).items()))
        return CatalogProblem(function, built.dim, parameters, bounds)
    return OwnProblem(built)


def _check_outputs(options: dict[str, Any]) -> None:
    check_table_path("--out", options["out_file"])
    plot = options["plot_file"]
    if plot and Path(plot).suffix.lower() not in IMAGE_TYPES:
        raise click.BadParameter(f"must end in {', '.join(IMAGE_TYPES)}, not {plot!r}",
                                 param_hint="--plot")  # fmt: skip
    check_output_path("--plot", plot)


def _client(scheduler: str | None):
    if scheduler is None:
        return None
    from descentlab.sweeps.distributed import connect

    return connect(scheduler)


def _report(frame, found: int, seconds: float, options: dict[str, Any]) -> None:
    console = Console()
    where = "memory" if options["no_store"] else options["store_path"]
    console.print(f"{len(frame):,} cells ({len(frame) - found:,} run now, {found:,} found in "
                  f"{where}) in {seconds:.1f} s")  # fmt: skip
    shared = [c for c in ("problem", "optimizer") if frame[c].nunique() == 1]
    about = ", ".join(str(frame[c].iloc[0]) for c in shared)
    seeds, target = frame["seed"].nunique(), frame["target"].iloc[0] if len(frame) else None
    goal = "ranked by final f" if target != target or target is None else (
        f"target f - f* <= {target:g}")  # fmt: skip
    title = f"best settings{': ' + about if about else ''}; median over {seeds} seeds, {goal}"
    console.print(settings_table(frame, options["top"], title))


def settings_table(frame, top: int, title: str) -> Table:
    """The ``top`` best settings per (problem, optimizer) of a sweep's cells: the swept
    hyperparameters, how many seeds reached the target, the median iterations, the median
    final gap of the seeds that did not diverge, and the seeds' statuses. Cells without a
    target (a problem with no known minimum) show the final value instead."""
    best = best_settings(frame, top)
    hypers = [c for c in hyperparameter_columns(frame) if frame[c].nunique(dropna=True) > 1]
    columns = [c for c in ("problem", "optimizer") if frame[c].nunique() > 1]
    targeted = not frame["target"].isna().all()
    counts = ("reached", "iterations") if targeted else ()
    table = Table(title=title)
    for column in (*columns, *hypers, *counts, "final f - f*" if targeted else "final f",
                   "status"):  # fmt: skip
        table.add_column(column, no_wrap=column not in ("problem", "status"))
    for values in best.to_dict("records"):
        iterations, gap = values["iterations"], values["final_gap"]
        reached = (f"{values['reached']}/{values['seeds']}",
                   "not reached" if iterations == float("inf") else f"{iterations:g}")  # fmt: skip
        table.add_row(
            *(str(values[c]) for c in columns),
            *(_number(values[h]) for h in hypers),
            *(reached if targeted else ()),
            "diverged" if gap != gap else f"{gap:.3g}",
            values["status"],
        )
    return table


def _number(value: object) -> str:
    return "-" if value != value else f"{value:.4g}"  # NaN: not a hyperparameter of this one


NEEDS_PYARROW = "writing Parquet needs pyarrow: pip install 'descentlab[parquet]' (or write .csv)"


def check_table_path(option: str, path: str | None) -> None:
    """A table file: .csv or .parquet (with pyarrow installed), in a folder that exists."""
    if not path:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_TYPES:
        raise click.BadParameter(f"{path!r}: the file type must be .csv or .parquet",
                                 param_hint=option)  # fmt: skip
    if suffix == ".parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ImportError(NEEDS_PYARROW)
    check_output_path(option, path)


def write_table(frame, path: str) -> None:
    """``frame`` to CSV or Parquet by the file's extension, whole or not at all."""
    with atomic_path(path) as temporary:
        if Path(path).suffix.lower() == ".parquet":
            try:
                frame.to_parquet(temporary, index=False)
            except ImportError:
                raise ImportError(NEEDS_PYARROW) from None
        else:
            frame.to_csv(temporary, index=False)


def _heatmap_axes(grid, options: dict[str, Any]) -> tuple[str | None, str | None]:
    """The heatmap's X and Y (None: the plot's default), checked against the grid before the
    sweep runs, so a typo costs no computing."""
    if options["axes"] and not options["plot_file"]:
        raise click.UsageError("--axes applies only with --plot")
    if not options["plot_file"]:
        return None, None
    swept = [axis.name for axis in grid.axes if len(axis.values) > 1]
    if not swept:
        raise click.BadParameter("a heatmap needs a --grid axis with more than one value",
                                 param_hint="--plot")  # fmt: skip
    if not options["axes"]:
        return None, None
    parts = [p.strip() for p in options["axes"].split(",")]
    if len(parts) not in (1, 2) or not all(parts) or len(set(parts)) != len(parts):
        raise click.BadParameter(f"expected X or X,Y (two different names), got "
                                 f"{options['axes']!r}", param_hint="--axes")  # fmt: skip
    for name in parts:
        if name not in swept:
            raise click.BadParameter(f"{name!r} is not a hyperparameter the --grid sweeps over "
                                     f"more than one value; swept: {', '.join(swept)}",
                                     param_hint="--axes")  # fmt: skip
    return parts[0], (parts[1] if len(parts) == 2 else None)


def _heatmap(frame, problem: SweepProblem, axes, options: dict[str, Any]) -> None:
    from descentlab.plot.sweep import plot_sweep

    pyplot()
    ax = plot_sweep(frame, *axes, curvature=problem.curvature())
    save(ax.figure, options["plot_file"], options)
