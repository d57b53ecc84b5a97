"""One catalog record: value and gradient side by side, domain, known minima, citation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from descentlab.problems.problem import Problem, as_bounds


@dataclass(frozen=True)
class FunctionEntry:
    """A test function of the catalog.

    ``f`` and ``grad`` are vectorized over ``(..., d)``. ``dim`` is the fixed dimension, or
    ``None`` for a function defined in any dimension ``d >= min_dim`` (then ``default_dim`` is
    used when none is asked for). ``domain`` is one ``(lo, hi)`` pair for every dimension, or
    one pair per dimension. ``minimum`` is the global minimum value (or a function of ``d``);
    ``minimizers(d)`` gives the known global minimizers as ``(k, d)``. An entry with
    parameters (the ill-conditioned quadratic) has ``variant(**parameters) -> FunctionEntry``.
    A quadratic knows its ``curvature``, which theory (step-size limits, Polyak's optimal momentum)
    needs.
    """

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]
    domain: tuple[tuple[float, float], ...]
    minimum: float | Callable[[int], float]
    minimizers: Callable[[int], np.ndarray]
    formula: str
    description: str
    citation: str
    dim: int | None = None
    default_dim: int = 2
    min_dim: int = 1
    variant: Callable[..., FunctionEntry] | None = None
    parameters: tuple[tuple[str, Any], ...] = ()
    #: For a quadratic: ``curvature(d) -> (mu, L)``, its Hessian's extreme eigenvalues.
    curvature: Callable[[int], tuple[float, float]] | None = None

    def resolve_dim(self, dim: int | None) -> int:
        """The dimension to use for a request of ``dim`` (None: the natural one)."""
        if dim is None:
            return self.dim if self.dim is not None else self.default_dim
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
            raise ValueError(f"dim must be a whole number >= 1, not {dim!r}")
        if self.dim is not None and dim != self.dim:
            raise ValueError(f"dim must be {self.dim} for function {self.name!r}, not {dim}")
        if dim < self.min_dim:
            raise ValueError(f"dim must be >= {self.min_dim} for function {self.name!r}, not {dim}")
        return int(dim)

    def bounds(self, dim: int) -> np.ndarray:
        if len(self.domain) == 1:
            return np.repeat(np.asarray(self.domain, dtype=float), dim, axis=0)
        return np.asarray(self.domain, dtype=float)

    def minimum_value(self, dim: int) -> float:
        """The global minimum value in ``dim`` dimensions."""
        return float(self.minimum(dim) if callable(self.minimum) else self.minimum)

    def with_parameters(self, **parameters: Any) -> FunctionEntry:
        """This entry with other parameters (only for entries that have parameters)."""
        if not parameters:
            return self
        if self.variant is None:
            raise ValueError(
                f"function {self.name!r} has no parameters, but got {', '.join(parameters)}"
            )
        known = dict(self.parameters)
        unknown = [name for name in parameters if name not in known]
        if unknown:
            raise ValueError(
                f"function {self.name!r} has parameters {', '.join(known)}, not {unknown[0]!r}"
            )
        return self.variant(**{**known, **parameters})

    def problem(self, dim: int | None = None, bounds: object = None) -> Problem:
        """This function as a :class:`Problem` in ``dim`` dimensions (optionally other bounds)."""
        if dim is None and bounds is not None and self.dim is None:
            dim = len(np.atleast_2d(np.asarray(bounds, dtype=float)))
        d = self.resolve_dim(dim)
        if bounds is not None and len(as_bounds(bounds)) != d:
            raise ValueError(
                f"bounds must have {d} [lo, hi] pair{'s' if d > 1 else ''} for {self.name!r} "
                f"in {d} dimension{'s' if d > 1 else ''}, not {len(as_bounds(bounds))}"
            )
        return Problem(
            f=self.f,
            grad=self.grad,
            bounds=self.bounds(d) if bounds is None else bounds,
            minimum=self.minimum_value(d),
            minimizers=self.minimizers(d),
            name=self.name,
            vectorized=True,
        )
