"""The catalog of test functions with analytic gradients and known minima."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from descentlab._lazy import LazyRegistry
from descentlab.problems.functions._entry import FunctionEntry
from descentlab.problems.functions.any_dim import (
    ACKLEY,
    GRIEWANK,
    LEVY,
    RASTRIGIN,
    ROSENBROCK,
    STYBLINSKI_TANG,
)
from descentlab.problems.functions.one_dim import FORRESTER
from descentlab.problems.functions.quadratic import QUADRATIC
from descentlab.problems.functions.sphere import SPHERE
from descentlab.problems.functions.two_dim import TWO_DIM
from descentlab.problems.problem import Problem

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
        known = ", ".join([*FUNCTIONS, *STOCHASTIC_PROBLEMS])
        raise ValueError(f"function must be one of {known}, not {name!r}") from None


#: Problems beyond the fixed test functions: online sequences and data sets (finite sums).
#: Their modules (data sets, scikit-learn's loaders) are imported when one is asked for.
_S = "descentlab.problems.stochastic."
STOCHASTIC_PROBLEMS: Mapping[str, Callable[..., Problem]] = LazyRegistry({
    "reddi-theorem1": _S + "online:reddi_theorem1",
    "reddi-online": _S + "online:reddi_online",
    "reddi-stochastic": _S + "online:reddi_stochastic",
    "least-squares-diabetes": _S + "finite_sum:least_squares_diabetes",
    "logistic-breast-cancer": _S + "finite_sum:logistic_breast_cancer",
    "logistic-digits": _S + "finite_sum:logistic_digits",
    "mlp-digits": _S + "network:mlp_digits",
    "deep-mlp-digits": _S + "network:deep_mlp_digits",
    "matrix-least-squares": "descentlab.problems.matrices:matrix_least_squares",
    "matrix-factorization": "descentlab.problems.matrices:matrix_factorization",
    "matrix-sensing": "descentlab.problems.matrices:matrix_sensing",
})  # fmt: skip


def get_stochastic(name: str, dim: int | None = None, bounds: object = None,
                   **parameters: Any) -> Problem:  # fmt: skip
    """An online problem or a data set by name; its dimension and bounds are its own."""
    problem = STOCHASTIC_PROBLEMS[name](**parameters)
    if dim is not None and dim != problem.dim:
        raise ValueError(f"dim must be {problem.dim} for {name!r}, not {dim}")
    if bounds is not None:
        d = problem.dim
        if len(np.atleast_2d(np.asarray(bounds, dtype=float))) != d:
            raise ValueError(f"bounds must have {d} pairs for {name!r}")
        problem = dataclasses.replace(problem, bounds=bounds)
    return problem


def get_function(
    name: str, dim: int | None = None, bounds: object = None, **parameters: Any
) -> Problem:
    """The catalog function ``name`` as a :class:`Problem` in ``dim`` dimensions.

    ``parameters`` go to entries that have them, e.g.
    ``get_function("quadratic", dim=10, kappa=1e4, rotation_seed=0)``.

    >>> get_function("sphere", dim=2).bounds.tolist()
    [[-1.0, 1.0], [-1.0, 1.0]]

    Online problems (``reddi-theorem1``, ``reddi-online``, ``reddi-stochastic``), data sets
    (``least-squares-diabetes``, ``logistic-breast-cancer``, ``logistic-digits``) and a neural
    network (``mlp-digits``, parameters ``hidden`` and ``l2``) come by name too.
    """
    if name in STOCHASTIC_PROBLEMS:
        return get_stochastic(name, dim, bounds, **parameters)
    return get_entry(name).with_parameters(**parameters).problem(dim, bounds)


__all__ = [
    "FUNCTIONS",
    "STOCHASTIC_PROBLEMS",
    "FunctionEntry",
    "get_entry",
    "get_function",
    "get_stochastic",
]
