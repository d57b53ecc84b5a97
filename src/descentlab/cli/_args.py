"""Small parsers for command-line values, and the spelling ``--bounds -2,2 -2,2``."""

from __future__ import annotations

import re

import click

MULTI_VALUE_OPTIONS = ("--bounds",)


def with_options(command, options: list):
    """``command`` decorated with every click option in ``options``, listed in help order."""
    for option in reversed(options):
        command = option(command)
    return command


_PAIR = re.compile(r"^[^,\s]+,[^,\s]+$")


def spread_multi_value_options(args: list[str]) -> list[str]:
    """Let ``--bounds A,B C,D`` mean ``--bounds A,B --bounds C,D``.

    click gives an option one value per occurrence; a bound per dimension reads better as one
    list, so each further ``LO,HI`` pair after a ``--bounds`` value gets the option again.
    """
    spread: list[str] = []
    collecting = None
    for arg in args:
        if collecting is not None and _PAIR.match(arg):
            if spread[-1] != collecting:
                spread.append(collecting)
            spread.append(arg)
            continue
        collecting = arg if arg in MULTI_VALUE_OPTIONS else None
        spread.append(arg)
    return spread


def parse_pair(option: str, text: str) -> tuple[float, float]:
    """``"LO,HI"`` as two floats, or a usage error naming the option."""
    parts = text.split(",")
    if len(parts) != 2:
        raise click.BadParameter(f"expected LO,HI (two numbers), got {text!r}", param_hint=option)
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise click.BadParameter(
            f"expected LO,HI (two numbers), got {text!r}", param_hint=option
        ) from None


def parse_vector(option: str, text: str) -> list[float]:
    """``"a,b,c"`` as a list of floats, or a usage error naming the option."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise click.BadParameter(
            f"expected numbers separated by commas, got {text!r}", param_hint=option
        ) from None


def bounds_for(pairs: tuple[tuple[float, float], ...], dim: int) -> list[tuple[float, float]]:
    """One pair for every dimension, or exactly ``dim`` pairs."""
    if len(pairs) == 1:
        return list(pairs) * dim
    if len(pairs) != dim:
        raise click.BadParameter(
            f"give one LO,HI pair for all dimensions or one per dimension ({dim}), "
            f"not {len(pairs)}",
            param_hint="--bounds",
        )
    return list(pairs)


def given(name: str) -> bool:
    """Whether the option ``name`` (its parameter name) was written on the command line (or set
    in the environment), as opposed to left at its default."""
    source = click.get_current_context().get_parameter_source(name)
    return source in (click.core.ParameterSource.COMMANDLINE,
                      click.core.ParameterSource.ENVIRONMENT)  # fmt: skip
