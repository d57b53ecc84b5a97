"""The options of noisy, minibatch and projected runs, shared by ``run`` and ``compare``."""

from __future__ import annotations

from typing import Any

import click

from descentlab.problems.stochastic import NOISE_KINDS, GradientNoise

STOCHASTIC_OPTIONS = [
    click.option(
        "--noise",
        type=click.FloatRange(min=0),
        help="Perturb every gradient with noise of this scale (per start, from --seed).",
    ),
    click.option(
        "--noise-kind",
        type=click.Choice(NOISE_KINDS),
        default="gaussian",
        show_default=True,
        help="gaussian: g + s z; relative: g (1 + s z); student-t: g + s t (heavy tails).",
    ),
    click.option(
        "--noise-df",
        type=click.IntRange(1, 100),
        default=3,
        show_default=True,
        help="Degrees of freedom of the student-t noise.",
    ),
    click.option(
        "--batch-size",
        type=click.IntRange(min=1),
        help="For a data set: minibatches of this many examples (per start, from --seed).",
    ),
    click.option(
        "--project",
        is_flag=True,
        help="Keep every iterate in the bounds (clip after each step).",
    ),
]


def noise_from(options: dict[str, Any]) -> GradientNoise | None:
    """The noise model the options ask for, or None."""
    if options["noise"] is None:
        if options["noise_kind"] != "gaussian" or options["noise_df"] != 3:
            raise click.UsageError("--noise-kind and --noise-df need --noise SIGMA")
        return None
    return GradientNoise(options["noise"], options["noise_kind"], options["noise_df"])
