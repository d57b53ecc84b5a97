"""The benchmark suites: which problems, in which dimensions, with which noise or minibatches.

- ``catalog``: the catalog's smooth functions at 2, 10 and 40 dimensions where they exist (the
  2-D functions at 2), ``f*`` known;
- ``conditioning``: rotated quadratics with condition numbers 10 to 1e4 and Rosenbrock, at 2,
  10 and 40 dimensions;
- ``stochastic``: Gaussian gradient noise on a sphere, a rotated quadratic and Rosenbrock,
  minibatch least squares and logistic regression (``f*`` by L-BFGS; needs
  ``descentlab[data]``), and Reddi et al.'s online problem (projected on its box);
- ``bbob``: COCO's 24 noiseless functions through ``cocoex`` (:mod:`descentlab.benchmarking.coco`).

Every problem has a short id (``rosenbrock-d10``, ``quadratic-k1e+03-d10``,
``sphere-d10-noise1``) that names it in the tables and the store.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from descentlab.problems.functions import FUNCTIONS, get_function
from descentlab.problems.problem import Problem

SUITES = ("catalog", "conditioning", "stochastic", "bbob")
DIMS = (2, 10, 40)
#: Smooth catalog functions defined in any dimension (ackley is not differentiable at its
#: minimum, and forrester is 1-D only).
ANY_DIM = ("sphere", "quadratic", "rosenbrock", "rastrigin", "styblinski-tang", "griewank",
           "levy")  # fmt: skip
KAPPAS = (10.0, 1e2, 1e3, 1e4)


@dataclass(frozen=True)
class BenchmarkProblem:
    """One problem of a suite: a catalog function, its dimension and parameters, and how its
    gradients come (noise, minibatches) and whether iterates are kept in its box."""

    id: str
    function: str
    dim: int | None = None
    parameters: tuple[tuple[str, Any], ...] = ()
    noise: float | None = None
    batch_size: int | None = None
    project: bool = False

    def build(self) -> Problem:
        return _built(self.function, self.dim, self.parameters)

    @property
    def deterministic(self) -> bool:
        return self.noise is None and self.batch_size is None and not self.project

    def key(self) -> dict[str, Any]:
        """What identifies the problem in hashes and the store."""
        return {"function": self.function, "dim": self.build().dim,
                "parameters": dict(self.parameters), "noise": self.noise,
                "batch_size": self.batch_size, "project": self.project}  # fmt: skip


@functools.lru_cache(maxsize=256)
def _built(function: str, dim: int | None, parameters: tuple) -> Problem:
    return get_function(function, dim, **dict(parameters))


def catalog() -> list[BenchmarkProblem]:
    problems = [BenchmarkProblem(f"{name}-d{d}", name, d) for name in ANY_DIM for d in DIMS]
    two_dim = [name for name, entry in FUNCTIONS.items() if entry.dim == 2]
    return problems + [BenchmarkProblem(f"{name}-d2", name, 2) for name in two_dim]


def conditioning() -> list[BenchmarkProblem]:
    quadratics = [
        BenchmarkProblem(f"quadratic-k{kappa:.0e}-d{d}", "quadratic", d, _rotated(kappa))
        for kappa in KAPPAS
        for d in DIMS
    ]
    return quadratics + [BenchmarkProblem(f"rosenbrock-d{d}", "rosenbrock", d) for d in DIMS]


def stochastic() -> list[BenchmarkProblem]:
    noisy = [
        BenchmarkProblem(f"{name}-d{d}-noise{sigma:g}", name, d, parameters, noise=sigma)
        for name, d, parameters in (
            ("sphere", 10, ()),
            ("quadratic", 10, _rotated(100.0)),
            ("rosenbrock", 2, ()),
        )
        for sigma in (0.1, 1.0)
    ]
    data = [
        BenchmarkProblem("least-squares-diabetes-b32", "least-squares-diabetes", batch_size=32),
        BenchmarkProblem("logistic-breast-cancer-b32", "logistic-breast-cancer", batch_size=32),
        BenchmarkProblem("logistic-digits-b64", "logistic-digits", batch_size=64),
    ]
    online = [BenchmarkProblem("reddi-online", "reddi-online", project=True)]
    return noisy + data + online


def _rotated(kappa: float) -> tuple[tuple[str, Any], ...]:
    return (("kappa", kappa), ("rotation_seed", 0))


_MAKERS = {"catalog": catalog, "conditioning": conditioning, "stochastic": stochastic}


def suite_problems(name: str, functions: Sequence[str] | None = None,
                   dims: Sequence[int] | None = None) -> list[BenchmarkProblem]:  # fmt: skip
    """The problems of suite ``name`` (not bbob), kept to ``functions`` and ``dims`` if given."""
    if name not in SUITES:
        raise ValueError(f"suite must be one of {', '.join(SUITES)}, not {name!r}")
    if name == "bbob":
        raise ValueError("the bbob suite runs through COCO (descentlab.benchmarking.coco)")
    problems = _MAKERS[name]()
    if functions:
        known = sorted({p.function for p in problems})
        unknown = [f for f in functions if f not in known]
        if unknown:
            raise ValueError(f"functions of suite {name!r} are {', '.join(known)}; not "
                             f"{', '.join(map(repr, unknown))}")  # fmt: skip
        problems = [p for p in problems if p.function in functions]
    if dims:
        problems = [p for p in problems if p.build().dim in set(dims)]
    if not problems:
        raise ValueError(f"no problem of suite {name!r} has those functions and dimensions")
    return problems
