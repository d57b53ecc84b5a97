"""``descentlab run OPTIMIZER --function NAME ...``: one command per registered optimizer.

Each optimizer's hyperparameters become its options (``--step-size``, ``--momentum``, ...), so
``descentlab run momentum --help`` shows exactly what applies.
"""

from __future__ import annotations

import functools
from typing import Any

import click
import numpy as np

from descentlab.cli._args import parse_vector, with_options
from descentlab.cli._engine import engine_option
from descentlab.cli._errors import CommandFailed
from descentlab.cli._figures import (
    check_animation_dim,
    check_figure_options,
    draw_run,
    figure_options,
)
from descentlab.cli._output import atomic_path, check_output_path
from descentlab.cli._present import print_summary
from descentlab.cli._problem import PROBLEM_OPTIONS, build_problem
from descentlab.cli._resume import load_resumed, resume_from, steps_done
from descentlab.cli._step_rules import STEP_RULE_NAMES, step_rule, step_rule_settings
from descentlab.cli._stochastic import STOCHASTIC_OPTIONS, noise_from
from descentlab.optimizers import OPTIMIZERS, Optimizer
from descentlab.results import records
from descentlab.results.result import Status
from descentlab.runner import Interrupted, Tolerance, minimize
from descentlab.schedules import SCHEDULE_KINDS, make_schedule

#: A map of many 2-D starts draws this many sample paths; only those are recorded.
MAP_PATHS = 30


