"""``descentlab benchmark --suite NAME --optimizers a,b,c ...``: a suite at equal budgets."""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from descentlab.benchmarking.tuning import MAX_TRIALS, MIN_TRIALS
from descentlab.cli._args import given, parse_vector, with_options
from descentlab.cli._engine import engine_option
from descentlab.cli._hypers import parse_hyper_values
from descentlab.cli._output import atomic_path, check_output_folder, opened_store
from descentlab.cli._progress import progress_bar
from descentlab.sweeps.store import DEFAULT_PATH

#: What the command writes into --out (not for bbob) and --report: checked before the run.
OUT_FILES = ("benchmark.csv", "performance-profile.png", "data-profile.png", "ecdf.png")
REPORT_FILES = ("index.html",)


def _options(command):
    options = [
        click.option("--suite", required=True,
                     type=click.Choice(("catalog", "conditioning", "stochastic", "bbob",
                                        "training")),
                     help="The problems: the catalog, conditioning, stochastic, COCO's bbob, or "
                          "the training workloads (AlgoPerf's rulesets)."),
        click.option("--optimizers", metavar="A,B,...",
                     help="Registered optimizers, optionally with a step rule: gd,adam,gd+armijo "
                          "(required, except for --suite training, which has its own)."),
        click.option("--workloads", metavar="W,...",
                     help="--suite training: keep these workloads."),
        click.option("--quick", is_flag=True,
                     help="--suite training: three small workloads, three optimizers (a minute)."),
        click.option("--full", is_flag=True,
                     help="--suite training: every registered optimizer (long; resumable)."),
        click.option("--budgets", is_flag=True,
                     help="--suite training: also the crowded valley's tuning budgets (one-shot, "
                          "5 and 25 trials, re-run on evaluation seeds) and their verdicts."),
        click.option("--schedules", metavar="S,...",
                     help="--suite training --budgets: the step-size schedules to tune under "
                          "(constant, cosine, warmup-cosine; default all three)."),
        click.option("--json", "json_file",
                     help="--suite training: write the results as JSON to FILE ('-': stdout)."),
        click.option("--functions", metavar="F,...",
                     help="Keep these functions (bbob: COCO's function indices 1..24)."),
        click.option("--dims", metavar="D,...", help="Keep these dimensions."),
        click.option("--instances", metavar="I,...", help="bbob: COCO's instance indices."),
        click.option("--budget", type=click.IntRange(min=1), default=200, show_default=True,
                     help="Evaluations per run in units of d + 1 (bbob: COCO's multiplier, "
                          "budget x d)."),
        click.option("--tune", "trials", type=click.IntRange(MIN_TRIALS, MAX_TRIALS),
                     help="Tune every optimizer on every problem with TRIALS trials first, on "
                          "tuning seeds the evaluation never uses."),
        click.option("--tuning", type=click.Choice(("grid", "optuna")), default="grid",
                     show_default=True, help="How --tune searches (the step size on a log "
                                             "grid, or Optuna's TPE)."),
        click.option("--seeds", type=click.IntRange(1, 10_000), default=10, show_default=True,
                     help="Evaluation runs per problem and optimizer."),
        click.option("--targets", metavar="T,...", help="Decreasing gaps f - f* to measure "
                     "(default: 1e2 .. 1e-8 in 0.2 decades)."),
        click.option("--hyper", "hypers", multiple=True, metavar="[OPT.]NAME=VALUE",
                     help="A hyperparameter held fixed."),
        click.option("--store", "store_path", default=DEFAULT_PATH, show_default=True,
                     help="SQLite file of finished runs; a rerun skips them."),
        click.option("--no-store", is_flag=True, help="Keep results in memory only."),
        click.option("--name", help="The benchmark's name in the store (default: the suite)."),
        click.option("--workers", type=click.IntRange(1, 256),
                     help="Run on a local Dask cluster of N processes (127.0.0.1)."),
        click.option("--scheduler", metavar="tcp://HOST:PORT",
                     help="Run on an existing Dask cluster."),
        click.option("--out", "out_dir", help="A folder for the table and the pictures (bbob: "
                                              "COCO's data files)."),
        click.option("--report", "report_dir", help="A folder for one HTML page that opens "
                                                    "offline."),
        click.option("--profile-target", type=click.FloatRange(min=0, min_open=True),
                     default=1e-4, show_default=True,
                     help="The target of the performance and data profiles."),
    ]  # fmt: skip
    return with_options(command, options)


