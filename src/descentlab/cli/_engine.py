"""``--engine numpy|jax``: where a command's runs execute."""

from __future__ import annotations

import functools

import click

from descentlab.engines import ENGINES, using

ENGINE_HELP = (
    "numpy (default) or jax: compile each run into one program, noise, minibatches, online "
    "problems and step rules included (pip install 'descentlab[jax]')"
)


def engine_option(command):
    """Give a command ``--engine`` and run its body with that engine as the default."""

    @click.option("--engine", type=click.Choice(ENGINES), default="numpy", show_default=True,
                  help=ENGINE_HELP)  # fmt: skip
    @functools.wraps(command)
    def with_engine(*args, engine: str, **kwargs):
        with using(engine):
            return command(*args, **kwargs)

    return with_engine