class OptimizerGroup(click.Group):
    """Sub-commands made from the optimizer registry."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(OPTIMIZERS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in OPTIMIZERS:
            return None
        return _command_for(name)

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name not in OPTIMIZERS and not name.startswith("-"):
            known = ", ".join(OPTIMIZERS)
            raise click.UsageError(f"optimizer must be one of {known}, not {name!r}", ctx)
        return super().resolve_command(ctx, args)


@click.group("run", cls=OptimizerGroup)
def run_group() -> None:
    """Minimize a test function with an optimizer and print the trace or a summary."""


def _common_options(command):
    options = [
        *PROBLEM_OPTIONS,
        figure_options,
        click.option(
            "--x0", help="Starting point as comma-separated numbers (instead of a random start)."
        ),
        click.option(
            "--seed",
            type=click.IntRange(0, 2**32 - 1),
            help="Seed of the random starts (default: a fresh one, reported).",
        ),
        click.option(
            "--n-iter",
            type=click.IntRange(min=1),
            default=100,
            show_default=True,
            help="Largest number of iterations.",
        ),
        click.option(
            "--starts",
            type=click.IntRange(min=1),
            help="Number of random starts, run as one batch.",
        ),
        click.option(
            "--gtol",
            type=click.FloatRange(min=0),
            help="Stop a start when its gradient norm is at most this.",
        ),
        click.option(
            "--ftol", type=click.FloatRange(min=0), help="Stop a start when f - f* is at most this."
        ),
        click.option(
            "--schedule", type=click.Choice(SCHEDULE_KINDS), help="Schedule for the step size."
        ),
        click.option(
            "--decay-rate",
            type=float,
            help="Rate of the exponential, inverse-time or step schedule.",
        ),
        click.option(
            "--final",
            type=click.FloatRange(min=0),
            default=0.0,
            show_default=True,
            help="Where a linear or cosine schedule ends.",
        ),
        click.option(
            "--boundaries",
            metavar="S1,S2,...",
            help="Steps where a piecewise schedule changes (with --scales).",
        ),
        click.option(
            "--scales",
            metavar="F1,F2,...",
            help="Factors a piecewise schedule applies at its --boundaries.",
        ),
        click.option(
            "--warmup",
            type=click.IntRange(min=1),
            help="Steps of a straight line up to the schedule's first value.",
        ),
        click.option(
            "--warmup-start",
            type=click.FloatRange(min=0),
            default=0.0,
            show_default=True,
            help="Where the warmup starts.",
        ),
        click.option(
            "--decay-steps",
            type=click.FloatRange(min=0, min_open=True),
            default=1.0,
            show_default=True,
            help="Time scale of the schedule (its length in steps for step, linear, cosine "
            "and one-cycle).",
        ),
        click.option(
            "--record-every",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Record the path every k-th iteration.",
        ),
        click.option(
            "--final-only",
            is_flag=True,
            help="Keep only the final points, no path (for very many starts).",
        ),
        *STOCHASTIC_OPTIONS,
        click.option("--quiet", "-q", is_flag=True, help="Print only the summary, not the trace."),
        click.option(
            "--json",
            "json_file",
            type=click.Path(dir_okay=False, allow_dash=True),
            help="Write the run as JSON to FILE ('-' for standard output).",
        ),
        click.option("--save-path", is_flag=True, help="Include the recorded path in the JSON."),
        click.option("--step-rule", type=click.Choice(STEP_RULE_NAMES),
                     help="Choose each step from the problem: an Armijo or strong-Wolfe line "
                          "search along the update (gd, momentum), or Polyak's or a "
                          "Barzilai-Borwein step (gd)."),
        click.option("--c1", type=float, default=1e-4, show_default=True,
                     help="Sufficient-decrease constant of the line searches, in (0, 1)."),
        click.option("--c2", type=float, default=0.9, show_default=True,
                     help="Curvature constant of the Wolfe search, in (c1, 1)."),
        click.option("--shrink", type=float, default=0.5, show_default=True,
                     help="Armijo's backtracking factor, in (0, 1)."),
        click.option("--initial-step", type=float, default=1.0, show_default=True,
                     help="The line searches' first multiplier of the update."),
        click.option("--max-step", type=click.FloatRange(min=0, min_open=True),
                     help="Cap on Polyak's and Barzilai-Borwein's steps."),
        click.option("--resume", "resume_file", type=click.Path(dir_okay=False),
                     help="Continue the run saved in this JSON file (same optimizer and "
                          "problem) from its final points and optimizer state."),
    ]  # fmt: skip
    return with_options(command, options)


OPTION_TYPES = {
    "number": lambda info: float,
    "whole": lambda info: click.IntRange(0),
    "choice": lambda info: click.Choice(info.choices),
    # another optimizer by its name, at its defaults ("none": no fallback, where allowed)
    "optimizer": lambda info: click.Choice([*OPTIMIZERS, "none"]),
}


def _hyperparameter_options(cls: type[Optimizer]):
    def decorate(command):
        for info in reversed(cls.hyperparameters()):
            flag = "--" + info.name.replace("_", "-")
            shown = "derived" if info.optional else info.shown_default
            help = f"{info.help} [default: {shown}]"
            if info.kind == "switch":
                switch = f"{flag}/--no-{flag[2:]}"
                option = click.option(switch, info.name, default=None, help=help)
            else:
                kind = OPTION_TYPES[info.kind](info)
                option = click.option(flag, info.name, type=kind, default=None, help=help)
            command = option(command)
        return command

    return decorate


@functools.cache
def _command_for(name: str) -> click.Command:
    cls = OPTIMIZERS[name]

    @click.command(name, help=f"{cls.__name__}: {cls.summary}  ({cls.reference})")
    @_common_options
    @_hyperparameter_options(cls)
    @engine_option
    def command(**options: Any) -> None:
        _run(cls, options)

    return command


def _run(cls: type[Optimizer], options: dict[str, Any]) -> None:
    hyper_names = [h.name for h in cls.hyperparameters()]
    hypers = {k: options.pop(k) for k in hyper_names if options.get(k) is not None}
    hypers = {k: None if v == "none" else v for k, v in hypers.items()}
    check_figure_options(options)
    check_output_path("--json", options["json_file"], allow_dash=True)
    x0 = parse_vector("--x0", options["x0"]) if options["x0"] is not None else None
    resume_file, resumed = options["resume_file"], None
    saved = None if resume_file is None else load_resumed(resume_file, options)
    _apply_schedule(cls, hypers, options, saved)
    if saved is None:
        optimizer = cls(**hypers)
        problem = build_problem(options, x0)
        seed = options["seed"] if options["seed"] is not None else _fresh_seed()
        tol = Tolerance(grad=options["gtol"], fun=options["ftol"])
    else:
        resumed = resume_from(resume_file, saved, cls, options, hypers)
        optimizer, problem, seed, tol = (resumed.optimizer, resumed.problem, resumed.seed,
                                         resumed.tol)  # fmt: skip
        for note in resumed.notes:
            click.echo(f"descentlab: note: {note}", err=True)
    check_animation_dim(options, problem.dim)
    _check_final_only(options, problem.dim)
    to_stdout = options["json_file"] == "-"
    single = options["starts"] is None or options["starts"] == 1
    if resumed is not None:
        single = resumed.result.x.ndim == 1
    record, record_starts = _recording(options, problem.dim)
    noise = noise_from(options)
    run = functools.partial(
        minimize, problem, optimizer, n_iter=options["n_iter"], x0=x0, seed=seed,
        starts=options["starts"], tol=tol, record=record, record_starts=record_starts,
        verbose=single and not options["quiet"] and not to_stdout, noise=noise,
        batch_size=options["batch_size"], project=options["project"],
        resume=None if resumed is None else resumed.result, step_rule=step_rule(options),
    )  # fmt: skip
    try:
        result = run()
    except Interrupted as interrupted:
        _write_json(problem, optimizer, interrupted.result, options, seed, tol, x0)
        raise CommandFailed(f"interrupted after iteration {interrupted.result.nit.max()}"
                            + _written(options), 130) from None  # fmt: skip
    _write_json(problem, optimizer, result, options, seed, tol, x0)
    if not to_stdout:
        print_summary(problem, optimizer, result, seed)
    draw_run(problem, result, options, label=optimizer.name)
    _fail_on_error(result, options)


def _recording(options: dict[str, Any], dim: int | None) -> tuple[int | str, list[int] | None]:
    """Record the path only when something uses it: a picture or --save-path.

    A map of many 2-D starts draws at most 30 sample paths, so only those are recorded.
    """
    wanted = options["plot_file"] or options["animate_file"] or options["save_path"]
    if options["final_only"] or not wanted:
        return "none", None
    starts = options["starts"] or 1
    only_the_map = options["plot_file"] and not options["animate_file"] and not options["save_path"]
    if only_the_map and starts > 1 and dim == 2 and not options["surface"]:
        from descentlab.plot._data import thinned  # matplotlib comes with the picture anyway

        return options["record_every"], thinned(starts, MAP_PATHS).tolist()
    return options["record_every"], None


def _write_json(problem, optimizer, result, options, seed, tol, x0) -> None:
    if not options["json_file"]:
        return
    settings = {
        "problem": {k: options[k] for k in ("function", "expr", "grad", "params")},
        "seed": seed,
        "n_iter": options["n_iter"],
        "starts": options["starts"],
        "x0": x0,
        "tol": {"grad": tol.grad, "fun": tol.fun},
        "noise": None if options["noise"] is None else noise_from(options).describe(),
        "batch_size": options["batch_size"],
        "project": options["project"],
        "step_rule": step_rule_settings(options),
    }
    record = records.run_record(problem, optimizer, result, settings, options["save_path"])
    if options["json_file"] == "-":
        click.echo(records.dumps(record))
        return
    with atomic_path(options["json_file"]) as partial:
        records.save(record, partial)


def _written(options: dict[str, Any]) -> str:
    target = options["json_file"]
    return f" (the run so far is in {target})" if target and target != "-" else ""


def _fail_on_error(result, options: dict[str, Any]) -> None:
    """Exit 1 with the message when the user's code raised during the run."""
    errors = np.flatnonzero(np.ravel(result.status) == Status.ERROR.value)
    if errors.size:
        raise CommandFailed(str(np.ravel(result.message)[errors[0]]) + _written(options), 1)


