"""The problems of a sweep, as small descriptions a worker can rebuild and a store can key.

A catalog function travels as :class:`CatalogProblem` (name, dimension, parameters, bounds):
a few bytes to send to a Dask worker, and an exact description to hash. A user's own
:class:`~descentlab.problems.problem.Problem` travels as itself (Dask pickles functions with
cloudpickle); the store knows it by its name, dimension, bounds and minimum and by a
fingerprint of what it computes: the values and gradients at a few fixed points of its box,
so two functions that share a name (every unnamed problem is ``"problem"``) never share cells.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.problems.functions import FUNCTIONS, STOCHASTIC_PROBLEMS, get_function
from descentlab.problems.problem import Problem


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


#: Points of the box a user's function is fingerprinted at (fixed, so the same function gives
#: the same fingerprint in every process and session).
FINGERPRINT_POINTS = 4
_FINGERPRINT_SEED = 20_261_202


@dataclass(frozen=True, eq=False)
class OwnProblem:
    """A :class:`Problem` the user built; known to the store by name, bounds, minimum and the
    fingerprint of its values (:func:`fingerprint`)."""

    problem: Problem

    def build(self) -> Problem:
        return self.problem

    @property
    def label(self) -> str:
        return f"{self.problem.name} (d={self.problem.dim})"

    @functools.cached_property
    def _fingerprint(self) -> str:
        return fingerprint(self.problem)

    def key(self) -> dict[str, Any]:
        p = self.problem
        return {"function": p.name, "dim": p.dim, "parameters": {},
                "bounds": p.bounds.tolist(), "minimum": p.minimum, "own": True,
                "fingerprint": self._fingerprint}  # fmt: skip

    def curvature(self) -> tuple[float, float] | None:
        return None


def fingerprint(problem: Problem) -> str:
    """A digest of ``f`` and its gradient at a few fixed points of the box (and at its center):
    functions that compute different numbers there get different fingerprints."""
    lo, hi = problem.bounds[:, 0], problem.bounds[:, 1]
    draws = np.random.RandomState(_FINGERPRINT_SEED).rand(FINGERPRINT_POINTS, len(lo))
    points = np.vstack([(lo + hi) / 2, lo + draws * (hi - lo)])
    digest = hashlib.sha256()
    for point in points:
        try:
            with np.errstate(all="ignore"):
                value = np.asarray(problem.f(point), dtype=float)
                gradient = np.asarray(problem.gradient(point), dtype=float)
        except Exception as error:
            raise ValueError(
                f"the store tells functions apart by their values at fixed points of their box, "
                f"and {problem.name!r} raised {type(error).__name__} at {point.tolist()}: fix "
                "the function or sweep without a store (store=None, CLI --no-store)"
            ) from None
        digest.update(np.ascontiguousarray(value, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(gradient, dtype="<f8").tobytes())
    return digest.hexdigest()


def problem_digest(key: dict[str, Any]) -> str:
    """The SHA-256 of a problem's key as canonical JSON (what cells are hashed with)."""
    text = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def short_key(key: dict[str, Any]) -> dict[str, Any]:
    """What a stored cell keeps of its problem: the name, dimension and parameters that label
    it, and the digest of the whole key (bounds included), instead of the bounds themselves."""
    return {"function": key["function"], "dim": key["dim"], "parameters": key["parameters"],
            "digest": problem_digest(key)}  # fmt: skip


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
