"""The catalog of test functions with analytic gradients and known minima."""

from __future__ import annotations

from descentlab.functions._entry import FunctionEntry
from descentlab.functions.sphere import SPHERE
from descentlab.problem import Problem

FUNCTIONS: dict[str, FunctionEntry] = {entry.name: entry for entry in (SPHERE,)}


def get_entry(name: str) -> FunctionEntry:
    """The catalog record named ``name``."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        known = ", ".join(FUNCTIONS)
        raise ValueError(f"function must be one of {known}, not {name!r}") from None


def get_function(name: str, dim: int | None = None, bounds: object = None) -> Problem:
    """The catalog function ``name`` as a :class:`Problem` in ``dim`` dimensions.

    >>> get_function("sphere", dim=2).bounds.tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]
    """
    return get_entry(name).problem(dim, bounds)


__all__ = ["FUNCTIONS", "FunctionEntry", "get_entry", "get_function"]