@click.command("benchmark")
@_options
@engine_option
def benchmark_command(**options: Any) -> None:
    """Benchmark optimizers on a suite of problems at equal budgets (tuning included, on other
    seeds), print the leaderboard, and write the table, profiles and a report."""
    from descentlab.benchmarking import benchmark

    if options["suite"] == "training":
        from descentlab.cli._training_suite import run_training

        run_training(options)
        return
    for flag in ("workloads", "quick", "full", "json_file", "budgets", "schedules"):
        if options[flag]:
            shown = "--json" if flag == "json_file" else f"--{flag}"
            raise click.UsageError(f"{shown} applies only to --suite training")
    if not options["optimizers"]:
        raise click.UsageError("--optimizers is required: name the optimizers to benchmark")
    bbob = options["suite"] == "bbob"
    _check(options, bbob)
    store = None
    if not bbob and not options["no_store"]:
        from descentlab.benchmarking.store import BenchmarkStore

        store = opened_store(BenchmarkStore, options["store_path"])
    client = _client(options["scheduler"])
    try:
        with progress_bar("benchmark") as (bar, task):
            frame = benchmark(
                options["suite"], _names("--optimizers", options["optimizers"]),
                budget=options["budget"],
                tuning=options["tuning"] if options["trials"] else None,
                trials=options["trials"] or 12, seeds=options["seeds"],
                targets=_numbers("--targets", options["targets"]),
                hyper=parse_hyper_values(options["hypers"]),
                functions=_functions(options["functions"], bbob),
                dims=_integers("--dims", options["dims"]),
                instances=_integers("--instances", options["instances"]),
                store=store, name=options["name"], workers=options["workers"], client=client,
                out=options["out_dir"] if bbob else None,
                progress=lambda done, total, label: bar.update(task, completed=done, total=total,
                                                               description=label),
            )  # fmt: skip
    finally:
        if store is not None:
            store.close()
        if client is not None:
            client.close()
    _print(frame)
    _write(frame, options, bbob)


def _check(options: dict[str, Any], bbob: bool) -> None:
    if options["no_store"] and given("store_path"):
        raise click.UsageError("give either --store FILE or --no-store, not both")
    if options["workers"] and options["scheduler"]:
        raise click.UsageError("give either --workers or --scheduler, not both")
    if bbob and not options["out_dir"]:
        raise click.UsageError("--suite bbob needs --out DIR: the folder of COCO's data files")
    if bbob and given("store_path"):
        raise click.UsageError("--store does not apply to --suite bbob: COCO's observer writes "
                               "its data files to --out; drop it")  # fmt: skip
    if not bbob and options["instances"]:
        raise click.UsageError("--instances selects COCO's bbob instances: use --suite bbob")
    if given("tuning") and not options["trials"]:
        raise click.UsageError("--tuning applies only with --tune TRIALS")
    check_output_folder("--out", options["out_dir"], () if bbob else OUT_FILES)
    check_output_folder("--report", options["report_dir"], REPORT_FILES)
    _check_profile_target(options)


def _check_profile_target(options: dict[str, Any]) -> None:
    """The profiles' target must be one the benchmark measures (checked before it runs)."""
    from descentlab.benchmarking.core import check_targets

    targets = check_targets(_numbers("--targets", options["targets"]))
    target = options["profile_target"]
    if not any(abs(t - target) <= 1e-12 * target for t in targets):
        shown = ", ".join(f"{t:g}" for t in targets[:6]) + (", ..." if len(targets) > 6 else "")
        raise click.BadParameter(f"{target:g} is not among the targets ({shown})",
                                 param_hint="--profile-target")  # fmt: skip


