"""The catalog of test functions with analytic gradients and known minima."""

from __future__ import annotations

from typing import Any

from descentlab.functions._entry import FunctionEntry
from descentlab.functions.any_dim import (
    ACKLEY,
    GRIEWANK,
    LEVY,
    RASTRIGIN,
    ROSENBROCK,
    STYBLINSKI_TANG,
)
from descentlab.functions.one_dim import FORRESTER
from descentlab.functions.quadratic import QUADRATIC
from descentlab.functions.sphere import SPHERE
from descentlab.functions.two_dim import TWO_DIM
from descentlab.problem import Problem

FUNCTIONS: dict[str, FunctionEntry] = {
    entry.name: entry
    for entry in (
        SPHERE,
        FORRESTER,
        QUADRATIC,
        ROSENBROCK,
        RASTRIGIN,
        ACKLEY,
        STYBLINSKI_TANG,
        GRIEWANK,
        LEVY,
        *TWO_DIM,
    )
}


def get_entry(name: str) -> FunctionEntry:
    """The catalog record named ``name``."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        known = ", ".join(FUNCTIONS)
        raise ValueError(f"function must be one of {known}, not {name!r}") from None


def get_function(
    name: str, dim: int | None = None, bounds: object = None, **parameters: Any
) -> Problem:
    """The catalog function ``name`` as a :class:`Problem` in ``dim`` dimensions.

    ``parameters`` go to entries that have them, e.g.
    ``get_function("quadratic", dim=10, kappa=1e4, rotation_seed=0)``.

    >>> get_function("sphere", dim=2).bounds.tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    return get_entry(name).with_parameters(**parameters).problem(dim, bounds)


__all__ = ["FUNCTIONS", "FunctionEntry", "get_entry", "get_function"]