def _check_final_only(options: dict[str, Any], dim: int | None) -> None:
    """Only the map of many 2-D starts can be drawn without their paths."""
    if not options["final_only"]:
        return
    starts_map = (options["starts"] or 1) > 1 and dim == 2
    if options["animate_file"] or (options["plot_file"] and not starts_map):
        raise click.UsageError("this picture needs the recorded path: drop --final-only")


def _apply_schedule(cls: type[Optimizer], hypers: dict[str, Any], options: dict[str, Any],
                    saved=None) -> None:  # fmt: skip
    """The step size as the schedule ``--schedule`` names. For a resumed run (``saved``) the
    run is its steps so far plus ``--n-iter`` long, and the schedule starts from the file's
    step size unless one is given."""
    if options["schedule"] is None:
        for option in ("decay_rate", "warmup", "boundaries", "scales"):
            if options[option] is not None:
                raise click.UsageError(f"--{option.replace('_', '-')} needs --schedule")
        return
    step = next(h for h in cls.hyperparameters() if h.schedule)
    initial = hypers.get(step.name, step.default)
    done = 0 if saved is None else steps_done(saved)
    if saved is not None and step.name not in hypers:
        before = saved.record.optimizer.hyperparameters.get(step.name)
        initial = before if isinstance(before, int | float) else initial
    hypers[step.name] = make_schedule(
        options["schedule"], initial, options["decay_rate"], options["decay_steps"],
        final=options["final"], warmup=options["warmup"], warmup_start=options["warmup_start"],
        n_iter=done + options["n_iter"], **_piecewise(options),
    )  # fmt: skip


def _piecewise(options: dict[str, Any]) -> dict[str, tuple]:
    if options["boundaries"] is None and options["scales"] is None:
        return {}
    if options["schedule"] != "piecewise":
        raise click.UsageError("--boundaries and --scales belong to --schedule piecewise")
    boundaries = parse_vector("--boundaries", options["boundaries"] or "")
    if any(b != int(b) for b in boundaries):
        raise click.BadParameter(f"expected whole steps, got {options['boundaries']!r}",
                                 param_hint="--boundaries")  # fmt: skip
    scales = parse_vector("--scales", options["scales"] or "")
    return {"boundaries": tuple(int(b) for b in boundaries), "scales": tuple(scales)}


def _fresh_seed() -> int:
    return int(np.random.SeedSequence().entropy % 2**32)