def _names(option: str, text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        what = "optimizer" if option == "--optimizers" else "function"
        raise click.BadParameter(f"name at least one {what}, not {text!r}", param_hint=option)
    return names


def _functions(text: str | None, bbob: bool):
    if text is None:
        return None
    return _integers("--functions", text) if bbob else _names("--functions", text)


def _integers(option: str, text: str | None) -> list[int] | None:
    if text is None:
        return None
    values = parse_vector(option, text)
    if not all(math.isfinite(v) and v == int(v) for v in values):
        raise click.BadParameter(f"expected whole numbers, got {text!r}", param_hint=option)
    return [int(v) for v in values]


def _numbers(option: str, text: str | None) -> list[float] | None:
    return None if text is None else parse_vector(option, text)


def _client(scheduler: str | None):
    if scheduler is None:
        return None
    from descentlab.sweeps.distributed import connect

    return connect(scheduler)


def _print(frame) -> None:
    from descentlab.benchmarking.results import INTERVAL_NOTE, LEADERBOARD_TARGETS, leaderboard

    board = leaderboard(frame)
    problems, seeds = frame["problem"].nunique(), frame["seed"].nunique()
    table = Table(title=f"leaderboard: {problems} problems x {seeds} seeds; share of runs that "
                        "reached f - f* <= target, median evaluations [95% interval]")  # fmt: skip
    table.add_column("optimizer")
    shown = [t for t in LEADERBOARD_TARGETS if f"solved {t:g}" in board.columns]
    for target in shown:
        table.add_column(f"<= {target:g}")
    table.add_column("settings")
    for row in board.to_dict("records"):
        cells = []
        for target in shown:
            cell = f"{row[f'solved {target:g}']:.0%}"
            median = row.get(f"median evaluations {target:g}")
            if median is not None and median == median and median != float("inf"):
                low, high = row[f"95% interval {target:g}"]
                cell += f", {median:.4g} [{low:.4g}, {_bound(high)}]"
            cells.append(cell)
        table.add_row(row["optimizer"], *cells, row["settings"])
    console = Console()
    console.print(table)
    console.print(f"note: {INTERVAL_NOTE}", style="dim")


def _bound(value: float) -> str:
    return "inf" if value == float("inf") else f"{value:.4g}"


def _write(frame, options: dict[str, Any], bbob: bool) -> None:
    target = options["profile_target"]
    if options["out_dir"] and not bbob:
        from descentlab.cli._figures import pyplot

        out = Path(options["out_dir"])
        out.mkdir(parents=True, exist_ok=True)
        with atomic_path(out / "benchmark.csv") as partial:
            frame.to_csv(partial, index=False)
        plt = pyplot()
        from descentlab.benchmarking.pictures import (
            plot_data_profile,
            plot_ecdf,
            plot_performance_profile,
        )

        for name, draw, args in (("performance-profile", plot_performance_profile, (target,)),
                                 ("data-profile", plot_data_profile, (target,)),
                                 ("ecdf", plot_ecdf, ())):  # fmt: skip
            ax = draw(frame, *args)
            with atomic_path(out / f"{name}.png") as partial:
                ax.figure.savefig(partial, dpi=120)
            plt.close(ax.figure)
        click.echo(f"wrote the table and the profiles to {out}", err=True)
    if options["report_dir"]:
        from descentlab.benchmarking.report import write_report

        command = "descentlab " + shlex.join(sys.argv[1:]) if sys.argv else ""
        about = {"suite": options["suite"], "budget": options["budget"]}
        path = write_report(frame, options["report_dir"], command=command, target=target,
                            settings=about)  # fmt: skip
        click.echo(f"wrote {path}", err=True)
