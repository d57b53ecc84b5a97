"""The problems of a sweep, as small descriptions a worker can rebuild and a store can key.

A catalog function travels as :class:`CatalogProblem` (name, dimension, parameters, bounds):
a few bytes to send to a Dask worker, and an exact description to hash. A user's own
:class:`~descentlab.problem.Problem` travels as itself (Dask pickles functions with
cloudpickle); the store knows it by its name, dimension, bounds and minimum only, so give
different functions different names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.functions import FUNCTIONS, STOCHASTIC_PROBLEMS, get_function
from descentlab.problem import Problem


@dataclass(frozen=True)
class CatalogProblem:
    """A catalog function by name, with its dimension, parameters and bounds (None: its own)."""

    name: str
    dim: int | None = None
    parameters: tuple[tuple[str, Any], ...] = ()
    bounds: tuple[tuple[float, float], ...] | None = None

    def build(self) -> Problem:
        return _built(self)

    @property
    def label(self) -> str:
        problem = self.build()
        extra = "".join(f", {k}={v:g}" if isinstance(v, float) else f", {k}={v}"
                        for k, v in self.parameters)  # fmt: skip
        return f"{self.name} (d={problem.dim}{extra})"

    def key(self) -> dict[str, Any]:
        problem = self.build()
        return {"function": self.name, "dim": problem.dim, "parameters": dict(self.parameters),
                "bounds": problem.bounds.tolist()}  # fmt: skip

    def curvature(self) -> tuple[float, float] | None:
        """``(mu, L)``, the extreme eigenvalues of the Hessian, for the catalog's quadratics."""
        entry = FUNCTIONS.get(self.name)
        if entry is None or entry.curvature is None:
            return None
        entry = entry.with_parameters(**dict(self.parameters))
        return entry.curvature(self.build().dim)


@functools.lru_cache(maxsize=32)
def _built(spec: CatalogProblem) -> Problem:
    return get_function(spec.name, spec.dim, spec.bounds, **dict(spec.parameters))


@dataclass(frozen=True, eq=False)
class OwnProblem:
    """A :class:`Problem` the user built; known to the store by name, bounds and minimum."""

    problem: Problem

    def build(self) -> Problem:
        return self.problem

    @property
    def label(self) -> str:
        return f"{self.problem.name} (d={self.problem.dim})"

    def key(self) -> dict[str, Any]:
        p = self.problem
        return {"function": p.name, "dim": p.dim, "parameters": {},
                "bounds": p.bounds.tolist(), "minimum": p.minimum, "own": True}  # fmt: skip

    def curvature(self) -> tuple[float, float] | None:
        return None


SweepProblem = CatalogProblem | OwnProblem


def as_sweep_problem(problem: object) -> SweepProblem:
    """A catalog name (``"rosenbrock"``), ``(name, {"dim": 2, "kappa": 100})``, a
    :class:`CatalogProblem` or a :class:`Problem` with bounds."""
    if isinstance(problem, CatalogProblem | OwnProblem):
        spec = problem
    elif isinstance(problem, str):
        spec = CatalogProblem(problem)
    elif isinstance(problem, tuple) and len(problem) == 2 and isinstance(problem[0], str):
        options = dict(problem[1])
        dim, bounds = options.pop("dim", None), options.pop("bounds", None)
        if bounds is not None:
            bounds = tuple(tuple(float(v) for v in pair) for pair in np.asarray(bounds, float))
        spec = CatalogProblem(problem[0], dim, tuple(sorted(options.items())), bounds)
    elif isinstance(problem, Problem):
        spec = OwnProblem(problem)
    else:
        raise TypeError(
            "problems must be catalog names ('rosenbrock'), (name, {'dim': ..., parameter: ...}) "
            f"pairs or dl.Problem objects, not {problem!r}"
        )
    built = spec.build()
    if built.bounds is None:
        raise ValueError(f"problem {built.name!r} needs bounds: a sweep draws its starts in them")
    if isinstance(spec, CatalogProblem) and spec.name in STOCHASTIC_PROBLEMS:
        raise ValueError(
            f"problem {spec.name!r} is online or a data set; sweeps run deterministic problems "
            "(use descentlab compare --starts or an experiment for stochastic ones)"
        )
    return spec
