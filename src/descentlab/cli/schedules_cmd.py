"""``descentlab schedules [--plot FILE]``: the step-size schedules, listed and drawn."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.table import Table

from descentlab.cli._figures import IMAGE_TYPES, pyplot, save
from descentlab.cli._output import check_output_path
from descentlab.schedules import (
    SCHEDULE_KINDS,
    CosineDecay,
    ExponentialDecay,
    InverseSqrtDecay,
    LinearDecay,
    OneCycle,
    StepDecay,
    Warmup,
    make_schedule,
)
from descentlab.schedules.kinds import COUNTED

#: kind -> (value at t, with s = t - 1; its twins)
DESCRIPTIONS = {
    "constant": ("initial", "optax constant_schedule"),
    "exponential": ("initial * rate^(s / decay_steps)", "optax exponential_decay, ExponentialLR"),
    "inverse-time": ("initial / (1 + rate * s / decay_steps)", "optax inverse_time_decay"),
    "inverse-sqrt": ("initial / sqrt(1 + s / decay_steps)", "AMSGrad paper's alpha/sqrt(t)"),
    "step": ("initial * rate^floor(s / decay_steps)", "StepLR, optax staircase decay"),
    "linear": ("straight to --final in decay_steps", "LinearLR, optax linear_schedule"),
    "cosine": ("half cosine to --final in decay_steps", "CosineAnnealingLR, optax cosine_decay"),
    "piecewise": (
        "initial times each --scales factor whose --boundaries step is passed",
        "MultiStepLR, optax piecewise_constant_schedule",
    ),
    "one-cycle": (
        "cosine from initial/25 up to initial, then down to initial/2.5e5, in decay_steps",
        "OneCycleLR, optax cosine_onecycle",
    ),
}


@click.command("schedules")
@click.option("--plot", "plot_file", help="Draw them (.png, .svg or .pdf).")
@click.option("--steps", type=click.IntRange(2, 100_000), default=1000, show_default=True)
@click.option(
    "--schedule",
    type=click.Choice(SCHEDULE_KINDS),
    help="Draw only this one, with the options below.",
)
@click.option(
    "--initial", type=click.FloatRange(min=0, min_open=True), default=0.1, show_default=True
)
@click.option("--decay-rate", type=float)
@click.option("--decay-steps", type=click.FloatRange(min=0, min_open=True))
@click.option("--final", type=click.FloatRange(min=0), default=0.0, show_default=True)
@click.option("--warmup", type=click.IntRange(min=1))
@click.option("--warmup-start", type=click.FloatRange(min=0), default=0.0, show_default=True)
@click.option("--log", is_flag=True, help="A log value axis.")
@click.option("--dpi", type=click.IntRange(10, 1200), default=120, show_default=True)
def schedules_command(**options: Any) -> None:
    """List the step-size schedules with their formulas and their optax and PyTorch twins;
    --plot draws them all over --steps iterations, or the one --schedule names."""
    plot = options["plot_file"]
    if plot and not plot.lower().endswith(IMAGE_TYPES):
        raise click.BadParameter(f"must end in {', '.join(IMAGE_TYPES)}, not {plot!r}",
                                 param_hint="--plot")  # fmt: skip
    check_output_path("--plot", plot)
    chosen = _chosen(options)
    table = Table(title="step-size schedules (descentlab run --schedule KIND)")
    for column in ("kind", "value at t (s = t - 1)", "twins"):
        table.add_column(column)
    for kind, (formula, twins) in DESCRIPTIONS.items():
        table.add_row(kind, formula, twins)
    Console().print(table)
    if plot:
        from descentlab.plot.schedules import plot_schedules

        pyplot()
        ax = plot_schedules(chosen, options["steps"], log=options["log"])
        save(ax.figure, plot, options)


def _chosen(options: dict[str, Any]):
    steps = options["steps"]
    if options["schedule"] is None:
        return {
            "step (rate 0.5 every steps/5)": StepDecay(0.1, 0.5, max(1, steps // 5)),
            "exponential (rate 0.995)": ExponentialDecay(0.1, 0.995),
            "inverse-sqrt": InverseSqrtDecay(0.1),
            "linear to 0.001": LinearDecay(0.1, 0.001, steps),
            "cosine to 0.001": CosineDecay(0.1, steps, 0.001),
            "warmup steps/10, then cosine": Warmup(CosineDecay(0.1, steps - steps // 10, 0.001),
                                                  max(1, steps // 10)),
            "one-cycle": OneCycle(0.1, steps),
        }  # fmt: skip
    decay_steps = options["decay_steps"]
    if decay_steps is None:
        decay_steps = steps if options["schedule"] in COUNTED else 1.0
    schedule = make_schedule(options["schedule"], options["initial"], options["decay_rate"],
                             decay_steps, final=options["final"], warmup=options["warmup"],
                             warmup_start=options["warmup_start"], n_iter=steps)  # fmt: skip
    return {options["schedule"]: schedule}
