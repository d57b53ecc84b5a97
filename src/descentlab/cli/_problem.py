"""The problem a ``run`` asks for: a catalog name, an expression, or the user's callable."""

from __future__ import annotations

from typing import Any

import click

from descentlab import memory
from descentlab.cli._args import bounds_for, parse_pair
from descentlab.problems.functions import STOCHASTIC_PROBLEMS, get_entry, get_stochastic
from descentlab.problems.gradients import GRADIENT_METHODS
from descentlab.problems.loading import load_callable
from descentlab.problems.problem import Problem

PROBLEM_OPTIONS = [
    click.option(
        "--function",
        "-f",
        "function",
        help="Catalog function (see 'descentlab functions'), or your own as "
        "package.module:callable.",
    ),
    click.option(
        "--expr",
        help="The objective as an expression in x, y, z (or x1..xN), e.g. 'x**2 + 10*y**2'; "
        "differentiated exactly.",
    ),
    click.option(
        "--grad",
        help="For --function package.module:callable: its gradient as another callable, "
        "or torch / jax (automatic differentiation) or finite-difference (the default).",
    ),
    click.option(
        "--param",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="A parameter of the catalog function (e.g. kappa=1e4 for quadratic).",
    ),
    click.option(
        "--dim",
        type=click.IntRange(min=1),
        help="Dimension, for functions defined in any dimension.",
    ),
    click.option(
        "--minimum",
        type=float,
        help="The known minimum value f* of an --expr or your own --function (catalog "
        "functions know theirs): for --ftol, sweep targets and tuning.",
    ),
    click.option(
        "--bounds",
        "bounds",
        multiple=True,
        metavar="LO,HI ...",
        help="Start box: one LO,HI pair for all dimensions, or one per dimension.",
    ),
]


def build_problem(options: dict[str, Any], x0: list[float] | None) -> Problem:
    """From ``--function`` / ``--expr`` with ``--dim``, ``--bounds``, ``--param`` and ``--grad``."""
    function, expr = options["function"], options["expr"]
    if (function is None) == (expr is None):
        raise click.UsageError("give exactly one of --function and --expr")
    if options["grad"] is not None and (expr is not None or ":" not in function):
        raise click.UsageError("--grad applies only to --function package.module:callable")
    if options["params"] and (expr is not None or ":" in function):
        raise click.UsageError("--param applies only to catalog functions")
    if expr is not None:
        # SymPy takes a third of a second to import: only expressions pay for it.
        from descentlab.problems.expressions import parse_expression

        parsed = parse_expression(expr)
        if options["dim"] is not None and options["dim"] != parsed.dim:
            raise click.BadParameter(
                f"the expression has {parsed.dim} variable{'s' if parsed.dim > 1 else ''} "
                f"({', '.join(map(str, parsed.variables))}), not {options['dim']}: write "
                f"x1..x{options['dim']} for {options['dim']} dimensions, or drop --dim",
                param_hint="--dim",
            )
        return parsed.as_problem(_bounds(options, parsed.dim), minimum=options.get("minimum"))
    if ":" in function:
        return _callable_problem(options, x0)
    if options.get("minimum") is not None:
        raise click.UsageError(f"--minimum applies to --expr and your own --function; "
                               f"{function!r} knows its own minimum")  # fmt: skip
    return _catalog_problem(options, x0)


def _catalog_problem(options: dict[str, Any], x0: list[float] | None) -> Problem:
    """A catalog function; without --dim, a free dimension follows --bounds or --x0."""
    if options["function"] in STOCHASTIC_PROBLEMS:
        return _stochastic_problem(options)
    entry = get_entry(options["function"]).with_parameters(**catalog_parameters(options["params"]))
    dim = options["dim"]
    if dim is None and entry.dim is None:
        dim = _implied_dim(options, x0)
    dim = entry.resolve_dim(dim)
    # before the catalog builds its (d, 2) bounds and minimizers: a run's arrays are larger
    memory.check_working_memory(options.get("starts") or 1, dim, 0)
    return entry.problem(dim, _bounds(options, dim))


def _stochastic_problem(options: dict[str, Any]) -> Problem:
    """An online problem or a data set: its dimension and box are its own."""
    name = options["function"]
    if options["bounds"]:
        raise click.UsageError(f"--bounds does not apply to {name!r}: its box is its own")
    return get_stochastic(name, options["dim"], None, **catalog_parameters(options["params"]))


def _callable_problem(options: dict[str, Any], x0: list[float] | None) -> Problem:
    f = load_callable(options["function"], "--function")
    grad = options["grad"]
    if grad is not None and grad not in GRADIENT_METHODS:
        grad = load_callable(grad, "--grad")
    dim = options["dim"] or _implied_dim(options, x0)
    if dim is None:
        raise click.UsageError(
            "a --function package.module:callable needs --dim, one --bounds pair per "
            "dimension, or --x0, to know its dimension"
        )
    bounds = _bounds(options, dim)
    if bounds is None and x0 is None:
        raise click.UsageError("random starts need --bounds (or give --x0)")
    return Problem(f, grad, bounds=bounds, minimum=options.get("minimum"),
                   name=options["function"])  # fmt: skip


def _implied_dim(options: dict[str, Any], x0: list[float] | None) -> int | None:
    if len(options["bounds"]) > 1:
        return len(options["bounds"])
    if x0 is not None:
        return len(x0)
    return None


def _bounds(options: dict[str, Any], dim: int) -> list[tuple[float, float]] | None:
    if not options["bounds"]:
        return None
    pairs = tuple(parse_pair("--bounds", text) for text in options["bounds"])
    return bounds_for(pairs, dim)


def catalog_parameters(params: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs: numbers as numbers (whole ones as int), ``none`` as None."""
    parsed: dict[str, Any] = {}
    for text in params:
        name, equals, value = text.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="--param")
        if value.lower() == "none":
            parsed[name] = None
            continue
        try:
            number = float(value)
        except ValueError:
            raise click.BadParameter(
                f"expected a number or none after {name}=, got {value!r}", param_hint="--param"
            ) from None
        parsed[name] = int(number) if number.is_integer() and "." not in value else number
    return parsed
